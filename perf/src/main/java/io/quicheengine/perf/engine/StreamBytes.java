package io.quicheengine.perf.engine;

/**
 * The bytes every verifying sender writes: the byte at stream offset {@code p} is {@code p % 251}
 * (a prime, so it never lines up with chunk, slot or packet sizes and a byte at a wrong offset
 * shows). A sender keeps one {@link #source} array and sends the bytes for offset {@code p} from
 * index {@code p % 251}: no copy, no allocation per write. Stateless; any thread.
 */
final class StreamBytes {
    static final int PERIOD = 251;

    private StreamBytes() {
    }

    /** The byte at stream offset {@code offset}. */
    static byte at(long offset) {
        return (byte) (offset % PERIOD);
    }

    /** An array from which any {@code maxLength} bytes of the pattern can be sent: index {@code offset % PERIOD}. */
    static byte[] source(int maxLength) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be at least 1, was " + maxLength);
        }
        byte[] bytes = new byte[maxLength + PERIOD];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = at(i);
        }
        return bytes;
    }

    /** Where in a {@link #source} array the bytes for stream offset {@code offset} start. */
    static int sourceIndex(long offset) {
        return (int) (offset % PERIOD);
    }
}
