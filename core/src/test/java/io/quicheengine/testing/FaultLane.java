package io.quicheengine.testing;

import static io.quicheengine.testing.RelayCounters.incrementRelease;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * One direction of a relay: its current profile, its run-time blackhole switches, its random streams
 * and its counters, and the decision of what happens to each datagram. {@link #decide} is called by
 * the relay thread only; the setters by any thread (volatile fields, read once per datagram).
 *
 * <p>Each fault draws from its own random stream, so a fault's decisions depend only on the seed and
 * on the datagrams that reach it: turning corruption on does not change which datagrams are dropped.
 */
final class FaultLane {
    /** Verdict: nothing leaves (already counted). */
    static final int DROP = 0;
    /** Verdict bit: send the datagram once. */
    static final int SEND = 1;
    /** Verdict bit: send one extra copy after it. */
    static final int DUPLICATE = 2;
    /** Verdict bit: hold it back for {@link #holdNanos()} first. */
    static final int HOLD = 4;
    /** Verdict bit: the hold includes a random reorder delay (not only the fixed delay). */
    static final int REORDER = 8;

    final RelayCounters counters = new RelayCounters();

    private volatile FaultProfile profile;
    private volatile boolean blackholeSwitch;
    /** Written by any thread; compared with the relay thread's clock, wrap-safe. */
    private volatile long blackholeUntilNanos;

    private final SplittableRandom dropRandom;
    private final SplittableRandom corruptRandom;
    private final SplittableRandom duplicateRandom;
    private final SplittableRandom reorderRandom;
    private final int[] flippedBits = new int[FaultProfile.MAX_CORRUPT_BITS];
    private long holdNanos;

    FaultLane(FaultProfile profile, SplittableRandom seeded) {
        this.profile = profile;
        this.blackholeUntilNanos = System.nanoTime();
        this.dropRandom = seeded.split();
        this.corruptRandom = seeded.split();
        this.duplicateRandom = seeded.split();
        this.reorderRandom = seeded.split();
    }

    FaultProfile profile() {
        return profile;
    }

    void profile(FaultProfile profile) {
        this.profile = profile;
    }

    void blackholeSwitch(boolean on) {
        this.blackholeSwitch = on;
    }

    /** Blackholes until {@code untilNanos}, unless a window already reaches further. */
    void blackholeUntil(long untilNanos) {
        synchronized (this) { // two callers at once must not shorten each other's window
            if (untilNanos - blackholeUntilNanos > 0) {
                blackholeUntilNanos = untilNanos;
            }
        }
    }

    boolean blackholed(FaultProfile current, long nowNanos) {
        return current.blackhole() || blackholeSwitch || nowNanos - blackholeUntilNanos < 0;
    }

    /** The delay chosen by the last verdict with {@link #HOLD}. */
    long holdNanos() {
        return holdNanos;
    }

    /**
     * Decides the fate of the datagram between {@code datagram}'s position and limit, corrupting it in
     * place if so decided, and counts received/blackholed/clamped/dropped/corrupted. Returns
     * {@link #DROP} or {@link #SEND} plus optional {@link #DUPLICATE} and {@link #HOLD}; the caller
     * counts what it then sends or holds.
     */
    int decide(ByteBuffer datagram, long nowNanos) {
        incrementRelease(counters.received);
        FaultProfile p = profile;
        if (blackholed(p, nowNanos)) {
            incrementRelease(counters.blackholed);
            return DROP;
        }
        int length = datagram.remaining();
        if (length > p.maxDatagramSize()) {
            incrementRelease(counters.clamped);
            return DROP;
        }
        if (p.drop() > 0 && dropRandom.nextDouble() < p.drop()) {
            incrementRelease(counters.dropped);
            return DROP;
        }
        if (p.corrupt() > 0 && corruptRandom.nextDouble() < p.corrupt() && length > 0) {
            flipBits(datagram, length, p.corruptMaxBits());
            incrementRelease(counters.corrupted);
        }
        int verdict = SEND;
        if (p.duplicate() > 0 && duplicateRandom.nextDouble() < p.duplicate()) {
            verdict |= DUPLICATE;
        }
        long hold = p.delay().toNanos();
        if (hold > 0) {
            verdict |= HOLD;
        }
        if (p.reorder() > 0 && reorderRandom.nextDouble() < p.reorder()) {
            hold += reorderRandom.nextLong(p.reorderMaxDelay().toNanos() + 1);
            verdict |= HOLD | REORDER;
        }
        holdNanos = hold;
        return verdict;
    }

    /** Flips 1..maxBits distinct bits; distinct so two flips never cancel into an unchanged datagram. */
    private void flipBits(ByteBuffer datagram, int length, int maxBits) {
        long totalBits = (long) length * 8;
        int count = (int) Math.min(1 + corruptRandom.nextInt(maxBits), totalBits);
        int start = datagram.position();
        for (int i = 0; i < count; i++) {
            int bit = pickUnflipped(i, totalBits);
            flippedBits[i] = bit;
            int index = start + (bit >>> 3);
            datagram.put(index, (byte) (datagram.get(index) ^ (1 << (bit & 7))));
        }
    }

    private int pickUnflipped(int alreadyFlipped, long totalBits) {
        while (true) {
            int bit = (int) corruptRandom.nextLong(totalBits);
            boolean fresh = true;
            for (int j = 0; j < alreadyFlipped; j++) {
                if (flippedBits[j] == bit) {
                    fresh = false;
                    break;
                }
            }
            if (fresh) {
                return bit;
            }
        }
    }
}
