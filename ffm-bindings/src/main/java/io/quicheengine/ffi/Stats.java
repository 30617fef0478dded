package io.quicheengine.ffi;

import static io.quicheengine.ffi.CLayouts.offset;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * {@code quiche_stats}: connection-wide counters.
 * A flyweight over one native struct: fill it with {@link QuicheConn#stats}, then read the fields. Reusable;
 * not thread-safe. The layout is the loaded library's ({@link QuicheVersion#loaded()}); the accessors read the
 * fields both versions have.
 */
public final class Stats {

    /** The C struct of quiche 0.24.5, 112 bytes on 64-bit platforms. */
    public static final StructLayout LAYOUT_0_24_5 = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("recv"),
            ValueLayout.JAVA_LONG.withName("sent"),
            ValueLayout.JAVA_LONG.withName("lost"),
            ValueLayout.JAVA_LONG.withName("retrans"),
            ValueLayout.JAVA_LONG.withName("sent_bytes"),
            ValueLayout.JAVA_LONG.withName("recv_bytes"),
            ValueLayout.JAVA_LONG.withName("acked_bytes"),
            ValueLayout.JAVA_LONG.withName("lost_bytes"),
            ValueLayout.JAVA_LONG.withName("stream_retrans_bytes"),
            ValueLayout.JAVA_LONG.withName("paths_count"),
            ValueLayout.JAVA_LONG.withName("reset_stream_count_local"),
            ValueLayout.JAVA_LONG.withName("stopped_stream_count_local"),
            ValueLayout.JAVA_LONG.withName("reset_stream_count_remote"),
            ValueLayout.JAVA_LONG.withName("stopped_stream_count_remote"));

    /** The C struct of quiche 0.29.3, 208 bytes on 64-bit platforms: new counters in between and at the end. */
    public static final StructLayout LAYOUT_0_29_3 = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("recv"),
            ValueLayout.JAVA_LONG.withName("sent"),
            ValueLayout.JAVA_LONG.withName("lost"),
            ValueLayout.JAVA_LONG.withName("spurious_lost"),
            ValueLayout.JAVA_LONG.withName("retrans"),
            ValueLayout.JAVA_LONG.withName("sent_bytes"),
            ValueLayout.JAVA_LONG.withName("recv_bytes"),
            ValueLayout.JAVA_LONG.withName("acked_bytes"),
            ValueLayout.JAVA_LONG.withName("lost_bytes"),
            ValueLayout.JAVA_LONG.withName("stream_retrans_bytes"),
            ValueLayout.JAVA_LONG.withName("dgram_recv"),
            ValueLayout.JAVA_LONG.withName("dgram_sent"),
            ValueLayout.JAVA_LONG.withName("paths_count"),
            ValueLayout.JAVA_LONG.withName("reset_stream_count_local"),
            ValueLayout.JAVA_LONG.withName("stopped_stream_count_local"),
            ValueLayout.JAVA_LONG.withName("reset_stream_count_remote"),
            ValueLayout.JAVA_LONG.withName("stopped_stream_count_remote"),
            ValueLayout.JAVA_LONG.withName("data_blocked_sent_count"),
            ValueLayout.JAVA_LONG.withName("stream_data_blocked_sent_count"),
            ValueLayout.JAVA_LONG.withName("data_blocked_recv_count"),
            ValueLayout.JAVA_LONG.withName("stream_data_blocked_recv_count"),
            ValueLayout.JAVA_LONG.withName("streams_blocked_bidi_recv_count"),
            ValueLayout.JAVA_LONG.withName("streams_blocked_uni_recv_count"),
            ValueLayout.JAVA_LONG.withName("path_challenge_rx_count"),
            ValueLayout.JAVA_LONG.withName("bytes_in_flight_duration_msec"),
            ValueLayout.JAVA_BOOLEAN.withName("tx_buffered_inconsistent"),
            MemoryLayout.paddingLayout(7));

    /** The layout of {@code version}'s {@code quiche_stats}. */
    public static StructLayout layout(QuicheVersion version) {
        return switch (version) {
            case V0_24_5 -> LAYOUT_0_24_5;
            case V0_29_3 -> LAYOUT_0_29_3;
        };
    }

    /** The loaded library's layout. */
    public static final StructLayout LAYOUT = layout(QuicheVersion.loaded());

    private static final long RECV = offset(LAYOUT, "recv");
    private static final long SENT = offset(LAYOUT, "sent");
    private static final long LOST = offset(LAYOUT, "lost");
    private static final long RETRANS = offset(LAYOUT, "retrans");
    private static final long SENT_BYTES = offset(LAYOUT, "sent_bytes");
    private static final long RECV_BYTES = offset(LAYOUT, "recv_bytes");
    private static final long ACKED_BYTES = offset(LAYOUT, "acked_bytes");
    private static final long LOST_BYTES = offset(LAYOUT, "lost_bytes");
    private static final long STREAM_RETRANS_BYTES = offset(LAYOUT, "stream_retrans_bytes");
    private static final long PATHS_COUNT = offset(LAYOUT, "paths_count");
    private static final long RESET_STREAM_COUNT_LOCAL = offset(LAYOUT, "reset_stream_count_local");
    private static final long STOPPED_STREAM_COUNT_LOCAL = offset(LAYOUT, "stopped_stream_count_local");
    private static final long RESET_STREAM_COUNT_REMOTE = offset(LAYOUT, "reset_stream_count_remote");
    private static final long STOPPED_STREAM_COUNT_REMOTE = offset(LAYOUT, "stopped_stream_count_remote");

    private final MemorySegment segment;

    /** A new struct in {@code arena}. */
    public Stats(Arena arena) {
        this.segment = arena.allocate(LAYOUT);
    }

    /** The struct to pass to {@link QuicheConn#stats}. */
    public MemorySegment segment() {
        return segment;
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

    /** {@code sent_bytes}. */
    public long sentBytes() {
        return segment.get(ValueLayout.JAVA_LONG, SENT_BYTES);
    }

    /** {@code recv_bytes}. */
    public long recvBytes() {
        return segment.get(ValueLayout.JAVA_LONG, RECV_BYTES);
    }

    /** {@code acked_bytes}. */
    public long ackedBytes() {
        return segment.get(ValueLayout.JAVA_LONG, ACKED_BYTES);
    }

    /** {@code lost_bytes}. */
    public long lostBytes() {
        return segment.get(ValueLayout.JAVA_LONG, LOST_BYTES);
    }

    /** {@code stream_retrans_bytes}. */
    public long streamRetransBytes() {
        return segment.get(ValueLayout.JAVA_LONG, STREAM_RETRANS_BYTES);
    }

    /** {@code paths_count}. */
    public long pathsCount() {
        return segment.get(ValueLayout.JAVA_LONG, PATHS_COUNT);
    }

    /** {@code reset_stream_count_local}. */
    public long resetStreamCountLocal() {
        return segment.get(ValueLayout.JAVA_LONG, RESET_STREAM_COUNT_LOCAL);
    }

    /** {@code stopped_stream_count_local}. */
    public long stoppedStreamCountLocal() {
        return segment.get(ValueLayout.JAVA_LONG, STOPPED_STREAM_COUNT_LOCAL);
    }

    /** {@code reset_stream_count_remote}. */
    public long resetStreamCountRemote() {
        return segment.get(ValueLayout.JAVA_LONG, RESET_STREAM_COUNT_REMOTE);
    }

    /** {@code stopped_stream_count_remote}. */
    public long stoppedStreamCountRemote() {
        return segment.get(ValueLayout.JAVA_LONG, STOPPED_STREAM_COUNT_REMOTE);
    }
}
