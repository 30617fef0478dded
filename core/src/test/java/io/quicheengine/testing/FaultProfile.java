package io.quicheengine.testing;

import java.time.Duration;
import java.util.Objects;

/**
 * The faults a {@link FaultInjectingRelay} applies to one direction of traffic. Immutable; any thread.
 *
 * <p>Each datagram meets the faults in this order, and the first one that removes it wins:
 * <ol>
 *   <li>{@code blackhole}: while on, every datagram is dropped (counted as blackholed);</li>
 *   <li>{@code maxDatagramSize}: a datagram longer than this is dropped (counted as clamped). This is
 *       what a smaller path MTU does to UDP: nothing fragments or truncates, the datagram just never
 *       arrives, so a QUIC stack probing a larger PMTU sees loss of exactly its large packets;</li>
 *   <li>{@code drop}: dropped with this probability;</li>
 *   <li>{@code corrupt}: with this probability, 1 to {@code corruptMaxBits} distinct random bits of the
 *       datagram are flipped; its length never changes;</li>
 *   <li>{@code duplicate}: with this probability one extra copy is sent right after the original;</li>
 *   <li>{@code reorder}: with this probability the datagram (and its copy) is held back for a random
 *       delay in {@code [0, reorderMaxDelay]}, so datagrams arriving after it overtake it;</li>
 *   <li>{@code delay}: every datagram that passes is held back this long (on top of a reorder delay),
 *       like a path's one-way latency; alone it keeps the order.</li>
 * </ol>
 *
 * <pre>{@code
 * FaultProfile lossy = FaultProfile.builder()
 *         .drop(0.05)
 *         .reorder(0.05, Duration.ofMillis(20))
 *         .duplicate(0.02)
 *         .build();
 * }</pre>
 *
 * @param drop probability in [0, 1] that a datagram is dropped
 * @param duplicate probability in [0, 1] that a datagram is sent twice
 * @param reorder probability in [0, 1] that a datagram is held back
 * @param reorderMaxDelay the longest hold-back, {@code >= 0}; honoured to about a millisecond
 * @param corrupt probability in [0, 1] that bits of a datagram are flipped
 * @param corruptMaxBits how many bits at most one corruption flips, in [1, {@value #MAX_CORRUPT_BITS}]
 * @param maxDatagramSize the largest datagram that passes, {@code >= 1}
 * @param blackhole whether every datagram is dropped
 * @param delay the fixed one-way delay added to every datagram, {@code >= 0}; honoured to about a millisecond
 */
