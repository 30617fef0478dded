package io.quicheengine.ffi;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import org.junit.jupiter.api.Test;

/** The sizes and offsets measured with offsetof against the 0.24.5 header (Linux x86-64). */
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
    void stats() {
        assertThat(Stats.LAYOUT.byteSize()).isEqualTo(112);
        assertThat(offset(Stats.LAYOUT, "paths_count")).isEqualTo(72);
        assertThat(offset(Stats.LAYOUT, "stopped_stream_count_remote")).isEqualTo(104);
    }

    @Test
    void pathStats() {
        assertThat(PathStats.LAYOUT.byteSize()).isEqualTo(400);
        assertThat(offset(PathStats.LAYOUT, "peer_addr")).isEqualTo(136);
        assertThat(offset(PathStats.LAYOUT, "validation_state")).isEqualTo(272);
        assertThat(offset(PathStats.LAYOUT, "active")).isEqualTo(280);
        assertThat(offset(PathStats.LAYOUT, "recv")).isEqualTo(288);
        assertThat(offset(PathStats.LAYOUT, "rtt")).isEqualTo(320);
        assertThat(offset(PathStats.LAYOUT, "cwnd")).isEqualTo(344);
        assertThat(offset(PathStats.LAYOUT, "pmtu")).isEqualTo(384);
        assertThat(offset(PathStats.LAYOUT, "delivery_rate")).isEqualTo(392);
    }

    @Test
    void transportParams() {
        assertThat(TransportParams.LAYOUT.byteSize()).isEqualTo(104);
        assertThat(offset(TransportParams.LAYOUT, "peer_disable_active_migration")).isEqualTo(80);
        assertThat(offset(TransportParams.LAYOUT, "peer_active_conn_id_limit")).isEqualTo(88);
        assertThat(offset(TransportParams.LAYOUT, "peer_max_datagram_frame_size")).isEqualTo(96);
    }
}
