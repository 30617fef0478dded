package io.quicheengine;

import java.lang.foreign.MemorySegment;

/**
 * One pre-allocated slot of the command ring: what an application thread asks the loop to do,
 * with an off-heap payload for written bytes. Filled by one producer between claim and publish,
 * then read by the loop; the loop clears its references once done.
 */
final class Command {
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

    final MemorySegment payload;
    final long payloadAddress;
    int type;
    ConnectionState connection;
    StreamState stream;
    long code;
    int length;
    boolean fin;
    Object attachment;
    /** Control commands only: the ring sequence claimed last when it was submitted; it runs after that one. */
    long fence;

    Command(MemorySegment payload) {
        this.payload = payload;
        this.payloadAddress = payload.address();
    }

    void clear() {
        type = NOOP;
        connection = null;
        stream = null;
        attachment = null;
        length = 0;
        fin = false;
        code = 0;
        fence = 0;
    }
}
