package io.quicheengine.ffi;

import static io.quicheengine.ffi.CLayouts.offset;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * {@code quiche_send_info}: where {@link QuicheConn#send} wants a datagram sent, and when
 * (pacing). A flyweight over one native struct, reused for every send; not thread-safe.
 */
public final class SendInfo {

    /** {@code { sockaddr_storage from; socklen_t from_len; sockaddr_storage to; socklen_t to_len; timespec at; }}, 288 bytes. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            CLayouts.SOCKADDR_STORAGE.withName("from"),
            ValueLayout.JAVA_INT.withName("from_len"),
            MemoryLayout.paddingLayout(4),
            CLayouts.SOCKADDR_STORAGE.withName("to"),
            ValueLayout.JAVA_INT.withName("to_len"),
            MemoryLayout.paddingLayout(4),
            CLayouts.TIMESPEC.withName("at"));

    private static final long FROM = offset(LAYOUT, "from");
    private static final long FROM_LEN = offset(LAYOUT, "from_len");
    private static final long TO = offset(LAYOUT, "to");
    private static final long TO_LEN = offset(LAYOUT, "to_len");
    private static final long AT = offset(LAYOUT, "at");

    private final MemorySegment segment;
    private final MemorySegment from;
    private final MemorySegment to;

    /** A new struct in {@code arena}. */
    public SendInfo(Arena arena) {
        this.segment = arena.allocate(LAYOUT);
        this.from = segment.asSlice(FROM, CLayouts.SOCKADDR_STORAGE.byteSize());
        this.to = segment.asSlice(TO, CLayouts.SOCKADDR_STORAGE.byteSize());
    }

    /** The struct to pass to {@link QuicheConn#send}. */
    public MemorySegment segment() {
        return segment;
    }

    /** The local address quiche sent from (a sockaddr of {@link #fromLength()} bytes). */
    public MemorySegment from() {
        return from;
    }

    public int fromLength() {
        return segment.get(ValueLayout.JAVA_INT, FROM_LEN);
    }

    /** The destination (a sockaddr of {@link #toLength()} bytes, network byte order). */
    public MemorySegment to() {
        return to;
    }

    public int toLength() {
        return segment.get(ValueLayout.JAVA_INT, TO_LEN);
    }

    /** Pacing: when to send, seconds part, on CLOCK_MONOTONIC (Linux; zero elsewhere). */
    public long atSeconds() {
        return segment.get(ValueLayout.JAVA_LONG, AT);
    }

    /** Pacing: when to send, nanoseconds part. */
    public long atNanos() {
        return segment.get(ValueLayout.JAVA_LONG, AT + 8);
    }
}