public record FaultProfile(
        double drop,
        double duplicate,
        double reorder,
        Duration reorderMaxDelay,
        double corrupt,
        int corruptMaxBits,
        int maxDatagramSize,
        boolean blackhole,
        Duration delay) {

    /** The most bits one corruption may flip. */
    public static final int MAX_CORRUPT_BITS = 64;

    /** No faults at all: every datagram is forwarded once, unchanged, at once. */
    public static final FaultProfile CLEAN = builder().build();

    /** Validates every value; the message names the argument and the value. */
    public FaultProfile {
        checkProbability("drop", drop);
        checkProbability("duplicate", duplicate);
        checkProbability("reorder", reorder);
        checkDelay("reorderMaxDelay", reorderMaxDelay);
        checkProbability("corrupt", corrupt);
        checkCorruptBits(corruptMaxBits);
        checkMaxDatagramSize(maxDatagramSize);
        checkDelay("delay", delay);
    }

    /** A builder with every fault off. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this profile, to change one fault at run time. */
    public Builder toBuilder() {
        return new Builder()
                .drop(drop)
                .duplicate(duplicate)
                .reorder(reorder, reorderMaxDelay)
                .corrupt(corrupt, corruptMaxBits)
                .maxDatagramSize(maxDatagramSize)
                .blackhole(blackhole)
                .delay(delay);
    }

    /** Whether this profile changes nothing. */
    public boolean isClean() {
        return equals(CLEAN);
    }

    @Override
    public String toString() {
        if (isClean()) {
            return "clean";
        }
        StringBuilder sb = new StringBuilder("{");
        if (blackhole) {
            sb.append("blackhole ");
        }
        if (maxDatagramSize != Integer.MAX_VALUE) {
            sb.append("maxDatagramSize=").append(maxDatagramSize).append(' ');
        }
        if (drop > 0) {
            sb.append("drop=").append(drop).append(' ');
        }
        if (corrupt > 0) {
            sb.append("corrupt=").append(corrupt).append(" (1..").append(corruptMaxBits).append(" bits) ");
        }
        if (duplicate > 0) {
            sb.append("duplicate=").append(duplicate).append(' ');
        }
        if (reorder > 0) {
            sb.append("reorder=").append(reorder).append(" (<= ").append(reorderMaxDelay.toMillis()).append(" ms) ");
        }
        if (!delay.isZero()) {
            sb.append("delay=").append(delay.toMillis()).append(" ms ");
        }
        sb.setLength(sb.length() - 1);
        return sb.append('}').toString();
    }

    private static void checkProbability(String name, double value) {
        if (!(value >= 0.0 && value <= 1.0)) { // also rejects NaN
            throw new IllegalArgumentException(name + " must be a probability in [0, 1], was " + value);
        }
    }

    private static void checkDelay(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + value);
        }
        // The relay works in nanoseconds; reject what does not fit rather than overflow later.
        if (value.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException(name + " must be <= 1 day, was " + value);
        }
    }

    private static void checkCorruptBits(int value) {
        if (value < 1 || value > MAX_CORRUPT_BITS) {
            throw new IllegalArgumentException(
                    "corruptMaxBits must be in [1, " + MAX_CORRUPT_BITS + "], was " + value);
        }
    }

    private static void checkMaxDatagramSize(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("maxDatagramSize must be >= 1, was " + value);
        }
    }

    /**
     * Builds a {@link FaultProfile}; each setter checks its value at once, so a bad value fails at the
     * line that set it. Not thread-safe; use from one thread.
     */
    public static final class Builder {
        private double drop;
        private double duplicate;
        private double reorder;
        private Duration reorderMaxDelay = Duration.ZERO;
        private double corrupt;
        private int corruptMaxBits = 1;
        private int maxDatagramSize = Integer.MAX_VALUE;
        private boolean blackhole;
        private Duration delay = Duration.ZERO;

        private Builder() {
        }

        /** Drops a datagram with this probability. */
        public Builder drop(double probability) {
            checkProbability("drop", probability);
            this.drop = probability;
            return this;
        }

        /** Sends one extra copy of a datagram with this probability. */
        public Builder duplicate(double probability) {
            checkProbability("duplicate", probability);
            this.duplicate = probability;
            return this;
        }

        /** Holds a datagram back for a random delay in {@code [0, maxDelay]} with this probability. */
        public Builder reorder(double probability, Duration maxDelay) {
            checkProbability("reorder", probability);
            checkDelay("reorderMaxDelay", maxDelay);
            this.reorder = probability;
            this.reorderMaxDelay = maxDelay;
            return this;
        }

        /** Flips one random bit of a datagram with this probability. */
        public Builder corrupt(double probability) {
            return corrupt(probability, 1);
        }

        /** Flips 1 to {@code maxBits} distinct random bits of a datagram with this probability. */
        public Builder corrupt(double probability, int maxBits) {
            checkProbability("corrupt", probability);
            checkCorruptBits(maxBits);
            this.corrupt = probability;
            this.corruptMaxBits = maxBits;
            return this;
        }

        /** Drops datagrams longer than {@code bytes}, as a path with that MTU (minus headers) would. */
        public Builder maxDatagramSize(int bytes) {
            checkMaxDatagramSize(bytes);
            this.maxDatagramSize = bytes;
            return this;
        }

        /** Drops every datagram while {@code on}. */
        public Builder blackhole(boolean on) {
            this.blackhole = on;
            return this;
        }

        /** Holds every datagram back for {@code oneWay}, as a path with that latency would. */
        public Builder delay(Duration oneWay) {
            checkDelay("delay", oneWay);
            this.delay = oneWay;
            return this;
        }

        /** The profile. */
        public FaultProfile build() {
            return new FaultProfile(drop, duplicate, reorder, reorderMaxDelay, corrupt, corruptMaxBits,
                    maxDatagramSize, blackhole, delay);
        }
    }
}
