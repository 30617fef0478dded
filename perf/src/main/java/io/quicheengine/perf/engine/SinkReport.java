package io.quicheengine.perf.engine;

import java.nio.ByteBuffer;

/**
 * What a sink server sends back on a bulk stream after the client's FIN: the bytes it read and
 * the {@link System#nanoTime()} of its first and last read, on the server's clock (so a remote
 * server works too). {@value #BYTES} bytes, big-endian. Immutable; any thread.
 */
record SinkReport(long bytes, long firstNanos, long lastNanos) {
    static final int BYTES = 3 * Long.BYTES;

    /** Writes the report into {@code target[0..BYTES)}. */
    void encode(byte[] target) {
        ByteBuffer.wrap(target).putLong(bytes).putLong(firstNanos).putLong(lastNanos);
    }

    static SinkReport decode(byte[] source) {
        if (source.length < BYTES) {
            throw new IllegalArgumentException("a sink report has " + BYTES + " bytes, got " + source.length);
        }
        ByteBuffer in = ByteBuffer.wrap(source);
        return new SinkReport(in.getLong(), in.getLong(), in.getLong());
    }
}
