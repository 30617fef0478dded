package io.quicheengine.perf.netty;

import io.quicheengine.perf.e2e.BulkResult;
import io.quicheengine.perf.e2e.BulkSpec;
import io.quicheengine.perf.e2e.PingPongResult;
import io.quicheengine.perf.e2e.PingPongSpec;
import io.quicheengine.perf.e2e.SeedResult;
import io.quicheengine.perf.e2e.SeedSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** Netty's QUIC codec over real UDP on 127.0.0.1, server and client in this JVM. */
@Timeout(60)
class NettyQuicSystemTest {
    private static final long MIB = 1 << 20;

    private final NettyQuicSystem system = new NettyQuicSystem();

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void bulkDeliversExactlyTheRequestedBytesOverEveryStream(int streams) throws Exception {
        // 16 MiB + 3 does not split evenly over 4 streams: the remainder must not be lost.
        long total = 16 * MIB + 3;
        BulkResult result = system.bulk(new BulkSpec(streams, total, 16 * 1024, "n/a"));

        assertThat(result.system()).isEqualTo("netty-quic");
        assertThat(result.bytes()).isEqualTo(total);
        assertThat(result.nanos()).isPositive();
        assertThat(result.mbitPerSecond()).isPositive();
        assertThat(result.cpuSeconds()).isPositive();
        assertThat(result.loopBytesAllocatedPerMiB()).isPositive();
    }

    @Test
    void bulkAgainstAlreadyRunningSinkServerMeasuresOnTheServersClock() throws Exception {
        try (NettyQuicServer sink = NettyQuicServer.start(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ServerMode.SINK)) {
            BulkResult result = system.bulk(new BulkSpec(2, 4 * MIB, 8 * 1024, "n/a"), sink.address());

            assertThat(result.bytes()).isEqualTo(4 * MIB);
            assertThat(result.nanos()).isPositive();
            // The other side's loop thread is not visible from a remote server.
            assertThat(result.loopBytesAllocatedPerMiB()).isNaN();
        }
    }

    @Test
    void pingPongRecordsOneRoundTripPerMessageAfterWarmup() throws Exception {
        PingPongResult result = system.pingPong(new PingPongSpec(64, 100, 500, "n/a"));

        assertThat(result.roundTripNanos().getTotalCount()).isEqualTo(500);
        assertThat(result.percentileMicros(50)).isPositive();
        assertThat(result.roundTripNanos().getMaxValue()).isGreaterThanOrEqualTo(result.roundTripNanos().getMinValue());
    }

    @Test
    void pingPongEchoesMessagesLargerThanOnePacket() throws Exception {
        PingPongResult result = system.pingPong(new PingPongSpec(20_000, 10, 50, "n/a"));

        assertThat(result.roundTripNanos().getTotalCount()).isEqualTo(50);
    }

    @Test
    void seedGetsEveryByteBackAndReportsTransportStats() throws Exception {
        SeedResult result = system.seed(new SeedSpec(100_000, 1));

        assertThat(result.completed()).isTrue();
        assertThat(result.bytesSent()).isEqualTo(100_000);
        assertThat(result.bytesEchoed()).isEqualTo(100_000);
        // Paced at 0.8 Mbit/s: the average cannot be far above that (it is measured to the last echo).
        assertThat(result.throughputAvgMbit()).isBetween(0.3, 1.6);
        assertThat(result.throughputPeakMbit()).isGreaterThanOrEqualTo(result.throughputAvgMbit() * 0.5);
        assertThat(result.rttMinMicros()).isPositive();
        assertThat(result.rttMaxMicros()).isGreaterThanOrEqualTo(result.rttAvgMicros());
        assertThat(result.rttAvgMicros()).isGreaterThanOrEqualTo(result.rttMinMicros());
        assertThat(result.cwndMaxBytes()).isPositive();
        // 100 kB each way needs at least 75 packets of at most 1350 bytes.
        assertThat(result.packetsSent()).isGreaterThan(75);
        assertThat(result.packetsReceived()).isGreaterThan(75);
        assertThat(result.packetsLost()).isGreaterThanOrEqualTo(0);
    }
}
