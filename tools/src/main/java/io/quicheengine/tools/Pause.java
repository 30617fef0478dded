package io.quicheengine.tools;

import io.quicheengine.WaitStrategy;
import java.util.concurrent.locks.LockSupport;

/**
 * How a tool thread that found nothing to do waits before looking again: spin, yield, or park
 * for growing periods (1 us doubling up to 1 ms) and never past {@code untilNanos}. Stateless;
 * any thread.
 */
final class Pause {
    private static final long MAX_PARK_NANOS = 1_000_000;

    private Pause() {
    }

    /**
     * @param iteration  how many pauses in a row found nothing (0 for the first)
     * @param untilNanos a {@link System#nanoTime()} not to sleep past (Long.MAX_VALUE: none)
     */
    static void pause(WaitStrategy strategy, int iteration, long untilNanos) {
        switch (strategy) {
            case BUSY_SPIN -> Thread.onSpinWait();
            case YIELDING -> Thread.yield();
            case BACKOFF, BLOCKING -> {
                long park = Math.min(MAX_PARK_NANOS, 1_000L << Math.min(iteration, 10));
                long left = untilNanos == Long.MAX_VALUE ? park : untilNanos - System.nanoTime();
                LockSupport.parkNanos(Math.max(1, Math.min(park, left)));
            }
        }
    }
}
