package io.quicheengine.ffi;

import static io.quicheengine.ffi.CLayouts.offset;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * {@code quiche_recv_info}: where a received datagram came from and arrived at. A flyweight over
 * one native struct, meant to be filled once per datagram and reused; not thread-safe.
 */
public final class RecvInfo {

    /** {@code { sockaddr *from; socklen_t from_len; sockaddr *to; socklen_t to_len; }}, 32 bytes. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.ADDRESS.withName("from"),
            ValueLayout.JAVA_INT.withName("from_len"),
            MemoryLayout.paddingLayout(4),
            ValueLayout.ADDRESS.withName("to"),
            ValueLayout.JAVA_INT.withName("to_len"),
            MemoryLayout.paddingLayout(4));

    private static final long FROM = offset(LAYOUT, "from");
    private static final long FROM_LEN = offset(LAYOUT, "from_len");
    private static final long TO = offset(LAYOUT, "to");
    private static final long TO_LEN = offset(LAYOUT, "to_len");

    private final MemorySegment segment;

    /** A new struct in {@code arena}. */
    public RecvInfo(Arena arena) {
        this.segment = arena.allocate(LAYOUT);
    }

    /** The struct to pass to {@link QuicheConn#recv}. */
    public MemorySegment segment() {
        return segment;
    }

    /** Points {@code from} at a sockaddr of {@code length} bytes (16 or 28: quiche aborts on anything else). */
    public RecvInfo from(MemorySegment sockaddr, int length) {
        segment.set(ValueLayout.ADDRESS, FROM, sockaddr);
        segment.set(ValueLayout.JAVA_INT, FROM_LEN, length);
        return this;
    }

    /** Points {@code to} at a sockaddr of {@code length} bytes (16 or 28). */
    public RecvInfo to(MemorySegment sockaddr, int length) {
        segment.set(ValueLayout.ADDRESS, TO, sockaddr);
        segment.set(ValueLayout.JAVA_INT, TO_LEN, length);
        return this;
    }
}
