package io.quicheengine.internal.io;

import io.quicheengine.WaitStrategy;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.IdleStrategy;

/**
 * One pause of an application thread waiting for data, credit or ring space, by its wait
 * strategy. The caller loops: check the condition, then {@code pause(strategy, iteration++, deadline)}.
 * For BLOCKING and BACKOFF the caller first registers itself as the waiter and looks once more, so
 * the loop can unpark it as soon as the condition may have changed ({@link #registers}). An
 * application's {@link IdleStrategy} ({@code QuicEngine.Builder#appIdleStrategy}) replaces the
 * enum when given; its waiters register too, so a strategy that parks is unparked by the loop.
 *
 * <p>Internal to the engine (not exported by its module): used by {@code QuicStream}, {@code
 * QuicConnection}, {@code QuicServer} and the engine's control queue, on application threads.
 */
public final class AppWait {
    private static final int SPINS = 100;
    private static final int YIELDS = 10;
    private static final long MAX_BACKOFF_PARK_NANOS = 1_000_000;
    /** A safety net only: the loop unparks blocked waiters as soon as their condition may have changed. */
    private static final long MAX_BLOCKING_PARK_NANOS = 50_000_000;

    private AppWait() {
    }

    /** Whether a waiter of this engine registers itself for the loop to unpark. */
    public static boolean registers(WaitStrategy strategy, IdleStrategy custom) {
        return custom != null || strategy == WaitStrategy.BLOCKING || strategy == WaitStrategy.BACKOFF;
    }

    /** One pause by the engine's application strategy: its {@link IdleStrategy} when given, else its {@link WaitStrategy}. */
    public static void pause(WaitStrategy strategy, IdleStrategy custom, int iteration, long deadlineNanos) {
        if (custom == null) {
            pause(strategy, iteration, deadlineNanos);
            return;
        }
        if (iteration == 0) {
            custom.reset();
        }
        custom.idle();
    }

    /**
     * One pause for a condition the loop does not signal (a queued connection or stream, ring
     * space): BUSY_SPIN and YIELDING as configured, otherwise BACKOFF, whose parks are short. A
     * BLOCKING park or an application strategy's idle would only end by its own timer.
     */
    public static void pauseUnsignalled(WaitStrategy strategy, IdleStrategy custom, int iteration, long deadlineNanos) {
        if (custom != null || strategy == WaitStrategy.BLOCKING) {
            strategy = WaitStrategy.BACKOFF;
        }
        pause(strategy, iteration, deadlineNanos);
    }

    /**
     * The deadline of a wait that returns null when it passes ({@code accept}, {@code acceptStream}).
     *
     * @throws IllegalArgumentException when {@code timeout} is null or negative
     */
    public static long deadline(Duration timeout) {
        if (timeout == null) {
            throw new IllegalArgumentException("timeout must not be null (Duration.ZERO polls once)");
        }
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
        }
        return System.nanoTime() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
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
