package io.quicheengine.ffi;

import static io.quicheengine.ffi.CLayouts.offset;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * {@code quiche_path_stats}: one network path's counters, RTT (nanoseconds) and congestion window (bytes).
 * A flyweight over one native struct: fill it with {@link QuicheConn#pathStats}, then read the fields. Reusable;
 * not thread-safe. The layout is the loaded library's ({@link QuicheVersion#loaded()}); the accessors read the
 * fields both versions have.
 */
public final class PathStats {

    /** The C struct of quiche 0.24.5, 400 bytes on 64-bit platforms. */
    public static final StructLayout LAYOUT_0_24_5 = MemoryLayout.structLayout(
            CLayouts.SOCKADDR_STORAGE.withName("local_addr"),
            ValueLayout.JAVA_INT.withName("local_addr_len"),
            MemoryLayout.paddingLayout(4),
            CLayouts.SOCKADDR_STORAGE.withName("peer_addr"),
            ValueLayout.JAVA_INT.withName("peer_addr_len"),
            MemoryLayout.paddingLayout(4),
            ValueLayout.JAVA_LONG.withName("validation_state"),
            ValueLayout.JAVA_BOOLEAN.withName("active"),
            MemoryLayout.paddingLayout(7),
            ValueLayout.JAVA_LONG.withName("recv"),
            ValueLayout.JAVA_LONG.withName("sent"),
            ValueLayout.JAVA_LONG.withName("lost"),
            ValueLayout.JAVA_LONG.withName("retrans"),
            ValueLayout.JAVA_LONG.withName("rtt"),
            ValueLayout.JAVA_LONG.withName("min_rtt"),
            ValueLayout.JAVA_LONG.withName("rttvar"),
            ValueLayout.JAVA_LONG.withName("cwnd"),
            ValueLayout.JAVA_LONG.withName("sent_bytes"),
            ValueLayout.JAVA_LONG.withName("recv_bytes"),
            ValueLayout.JAVA_LONG.withName("lost_bytes"),
            ValueLayout.JAVA_LONG.withName("stream_retrans_bytes"),
            ValueLayout.JAVA_LONG.withName("pmtu"),
            ValueLayout.JAVA_LONG.withName("delivery_rate"));

    /** The C struct of quiche 0.29.3, 448 bytes on 64-bit platforms: new counters in between and at the end. */
    public static final StructLayout LAYOUT_0_29_3 = MemoryLayout.structLayout(
            CLayouts.SOCKADDR_STORAGE.withName("local_addr"),
            ValueLayout.JAVA_INT.withName("local_addr_len"),
            MemoryLayout.paddingLayout(4),
            CLayouts.SOCKADDR_STORAGE.withName("peer_addr"),
            ValueLayout.JAVA_INT.withName("peer_addr_len"),
            MemoryLayout.paddingLayout(4),
            ValueLayout.JAVA_LONG.withName("validation_state"),
            ValueLayout.JAVA_BOOLEAN.withName("active"),
            MemoryLayout.paddingLayout(7),
            ValueLayout.JAVA_LONG.withName("recv"),
            ValueLayout.JAVA_LONG.withName("sent"),
            ValueLayout.JAVA_LONG.withName("lost"),
            ValueLayout.JAVA_LONG.withName("retrans"),
            ValueLayout.JAVA_LONG.withName("total_pto_count"),
            ValueLayout.JAVA_LONG.withName("dgram_recv"),
            ValueLayout.JAVA_LONG.withName("dgram_sent"),
            ValueLayout.JAVA_LONG.withName("rtt"),
            ValueLayout.JAVA_LONG.withName("min_rtt"),
            ValueLayout.JAVA_LONG.withName("max_rtt"),
            ValueLayout.JAVA_LONG.withName("rttvar"),
            ValueLayout.JAVA_LONG.withName("cwnd"),
            ValueLayout.JAVA_LONG.withName("sent_bytes"),
            ValueLayout.JAVA_LONG.withName("recv_bytes"),
            ValueLayout.JAVA_LONG.withName("lost_bytes"),
            ValueLayout.JAVA_LONG.withName("stream_retrans_bytes"),
            ValueLayout.JAVA_LONG.withName("pmtu"),
            ValueLayout.JAVA_LONG.withName("delivery_rate"),
            ValueLayout.JAVA_LONG.withName("max_bandwidth"),
            ValueLayout.JAVA_LONG.withName("startup_exit_cwnd"));

    /** The layout of {@code version}'s {@code quiche_path_stats}. */
    public static StructLayout layout(QuicheVersion version) {
        return switch (version) {
            case V0_24_5 -> LAYOUT_0_24_5;
            case V0_29_3 -> LAYOUT_0_29_3;
        };
    }

    /** The loaded library's layout. */
    public static final StructLayout LAYOUT = layout(QuicheVersion.loaded());

    private static final long LOCAL_ADDR = offset(LAYOUT, "local_addr");
    private static final long LOCAL_ADDR_LEN = offset(LAYOUT, "local_addr_len");
    private static final long PEER_ADDR = offset(LAYOUT, "peer_addr");
    private static final long PEER_ADDR_LEN = offset(LAYOUT, "peer_addr_len");
    private static final long VALIDATION_STATE = offset(LAYOUT, "validation_state");
    private static final long ACTIVE = offset(LAYOUT, "active");
    private static final long RECV = offset(LAYOUT, "recv");
    private static final long SENT = offset(LAYOUT, "sent");
    private static final long LOST = offset(LAYOUT, "lost");
    private static final long RETRANS = offset(LAYOUT, "retrans");
    private static final long RTT = offset(LAYOUT, "rtt");
    private static final long MIN_RTT = offset(LAYOUT, "min_rtt");
    private static final long RTTVAR = offset(LAYOUT, "rttvar");
    private static final long CWND = offset(LAYOUT, "cwnd");
    private static final long SENT_BYTES = offset(LAYOUT, "sent_bytes");
    private static final long RECV_BYTES = offset(LAYOUT, "recv_bytes");
    private static final long LOST_BYTES = offset(LAYOUT, "lost_bytes");
    private static final long STREAM_RETRANS_BYTES = offset(LAYOUT, "stream_retrans_bytes");
    private static final long PMTU = offset(LAYOUT, "pmtu");
    private static final long DELIVERY_RATE = offset(LAYOUT, "delivery_rate");

    private final MemorySegment segment;

    /** A new struct in {@code arena}. */
    public PathStats(Arena arena) {
        this.segment = arena.allocate(LAYOUT);
    }

    /** The struct to pass to {@link QuicheConn#pathStats}. */
    public MemorySegment segment() {
        return segment;
    }

    /** {@code local_addr}: a sockaddr, see {@link SockAddr}. */
    public MemorySegment localAddr() {
        return segment.asSlice(LOCAL_ADDR, CLayouts.SOCKADDR_STORAGE.byteSize());
    }

    /** {@code local_addr_len}. */
    public int localAddrLen() {
        return segment.get(ValueLayout.JAVA_INT, LOCAL_ADDR_LEN);
    }

    /** {@code peer_addr}: a sockaddr, see {@link SockAddr}. */
    public MemorySegment peerAddr() {
        return segment.asSlice(PEER_ADDR, CLayouts.SOCKADDR_STORAGE.byteSize());
    }

    /** {@code peer_addr_len}. */
    public int peerAddrLen() {
        return segment.get(ValueLayout.JAVA_INT, PEER_ADDR_LEN);
    }

    /** {@code validation_state}. */
    public long validationState() {
        return segment.get(ValueLayout.JAVA_LONG, VALIDATION_STATE);
    }

    /** {@code active}. */
    public boolean active() {
        return segment.get(ValueLayout.JAVA_BOOLEAN, ACTIVE);
    }

    /** {@code recv}. */
    public long recv() {
        return segment.get(ValueLayout.JAVA_LONG, RECV);
    }

    /** {@code sent}. */
    public long sent() {
        return segment.get(ValueLayout.JAVA_LONG, SENT);
    }

    /** {@code lost}. */
    public long lost() {
        return segment.get(ValueLayout.JAVA_LONG, LOST);
    }

    /** {@code retrans}. */
    public long retrans() {
        return segment.get(ValueLayout.JAVA_LONG, RETRANS);
    }

    /** {@code rtt}. */
    public long rtt() {
        return segment.get(ValueLayout.JAVA_LONG, RTT);
    }

    /** {@code min_rtt}. */
    public long minRtt() {
        return segment.get(ValueLayout.JAVA_LONG, MIN_RTT);
    }

    /** {@code rttvar}. */
    public long rttvar() {
        return segment.get(ValueLayout.JAVA_LONG, RTTVAR);
    }

    /** {@code cwnd}. */
    public long cwnd() {
        return segment.get(ValueLayout.JAVA_LONG, CWND);
    }

    /** {@code sent_bytes}. */
    public long sentBytes() {
        return segment.get(ValueLayout.JAVA_LONG, SENT_BYTES);
    }

    /** {@code recv_bytes}. */
    public long recvBytes() {
        return segment.get(ValueLayout.JAVA_LONG, RECV_BYTES);
    }

    /** {@code lost_bytes}. */
    public long lostBytes() {
        return segment.get(ValueLayout.JAVA_LONG, LOST_BYTES);
    }

    /** {@code stream_retrans_bytes}. */
    public long streamRetransBytes() {
        return segment.get(ValueLayout.JAVA_LONG, STREAM_RETRANS_BYTES);
    }

    /** {@code pmtu}. */
    public long pmtu() {
        return segment.get(ValueLayout.JAVA_LONG, PMTU);
    }

    /** {@code delivery_rate}. */
    public long deliveryRate() {
        return segment.get(ValueLayout.JAVA_LONG, DELIVERY_RATE);
    }
}
