package io.quicheengine;

import io.quicheengine.internal.buffers.CommandSlot;
import java.lang.foreign.MemorySegment;

/**
 * One pre-allocated slot of the command ring: what an application thread asks the loop to do,
 * with an off-heap payload for written bytes. Filled by one producer between claim and publish,
 * then read by the loop; the loop clears its references once done.
 */
final class Command extends CommandSlot {
    static final int NOOP = 0;
    /** Stream bytes in {@link #payload} (length {@link #length}), with {@link #fin}. */
    static final int WRITE = 1;
    /** RESET_STREAM with application error {@link #code}. */
    static final int RESET_STREAM = 2;
    /** STOP_SENDING with application error {@link #code}. */
    static final int STOP_SENDING = 3;
    /** The reader freed ring space or reached the end: pull more from quiche, or collect the stream. */
    static final int STREAM_READ_PROGRESS = 4;
    /** Start a client connection ({@link #connection}). */
    static final int CONNECT = 5;
    /** CONNECTION_CLOSE with {@link #code}, application-level when {@link #fin}, reason in {@link #attachment}. */
    static final int CLOSE_CONNECTION = 6;
    /** Run {@link #attachment} (a Runnable) on the loop: rare control work such as binding a server. */
    static final int RUN = 7;
    /** The application opened {@link #stream}: the loop starts tracking it. */
    static final int STREAM_OPENED = 9;
    /** Send a QUIC DATAGRAM of {@link #length} bytes from {@link #payload} on {@link #connection}. */
    static final int DATAGRAM = 8;

    ConnectionState connection;
    StreamState stream;

    Command(MemorySegment payload) {
        super(payload);
    }

    @Override
    public void clear() {
        super.clear();
        connection = null;
        stream = null;
    }
}
