package io.quicheengine.ffi;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import org.junit.jupiter.api.Test;

/** The sizes and offsets measured with offsetof against the 0.24.5 and 0.29.3 headers (Linux x86-64). */
class StructLayoutTest {

    private static long offset(StructLayout layout, String field) {
        return layout.byteOffset(PathElement.groupElement(field));
    }

    @Test
    void recvInfo() {
        assertThat(RecvInfo.LAYOUT.byteSize()).isEqualTo(32);
        assertThat(offset(RecvInfo.LAYOUT, "to")).isEqualTo(16);
        assertThat(offset(RecvInfo.LAYOUT, "to_len")).isEqualTo(24);
    }

    @Test
    void sendInfo() {
        assertThat(SendInfo.LAYOUT.byteSize()).isEqualTo(288);
        assertThat(offset(SendInfo.LAYOUT, "from_len")).isEqualTo(128);
        assertThat(offset(SendInfo.LAYOUT, "to")).isEqualTo(136);
        assertThat(offset(SendInfo.LAYOUT, "to_len")).isEqualTo(264);
        assertThat(offset(SendInfo.LAYOUT, "at")).isEqualTo(272);
    }

    @Test
    void stats0245() {
        assertThat(Stats.LAYOUT_0_24_5.byteSize()).isEqualTo(112);
        assertThat(offset(Stats.LAYOUT_0_24_5, "retrans")).isEqualTo(24);
        assertThat(offset(Stats.LAYOUT_0_24_5, "paths_count")).isEqualTo(72);
        assertThat(offset(Stats.LAYOUT_0_24_5, "stopped_stream_count_remote")).isEqualTo(104);
    }

    @Test
    void stats0293() {
        assertThat(Stats.LAYOUT_0_29_3.byteSize()).isEqualTo(208);
        assertThat(offset(Stats.LAYOUT_0_29_3, "retrans")).isEqualTo(32);
        assertThat(offset(Stats.LAYOUT_0_29_3, "stream_retrans_bytes")).isEqualTo(72);
        assertThat(offset(Stats.LAYOUT_0_29_3, "paths_count")).isEqualTo(96);
        assertThat(offset(Stats.LAYOUT_0_29_3, "stopped_stream_count_remote")).isEqualTo(128);
        assertThat(offset(Stats.LAYOUT_0_29_3, "bytes_in_flight_duration_msec")).isEqualTo(192);
        assertThat(offset(Stats.LAYOUT_0_29_3, "tx_buffered_inconsistent")).isEqualTo(200);
    }

    @Test
    void pathStats0245() {
        StructLayout layout = PathStats.LAYOUT_0_24_5;
        assertThat(layout.byteSize()).isEqualTo(400);
        assertThat(offset(layout, "peer_addr")).isEqualTo(136);
        assertThat(offset(layout, "validation_state")).isEqualTo(272);
        assertThat(offset(layout, "active")).isEqualTo(280);
        assertThat(offset(layout, "recv")).isEqualTo(288);
        assertThat(offset(layout, "rtt")).isEqualTo(320);
        assertThat(offset(layout, "cwnd")).isEqualTo(344);
        assertThat(offset(layout, "pmtu")).isEqualTo(384);
        assertThat(offset(layout, "delivery_rate")).isEqualTo(392);
    }

    @Test
    void pathStats0293() {
        StructLayout layout = PathStats.LAYOUT_0_29_3;
        assertThat(layout.byteSize()).isEqualTo(448);
        assertThat(offset(layout, "peer_addr")).isEqualTo(136);
        assertThat(offset(layout, "validation_state")).isEqualTo(272);
        assertThat(offset(layout, "active")).isEqualTo(280);
        assertThat(offset(layout, "recv")).isEqualTo(288);
        assertThat(offset(layout, "retrans")).isEqualTo(312);
        assertThat(offset(layout, "rtt")).isEqualTo(344);
        assertThat(offset(layout, "rttvar")).isEqualTo(368);
        assertThat(offset(layout, "cwnd")).isEqualTo(376);
        assertThat(offset(layout, "stream_retrans_bytes")).isEqualTo(408);
        assertThat(offset(layout, "pmtu")).isEqualTo(416);
        assertThat(offset(layout, "delivery_rate")).isEqualTo(424);
        assertThat(offset(layout, "startup_exit_cwnd")).isEqualTo(440);
    }

    @Test
    void theLoadedLibrarysLayoutsAreUsed() {
        assertThat(Stats.LAYOUT).isSameAs(Stats.layout(QuicheVersion.loaded()));
        assertThat(PathStats.LAYOUT).isSameAs(PathStats.layout(QuicheVersion.loaded()));
    }

    @Test
    void transportParams() {
        assertThat(TransportParams.LAYOUT.byteSize()).isEqualTo(104);
        assertThat(offset(TransportParams.LAYOUT, "peer_disable_active_migration")).isEqualTo(80);
        assertThat(offset(TransportParams.LAYOUT, "peer_active_conn_id_limit")).isEqualTo(88);
        assertThat(offset(TransportParams.LAYOUT, "peer_max_datagram_frame_size")).isEqualTo(96);
    }
}
