package io.quicheengine.tools;

import java.time.Duration;

/**
 * What one client run does: on {@code streams} streams, move {@code bytes} in total (split evenly)
 * or keep going for {@code duration}, at {@code rate} bytes per second in total (0: as fast as the
 * network allows), writing {@code chunk} bytes at a time. Immutable; any thread.
 *
 * @param bytes    total bytes, or -1 when the run is timed by {@code duration}
 * @param duration how long to send (or receive), or null when {@code bytes} is given
 * @param stall    a stream that makes no progress for this long fails
 */
record TransferPlan(ClientMode mode, int streams, long bytes, Duration duration, long rate, int chunk, Duration stall) {

    TransferPlan {
        if (streams < 1) {
            throw new IllegalArgumentException("streams must be at least 1, was " + streams);
        }
        if ((bytes < 0) == (duration == null)) {
            throw new IllegalArgumentException("give either bytes or a duration");
        }
        if (chunk < 1 || chunk > TestData.MAX_SLICE) {
            throw new IllegalArgumentException("chunk must be 1.." + TestData.MAX_SLICE + ", was " + chunk);
        }
    }

    boolean timed() {
        return duration != null;
    }

    /** Stream {@code index}'s share of the bytes; the first streams take the remainder. */
    long bytesOf(int index) {
        return bytes / streams + (index < bytes % streams ? 1 : 0);
    }

    /** Stream {@code index}'s share of the rate, in bytes per second (0: unlimited). */
    double rateOf(int index) {
        return rate / (double) streams;
    }
}
