package io.quicheengine.perf.seed;

import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * The application side of the seed's STREAM_READABLE event: the transport's loop calls
 * {@link #accept(long)}, one application thread waits in {@link #awaitChange}. Usage without lost
 * wake-ups: take {@link #epoch()}, try to read, and when nothing was there wait for the epoch to move.
 * {@link #accept} from the loop thread; the rest from the one waiting thread.
 */
final class ReadableSignal implements LongConsumer {

    private final AtomicLong epoch = new AtomicLong();
    /** The thread inside {@link #awaitChange}, or null; written by it, read by the loop. */
    private volatile Thread waiter;

    @Override
    public void accept(long streamId) {
        epoch.incrementAndGet();
        Thread thread = waiter;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    long epoch() {
        return epoch.get();
    }

    /** Waits until an event newer than {@code seen} arrived, or throws after {@code deadlineNanos} ({@link System#nanoTime()}). */
    void awaitChange(long seen, long deadlineNanos, String what) throws TimeoutException {
        waiter = Thread.currentThread();
        try {
            while (epoch.get() == seen) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("timed out waiting for " + what);
                }
                LockSupport.parkNanos(this, left);
            }
        } finally {
            waiter = null;
        }
    }
}
