package io.quicheengine.perf.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * The bytes a verifying client sends: the byte at stream offset {@code p} is {@code p % 251}
 * (a prime, so it never lines up with chunk or packet sizes). One direct buffer holds a full
 * period plus {@link #MAX_SLICE} bytes, so the bytes for any offset are a slice of it: sending
 * and checking need no copy and no per-call allocation beyond Netty's recycled slices.
 * Owned by one event loop; {@link #release()} once, after the run.
 */
final class StreamPattern {
    static final int PERIOD = 251;
    /** The longest slice {@link #slice} and {@link #matches} handle at once. */
    static final int MAX_SLICE = 64 * 1024;

    private final ByteBuf bytes;

    StreamPattern() {
        bytes = PooledByteBufAllocator.DEFAULT.directBuffer(PERIOD + MAX_SLICE);
        for (int i = 0; i < PERIOD + MAX_SLICE; i++) {
            bytes.writeByte(i % PERIOD);
        }
    }

    /** A retained slice of {@code length} bytes holding the pattern from {@code streamOffset}. */
    ByteBuf slice(long streamOffset, int length) {
        checkLength(length);
        return bytes.retainedSlice((int) (streamOffset % PERIOD), length);
    }

    /** True when {@code in}'s readable bytes are the pattern from {@code streamOffset}; reads nothing. */
    boolean matches(ByteBuf in, long streamOffset) {
        int done = 0;
        int total = in.readableBytes();
        while (done < total) {
            int n = Math.min(MAX_SLICE, total - done);
            int from = (int) ((streamOffset + done) % PERIOD);
            if (!ByteBufUtil.equals(in, in.readerIndex() + done, bytes, from, n)) {
                return false;
            }
            done += n;
        }
        return true;
    }

    void release() {
        bytes.release();
    }

    private static void checkLength(int length) {
        if (length < 0 || length > MAX_SLICE) {
            throw new IllegalArgumentException("length must be 0.." + MAX_SLICE + ", got " + length);
        }
    }
}
