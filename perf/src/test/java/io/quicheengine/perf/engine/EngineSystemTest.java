package io.quicheengine.perf.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quicheengine.WaitStrategy;
import io.quicheengine.perf.e2e.BulkResult;
import io.quicheengine.perf.e2e.BulkSpec;
import io.quicheengine.perf.e2e.PingPongResult;
import io.quicheengine.perf.e2e.PingPongSpec;
import io.quicheengine.perf.e2e.SeedResult;
import io.quicheengine.perf.e2e.SeedSpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our engine over real UDP on 127.0.0.1, server and client engines in this JVM, with the clients
 * on an application thread ("app-thread") and as listeners on the client engine's loop ("loop").
 */
@Timeout(60)
class EngineSystemTest {
    private static final long MIB = 1 << 20;

    private final EngineSystem system = new EngineSystem();

    @ParameterizedTest
    @CsvSource({"app-thread, 1, backoff", "app-thread, 4, blocking", "loop, 1, backoff", "loop, 4, blocking"})
    void bulkDeliversExactlyTheRequestedBytesOverEveryStream(String threading, int streams, String strategy) throws Exception {
        EngineSystem engine = new EngineSystem(WaitStrategy.BACKOFF, null, ClientThreading.parse(threading));
        // 8 MiB + 3 does not split evenly over 4 streams: the remainder must arrive too (the sink checks every offset).
        long total = 8 * MIB + 3;
        BulkResult result = engine.bulk(new BulkSpec(streams, total, 16 * 1024, strategy));

        assertThat(result.system()).isEqualTo("quiche-engine");
        assertThat(result.bytes()).isEqualTo(total);
        assertThat(result.nanos()).isPositive();
        assertThat(result.mbitPerSecond()).isPositive();
        assertThat(result.cpuSeconds()).isPositive();
        // Measured (not NaN) on both loop threads, whatever the figure is; the writer only when it is an application thread.
        assertThat(result.loopBytesAllocatedPerMiB()).isNotNaN().isGreaterThanOrEqualTo(0);
        if (engine.threading() == ClientThreading.APP_THREAD) {
            assertThat(engine.lastWriterBytesPerMiB()).isNotNaN().isGreaterThanOrEqualTo(0);
        } else {
            assertThat(engine.lastWriterBytesPerMiB()).isNaN();
        }
    }

    @ParameterizedTest
    @CsvSource({"app-thread", "loop"})
    void bulkAgainstAnAlreadyRunningSinkServerUsesTheServersTimes(String threading) throws Exception {
        EngineSystem engine = new EngineSystem(WaitStrategy.BACKOFF, null, ClientThreading.parse(threading));
        try (EngineServer sink = EngineServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                EngineServerMode.SINK, WaitStrategy.BACKOFF)) {
            BulkResult result = engine.bulk(new BulkSpec(2, 2 * MIB, 8 * 1024, "backoff"), sink.address());

            assertThat(result.bytes()).isEqualTo(2 * MIB);
            assertThat(result.nanos()).isPositive();
            assertThat(result.loopBytesAllocatedPerMiB()).isNotNaN();
            assertThat(sink.errors()).isEmpty();
        }
    }

    @Test
    void inLoopBulkFailsAtOnceWhenTheServerSendsMoreThanAReport() {
        // An echo server answers with the bytes themselves: the client must fail the run, not wait for a report.
        EngineSystem engine = new EngineSystem(WaitStrategy.BACKOFF, null, ClientThreading.LOOP);
        try (EngineServer echo = EngineServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                EngineServerMode.ECHO, WaitStrategy.BACKOFF)) {
            assertThatThrownBy(() -> engine.bulk(new BulkSpec(1, MIB, 8 * 1024, "backoff"), echo.address()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("the sink sent more than its report");
        }
    }

    @ParameterizedTest
    @CsvSource({"app-thread, backoff", "loop, backoff", "loop, blocking"})
    void pingPongRecordsOneRoundTripPerMessageAfterWarmup(String threading, String strategy) throws Exception {
        EngineSystem engine = new EngineSystem(WaitStrategy.BACKOFF, null, ClientThreading.parse(threading));
        PingPongResult result = engine.pingPong(new PingPongSpec(64, 100, 300, strategy));

        assertThat(result.system()).isEqualTo("quiche-engine");
        assertThat(result.roundTripNanos().getTotalCount()).isEqualTo(300);
        assertThat(result.percentileMicros(50)).isPositive();
        assertThat(result.roundTripNanos().getMaxValue()).isGreaterThanOrEqualTo(result.roundTripNanos().getMinValue());
    }

    @Test
    void inLoopPingPongStopsAtItsBudgetWithWhatItRecorded() throws Exception {
        // 1 ms cannot hold a million round trips: warm-up is cut short, at least one is recorded, far fewer than asked.
        EngineSystem engine = new EngineSystem(WaitStrategy.BACKOFF, Duration.ofMillis(1), ClientThreading.LOOP);
        PingPongResult result = engine.pingPong(new PingPongSpec(64, 1_000_000, 1_000_000, "backoff"));

        assertThat(result.roundTripNanos().getTotalCount()).isBetween(1L, 999_999L);
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
