package io.quicheengine.perf.seed;

import static org.assertj.core.api.Assertions.assertThat;

import io.quicheengine.perf.e2e.BulkResult;
import io.quicheengine.perf.e2e.BulkSpec;
import io.quicheengine.perf.e2e.E2eSystem;
import io.quicheengine.perf.e2e.PingPongResult;
import io.quicheengine.perf.e2e.PingPongSpec;
import io.quicheengine.perf.e2e.SeedResult;
import io.quicheengine.perf.e2e.SeedSpec;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Both seed designs over real UDP on 127.0.0.1 with the real libquiche: every byte arrives, every figure is filled in. */
@Timeout(60)
class SeedSystemsTest {

    private static final long EIGHT_MIB = 8L << 20;

    static Stream<E2eSystem> systems() {
        return Stream.of(new SeedGlobalLockSystem(), new SeedQueueMutexSystem());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("systems")
    void bulkOnOneStreamDeliversEveryByte(E2eSystem system) throws Exception {
        BulkResult result = system.bulk(new BulkSpec(1, EIGHT_MIB, 65_536, "n/a"));

        assertThat(result.system()).isEqualTo(system.name());
        assertThat(result.bytes()).isEqualTo(EIGHT_MIB);
        assertThat(result.nanos()).isPositive();
        assertThat(result.mbitPerSecond()).isPositive();
        assertThat(result.cpuSeconds()).isPositive();
        assertThat(result.loopBytesAllocatedPerMiB()).isNotNaN().isGreaterThanOrEqualTo(0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("systems")
    void bulkOnFourStreamsWithUnevenChunksDeliversEveryByte(E2eSystem system) throws Exception {
        // 10,000-byte chunks do not divide a 2 MiB share: every stream ends on a short chunk with fin.
        BulkResult result = system.bulk(new BulkSpec(4, EIGHT_MIB, 10_000, "n/a"));

        assertThat(result.bytes()).isEqualTo(EIGHT_MIB);
        assertThat(result.nanos()).isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("systems")
    void pingPongRecordsEveryRoundTripAfterWarmup(E2eSystem system) throws Exception {
        PingPongResult result = system.pingPong(new PingPongSpec(64, 50, 300, "n/a"));

        assertThat(result.roundTripNanos().getTotalCount()).isEqualTo(300);
        assertThat(result.percentileMicros(50)).isPositive();
        assertThat(result.percentileMicros(99)).isGreaterThanOrEqualTo(result.percentileMicros(50));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("systems")
    void seedUploadIsEchoedByteExact(E2eSystem system) throws Exception {
        SeedSpec spec = new SeedSpec(100_000, 1);

        SeedResult result = system.seed(spec);

        assertThat(result.completed()).isTrue();
        assertThat(result.bytesSent()).isEqualTo(100_000);
        assertThat(result.bytesEchoed()).isEqualTo(100_000);
        assertThat(result.throughputAvgMbit()).isPositive();
        assertThat(result.throughputPeakMbit()).isPositive();
        assertThat(result.rttMinMicros()).isPositive();
        assertThat(result.rttMaxMicros()).isGreaterThanOrEqualTo(result.rttAvgMicros());
        assertThat(result.rttAvgMicros()).isGreaterThanOrEqualTo(result.rttMinMicros());
        assertThat(result.cwndMaxBytes()).isPositive();
        // 100 kB each way in 1350-byte datagrams is at least 75 packets sent and received by the client.
        assertThat(result.packetsSent()).isGreaterThanOrEqualTo(75);
        assertThat(result.packetsReceived()).isGreaterThanOrEqualTo(75);
        assertThat(result.packetsLost()).isGreaterThanOrEqualTo(0);
    }
}
