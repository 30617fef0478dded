package io.quicheengine.perf.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quicheengine.perf.e2e.BulkResult;
import io.quicheengine.perf.e2e.BulkSpec;
import io.quicheengine.perf.e2e.PingPongResult;
import io.quicheengine.perf.e2e.PingPongSpec;
import org.junit.jupiter.api.Test;

class RawQuicheBaselineTest {

    private static final long MIB = 1 << 20;

    @Test
    void bulkDeliversEveryByteOfTheMeasuredStreamAndTimesIt() {
        RawQuicheBaseline baseline = new RawQuicheBaseline(MIB);
        BulkSpec spec = new BulkSpec(1, 8 * MIB, 64 * 1024, "n/a");

        BulkResult result = baseline.bulk(spec);

        assertThat(result.system()).isEqualTo("raw-quiche");
        assertThat(result.spec()).isEqualTo(spec);
        assertThat(result.bytes()).isEqualTo(8 * MIB);
        assertThat(result.nanos()).isPositive();
        assertThat(result.mbitPerSecond()).isPositive();
        assertThat(result.cpuSeconds()).isPositive();
        assertThat(baseline.lastLoopBytesAllocated()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void pingPongRecordsOneRoundTripPerMeasuredMessage() {
        RawQuicheBaseline baseline = new RawQuicheBaseline(0);

        PingPongResult result = baseline.pingPong(new PingPongSpec(64, 50, 200, "n/a"));

        assertThat(result.system()).isEqualTo("raw-quiche");
        assertThat(result.roundTripNanos().getTotalCount()).isEqualTo(200);
        assertThat(result.percentileMicros(50)).isPositive();
        assertThat(result.roundTripNanos().getMaxValue()).isLessThan(1_000_000_000L);
    }

    @Test
    void refusesSpecsItCannotRun() {
        RawQuicheBaseline baseline = new RawQuicheBaseline(0);

        assertThatThrownBy(() -> baseline.bulk(new BulkSpec(2, MIB, 1024, "n/a")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spec.streams was 2");
        assertThatThrownBy(() -> baseline.pingPong(new PingPongSpec(4, 0, 1, "n/a")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("messageSize");
    }
}
