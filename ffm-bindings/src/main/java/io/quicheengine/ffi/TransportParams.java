package io.quicheengine.ffi;

import static io.quicheengine.ffi.CLayouts.offset;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * {@code quiche_transport_params}: the transport parameters the peer announced.
 * A flyweight over one native struct: fill it with {@link QuicheConn#peerTransportParams}, then read the fields. Reusable;
 * not thread-safe.
 */
public final class TransportParams {

    /** The C struct, 104 bytes on 64-bit platforms. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("peer_max_idle_timeout"),
            ValueLayout.JAVA_LONG.withName("peer_max_udp_payload_size"),
            ValueLayout.JAVA_LONG.withName("peer_initial_max_data"),
            ValueLayout.JAVA_LONG.withName("peer_initial_max_stream_data_bidi_local"),
            ValueLayout.JAVA_LONG.withName("peer_initial_max_stream_data_bidi_remote"),
            ValueLayout.JAVA_LONG.withName("peer_initial_max_stream_data_uni"),
            ValueLayout.JAVA_LONG.withName("peer_initial_max_streams_bidi"),
            ValueLayout.JAVA_LONG.withName("peer_initial_max_streams_uni"),
            ValueLayout.JAVA_LONG.withName("peer_ack_delay_exponent"),
            ValueLayout.JAVA_LONG.withName("peer_max_ack_delay"),
            ValueLayout.JAVA_BOOLEAN.withName("peer_disable_active_migration"),
            MemoryLayout.paddingLayout(7),
            ValueLayout.JAVA_LONG.withName("peer_active_conn_id_limit"),
            ValueLayout.JAVA_LONG.withName("peer_max_datagram_frame_size"));

    private static final long PEER_MAX_IDLE_TIMEOUT = offset(LAYOUT, "peer_max_idle_timeout");
    private static final long PEER_MAX_UDP_PAYLOAD_SIZE = offset(LAYOUT, "peer_max_udp_payload_size");
    private static final long PEER_INITIAL_MAX_DATA = offset(LAYOUT, "peer_initial_max_data");
    private static final long PEER_INITIAL_MAX_STREAM_DATA_BIDI_LOCAL = offset(LAYOUT, "peer_initial_max_stream_data_bidi_local");
    private static final long PEER_INITIAL_MAX_STREAM_DATA_BIDI_REMOTE = offset(LAYOUT, "peer_initial_max_stream_data_bidi_remote");
    private static final long PEER_INITIAL_MAX_STREAM_DATA_UNI = offset(LAYOUT, "peer_initial_max_stream_data_uni");
    private static final long PEER_INITIAL_MAX_STREAMS_BIDI = offset(LAYOUT, "peer_initial_max_streams_bidi");
    private static final long PEER_INITIAL_MAX_STREAMS_UNI = offset(LAYOUT, "peer_initial_max_streams_uni");
    private static final long PEER_ACK_DELAY_EXPONENT = offset(LAYOUT, "peer_ack_delay_exponent");
    private static final long PEER_MAX_ACK_DELAY = offset(LAYOUT, "peer_max_ack_delay");
    private static final long PEER_DISABLE_ACTIVE_MIGRATION = offset(LAYOUT, "peer_disable_active_migration");
    private static final long PEER_ACTIVE_CONN_ID_LIMIT = offset(LAYOUT, "peer_active_conn_id_limit");
    private static final long PEER_MAX_DATAGRAM_FRAME_SIZE = offset(LAYOUT, "peer_max_datagram_frame_size");

    private final MemorySegment segment;

    /** A new struct in {@code arena}. */
    public TransportParams(Arena arena) {
        this.segment = arena.allocate(LAYOUT);
    }

    /** The struct to pass to {@link QuicheConn#peerTransportParams}. */
    public MemorySegment segment() {
        return segment;
    }

    /** {@code peer_max_idle_timeout}. */
    public long peerMaxIdleTimeout() {
        return segment.get(ValueLayout.JAVA_LONG, PEER_MAX_IDLE_TIMEOUT);
    }

    /** {@code peer_max_udp_payload_size}. */
    public long peerMaxUdpPayloadSize() {
        return segment.get(ValueLayout.JAVA_LONG, PEER_MAX_UDP_PAYLOAD_SIZE);
    }

    /** {@code peer_initial_max_data}. */
    public long peerInitialMaxData() {
        return segment.get(ValueLayout.JAVA_LONG, PEER_INITIAL_MAX_DATA);
    }

    /** {@code peer_initial_max_stream_data_bidi_local}. */
    public long peerInitialMaxStreamDataBidiLocal() {
        return segment.get(ValueLayout.JAVA_LONG, PEER_INITIAL_MAX_STREAM_DATA_BIDI_LOCAL);
    }

    /** {@code peer_initial_max_stream_data_bidi_remote}. */
    public long peerInitialMaxStreamDataBidiRemote() {
        return segment.get(ValueLayout.JAVA_LONG, PEER_INITIAL_MAX_STREAM_DATA_BIDI_REMOTE);
    }

    /** {@code peer_initial_max_stream_data_uni}. */
    public long peerInitialMaxStreamDataUni() {
        return segment.get(ValueLayout.JAVA_LONG, PEER_INITIAL_MAX_STREAM_DATA_UNI);
    }

    /** {@code peer_initial_max_streams_bidi}. */
    public long peerInitialMaxStreamsBidi() {
        return segment.get(ValueLayout.JAVA_LONG, PEER_INITIAL_MAX_STREAMS_BIDI);
    }

    /** {@code peer_initial_max_streams_uni}. */
    public long peerInitialMaxStreamsUni() {
        return segment.get(ValueLayout.JAVA_LONG, PEER_INITIAL_MAX_STREAMS_UNI);
    }

    /** {@code peer_ack_delay_exponent}. */
    public long peerAckDelayExponent() {
        return segment.get(ValueLayout.JAVA_LONG, PEER_ACK_DELAY_EXPONENT);
    }

    /** {@code peer_max_ack_delay}. */
    public long peerMaxAckDelay() {
        return segment.get(ValueLayout.JAVA_LONG, PEER_MAX_ACK_DELAY);
    }

    /** {@code peer_disable_active_migration}. */
    public boolean peerDisableActiveMigration() {
        return segment.get(ValueLayout.JAVA_BOOLEAN, PEER_DISABLE_ACTIVE_MIGRATION);
    }

    /** {@code peer_active_conn_id_limit}. */
    public long peerActiveConnIdLimit() {
        return segment.get(ValueLayout.JAVA_LONG, PEER_ACTIVE_CONN_ID_LIMIT);
    }

    /** {@code peer_max_datagram_frame_size}. */
    public long peerMaxDatagramFrameSize() {
        return segment.get(ValueLayout.JAVA_LONG, PEER_MAX_DATAGRAM_FRAME_SIZE);
    }
}
