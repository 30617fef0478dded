package io.quicheengine.perf.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.quicheengine.perf.e2e.PingPongResult;
import io.quicheengine.perf.e2e.PingPongSpec;
import org.junit.jupiter.api.Test;

class PlainUdpBaselineTest {

    @Test
    void pingPongRecordsOneRoundTripPerMeasuredDatagram() throws Exception {
        PlainUdpBaseline baseline = new PlainUdpBaseline();

        PingPongResult result = baseline.pingPong(new PingPongSpec(64, 50, 200, "busy-spin"));

        assertThat(result.system()).isEqualTo("plain-udp");
        assertThat(result.roundTripNanos().getTotalCount()).isEqualTo(200);
        assertThat(result.percentileMicros(50)).isPositive();
        assertThat(result.roundTripNanos().getMaxValue()).isLessThan(1_000_000_000L);
    }

    @Test
    void blastCountsReceivedDatagramsOverTheWindow() throws Exception {
        PlainUdpBaseline baseline = new PlainUdpBaseline();

        UdpBlastResult result = baseline.blast(1350, 0.1, 0.3);

        assertThat(result.datagramSize()).isEqualTo(1350);
        assertThat(result.receivedPackets()).isPositive();
        assertThat(result.sentPackets()).isPositive();
        assertThat(result.nanos()).isGreaterThanOrEqualTo(300_000_000L);
        assertThat(result.packetsPerSecond()).isCloseTo(result.receivedPackets() * 1e9 / result.nanos(), within(1e-6));
        assertThat(result.gbitPerSecond()).isCloseTo(result.packetsPerSecond() * 1350 * 8 / 1e9, within(1e-9));
    }
}
