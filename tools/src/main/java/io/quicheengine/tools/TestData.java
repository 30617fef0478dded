package io.quicheengine.tools;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The bytes the tools send, and the check of what comes back. Stream byte {@code i} is
 * {@code TABLE[(salt + i) % PERIOD]}: a pseudo-random table with a prime period, so a byte that
 * arrives at the wrong offset (a lost, duplicated or reordered chunk) almost surely mismatches,
 * while sending and checking are plain array slices with no per-byte work. Each stream has its
 * own salt, so crossed streams are caught too.
 *
 * <p>Immutable after class initialisation; any thread.
 */
final class TestData {
    /** A prime, so no power-of-two chunk or slot size lines up with it. */
    static final int PERIOD = 65_521;
    /** The longest slice {@link #offsetOf} can hand out in one piece. */
    static final int MAX_SLICE = 64 * 1024;

    private static final byte[] TABLE = new byte[PERIOD + MAX_SLICE];

    static {
        SplittableRandom random = new SplittableRandom(0x5EED_0F_DA7AL);
        for (int i = 0; i < PERIOD; i++) {
            TABLE[i] = (byte) random.nextInt(256);
        }
        // Byte by byte: MAX_SLICE is longer than PERIOD, so one arraycopy from the start would
        // copy the table's not yet filled tail (zeros) into its last bytes.
        for (int i = PERIOD; i < TABLE.length; i++) {
            TABLE[i] = TABLE[i - PERIOD];
        }
    }

    private TestData() {
    }

    /** The table: stream bytes {@code [position, position + n)} are {@code table()[offsetOf(salt, position) ...]} for n up to {@link #MAX_SLICE}. */
    static byte[] table() {
        return TABLE;
    }

    /** A distinct salt for each stream of a run. */
    static long salt(int streamIndex) {
        return streamIndex * 7_919L;
    }

    static int offsetOf(long salt, long position) {
        return (int) ((salt + position) % PERIOD);
    }

    /**
     * Checks received bytes against what was sent at {@code position}.
     *
     * @return -1 when all match, else the index in {@code received} of the first wrong byte
     */
    static int mismatch(byte[] received, int offset, int length, long salt, long position) {
        int done = 0;
        while (done < length) {
            int n = Math.min(MAX_SLICE, length - done);
            int start = offsetOf(salt, position + done);
            int at = Arrays.mismatch(received, offset + done, offset + done + n, TABLE, start, start + n);
            if (at >= 0) {
                return done + at;
            }
            done += n;
        }
        return -1;
    }
}
