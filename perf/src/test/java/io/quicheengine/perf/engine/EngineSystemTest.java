package io.quicheengine.perf.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.quicheengine.WaitStrategy;
import io.quicheengine.perf.e2e.BulkResult;
import io.quicheengine.perf.e2e.BulkSpec;
import io.quicheengine.perf.e2e.PingPongResult;
import io.quicheengine.perf.e2e.PingPongSpec;
import io.quicheengine.perf.e2e.SeedResult;
import io.quicheengine.perf.e2e.SeedSpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Our engine over real UDP on 127.0.0.1, server and client engines in this JVM. */
@Timeout(60)
class EngineSystemTest {
    private static final long MIB = 1 << 20;

    private final EngineSystem system = new EngineSystem();

    @ParameterizedTest
    @CsvSource({"1, backoff", "4, blocking"})
    void bulkDeliversExactlyTheRequestedBytesOverEveryStream(int streams, String strategy) throws Exception {
        // 8 MiB + 3 does not split evenly over 4 streams: the remainder must arrive too.
        long total = 8 * MIB + 3;
        BulkResult result = system.bulk(new BulkSpec(streams, total, 16 * 1024, strategy));

        assertThat(result.system()).isEqualTo("quiche-engine");
        assertThat(result.bytes()).isEqualTo(total);
        assertThat(result.nanos()).isPositive();
        assertThat(result.mbitPerSecond()).isPositive();
        assertThat(result.cpuSeconds()).isPositive();
        // Measured (not NaN) on both loop threads and on the writer, whatever the figure is.
        assertThat(result.loopBytesAllocatedPerMiB()).isNotNaN().isGreaterThanOrEqualTo(0);
        assertThat(system.lastWriterBytesPerMiB()).isNotNaN().isGreaterThanOrEqualTo(0);
    }

    @Test
    void bulkAgainstAnAlreadyRunningSinkServerUsesTheServersTimes() throws Exception {
        try (EngineServer sink = EngineServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                EngineServerMode.SINK, WaitStrategy.BACKOFF)) {
            BulkResult result = system.bulk(new BulkSpec(2, 2 * MIB, 8 * 1024, "backoff"), sink.address());

            assertThat(result.bytes()).isEqualTo(2 * MIB);
            assertThat(result.nanos()).isPositive();
            assertThat(sink.errors()).isEmpty();
        }
    }

    @Test
    void pingPongRecordsOneRoundTripPerMessageAfterWarmup() throws Exception {
        PingPongResult result = system.pingPong(new PingPongSpec(64, 100, 300, "backoff"));

        assertThat(result.system()).isEqualTo("quiche-engine");
        assertThat(result.roundTripNanos().getTotalCount()).isEqualTo(300);
        assertThat(result.percentileMicros(50)).isPositive();
        assertThat(result.roundTripNanos().getMaxValue()).isGreaterThanOrEqualTo(result.roundTripNanos().getMinValue());
    }

    @Test
    void seedGetsEveryByteBackAndReportsTransportStats() throws Exception {
        SeedResult result = system.seed(new SeedSpec(100_000, 1));

        assertThat(result.completed()).isTrue();
        assertThat(result.bytesSent()).isEqualTo(100_000);
        assertThat(result.bytesEchoed()).isEqualTo(100_000);
        // Paced at 0.8 Mbit/s: the average cannot be far above that (it is measured to the last echo).
        assertThat(result.throughputAvgMbit()).isBetween(0.3, 1.6);
        assertThat(result.rttMinMicros()).isPositive();
        assertThat(result.rttMaxMicros()).isGreaterThanOrEqualTo(result.rttMinMicros());
        assertThat(result.cwndMaxBytes()).isPositive();
        assertThat(result.packetsSent()).isPositive();
        assertThat(result.packetsReceived()).isPositive();
    }
}
