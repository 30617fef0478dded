package io.quicheengine.internal.io;

import io.quicheengine.WaitStrategy;
import java.util.concurrent.locks.LockSupport;

/**
 * One pause of an application thread waiting for data, credit or ring space, by its wait
 * strategy. The caller loops: check the condition, then {@code pause(strategy, iteration++, deadline)}.
 * For BLOCKING and BACKOFF the caller first registers itself as the waiter and looks once more, so
 * the loop can unpark it as soon as the condition may have changed.
 *
 * <p>Internal to the engine (not exported by its module): used by {@code QuicStream}, {@code
 * QuicConnection} and the engine's control queue, on application threads.
 */
public final class AppWait {
    private static final int SPINS = 100;
    private static final int YIELDS = 10;
    private static final long MAX_BACKOFF_PARK_NANOS = 1_000_000;
    /** A safety net only: the loop unparks blocked waiters as soon as their condition may have changed. */
    private static final long MAX_BLOCKING_PARK_NANOS = 50_000_000;

    private AppWait() {
    }

    public static void pause(WaitStrategy strategy, int iteration, long deadlineNanos) {
        switch (strategy) {
            case BUSY_SPIN -> Thread.onSpinWait();
            case YIELDING -> Thread.yield();
            case BACKOFF -> {
                if (iteration < SPINS) {
                    Thread.onSpinWait();
                } else if (iteration < SPINS + YIELDS) {
                    Thread.yield();
                } else {
                    long park = Math.min(MAX_BACKOFF_PARK_NANOS, 1_000L << Math.min(iteration - SPINS - YIELDS, 10));
                    LockSupport.parkNanos(Math.min(park, Math.max(1, deadlineNanos - System.nanoTime())));
                }
            }
            case BLOCKING -> LockSupport.parkNanos(Math.min(MAX_BLOCKING_PARK_NANOS, Math.max(1, deadlineNanos - System.nanoTime())));
        }
    }
}
