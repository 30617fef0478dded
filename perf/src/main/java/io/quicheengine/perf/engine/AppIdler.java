package io.quicheengine.perf.engine;

import io.quicheengine.WaitStrategy;
import java.util.concurrent.locks.LockSupport;

/**
 * How the benchmark's application thread waits between non-blocking engine calls ({@code offer},
 * {@code poll}) that made no progress, by the same {@link WaitStrategy} the engine runs with,
 * with the engine's own progression: BUSY_SPIN spins, YIELDING yields, BACKOFF spins 100 times,
 * yields 10 times, then parks 1 us doubling to 1 ms; BLOCKING parks until {@link UnparkListener}
 * wakes it (the engine says the stream became writable or readable), at most 50 ms as a safety
 * net. One application thread; {@link #idle} and {@link #reset} on it only.
 */
final class AppIdler {
    private static final int SPINS = 100;
    private static final int YIELDS = 10;
    private static final long MAX_BACKOFF_PARK_NANOS = 1_000_000;
    private static final long BLOCKING_PARK_NANOS = 50_000_000;

    private final WaitStrategy strategy;
    private int iteration;

    AppIdler(WaitStrategy strategy) {
        this.strategy = strategy;
    }

    /** Nothing progressed: wait a little. */
    void idle() {
        int i = iteration++;
        switch (strategy) {
            case BUSY_SPIN -> Thread.onSpinWait();
            case YIELDING -> Thread.yield();
            case BACKOFF -> {
                if (i < SPINS) {
                    Thread.onSpinWait();
                } else if (i < SPINS + YIELDS) {
                    Thread.yield();
                } else {
                    LockSupport.parkNanos(Math.min(MAX_BACKOFF_PARK_NANOS, 1_000L << Math.min(i - SPINS - YIELDS, 10)));
                }
            }
            case BLOCKING -> LockSupport.parkNanos(BLOCKING_PARK_NANOS);
        }
    }

    /** Something progressed: start the progression again. */
    void reset() {
        iteration = 0;
    }
}
