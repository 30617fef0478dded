package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Snapshots published by the loop, readable from any thread. */
class StatisticsTest {

    @Test
    void connectionAndStreamStatisticsReflectTheTransfer() throws Exception {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, new EchoListener(), TransportSettings.DEFAULTS,
                b -> b.statsInterval(Duration.ofMillis(10)))) {
            QuicConnection connection = fixture.connect();
            assertThat(connection.applicationProtocol()).isEqualTo(EngineFixture.ALPN);
            assertThat(connection.isClient()).isTrue();
            assertThat(connection.localAddress()).isNotNull();
            QuicStream stream = connection.openBidirectionalStream();
            EchoTest.echoOne(stream, 500_000, 4);
            StreamStats streamStats = stream.stats();
            assertThat(streamStats.bytesWritten()).isEqualTo(500_000);
            assertThat(streamStats.bytesSent()).isEqualTo(500_000);
            assertThat(streamStats.bytesPendingWrite()).isZero();
            assertThat(streamStats.bytesReceived()).isEqualTo(500_000);
            assertThat(streamStats.bytesRead()).isEqualTo(500_000);
            assertThat(streamStats.bytesBufferedRead()).isZero();
            Thread.sleep(50);
            connection.openBidirectionalStream().write(new byte[1], 0, 1, true, Duration.ofSeconds(1)); // activity to publish again
            Polling.until(() -> connection.stats().bytesReceived() > 500_000, Duration.ofSeconds(5), "stats published");
            ConnectionStats stats = connection.stats();
            assertThat(stats.packetsSent()).isPositive();
            assertThat(stats.packetsReceived()).isPositive();
            assertThat(stats.bytesSent()).isGreaterThan(500_000);
            assertThat(stats.rttNanos()).isPositive().isLessThan(1_000_000_000L);
            assertThat(stats.minRttNanos()).isPositive().isLessThanOrEqualTo(stats.rttNanos() + stats.rttVarNanos() * 4);
            assertThat(stats.congestionWindow()).isGreaterThan(10_000);
            assertThat(stats.pathMtu()).isEqualTo(1350);
            assertThat(stats.publishedAtNanos()).isPositive();
            EngineStats engine = fixture.clientEngine.stats();
            assertThat(engine.liveConnections()).isEqualTo(1);
            assertThat(engine.quicheConfigs()).isEqualTo(1);
            assertThat(engine.commandSlotBytes()).isEqualTo(4096L * 4096);
            assertThat(engine.datagramsDroppedOnSend()).as("a loopback socket's 4 MiB send buffer never stayed full").isZero();
        }
    }
}
