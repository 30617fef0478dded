package io.quicheengine.perf.netty;

import io.netty.buffer.ByteBuf;

/**
 * What the sink server saw on one stream, sent back to the client as {@link #WIRE_LENGTH} bytes
 * after the client's FIN, so a bulk run measures on the receiver's clock even when the server is
 * another process. The two nano times are {@link System#nanoTime()} of the server process and are
 * only comparable with each other. Immutable; any thread.
 *
 * @param bytes      bytes the server read on the stream
 * @param firstNanos when the first of them was read
 * @param lastNanos  when the last of them was read
 */
record SinkReport(long bytes, long firstNanos, long lastNanos) {
    static final int WIRE_LENGTH = 3 * Long.BYTES;

    void writeTo(ByteBuf out) {
        out.writeLong(bytes).writeLong(firstNanos).writeLong(lastNanos);
    }

    static SinkReport readFrom(ByteBuf in) {
        return new SinkReport(in.readLong(), in.readLong(), in.readLong());
    }
}
