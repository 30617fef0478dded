package io.quicheengine.perf.seed;

import java.io.IOException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The seed's libev loop in Java: one thread blocking in a {@link Selector} on the UDP socket until
 * a datagram arrives, quiche's next timer is due, or another thread calls {@link #wakeup()} (the
 * seed's {@code ev_async_send}). After every wake-up it runs one {@link Cycle}; when stopped it runs
 * {@link Cycle#exit()} on the loop thread, so the connection is closed and freed where it is driven.
 *
 * <p>{@link #start()} and {@link #stop(long)} from the owning application thread; {@link #wakeup()},
 * {@link #wakeIfEarlierThan(long)} and {@link #checkHealthy()} from any thread.
 */
final class SeedEventLoop {

    /** What the loop does after each wake-up; called on the loop thread only. */
    interface Cycle {
        /**
         * Receives, handles timers and other work, flushes.
         *
         * @return the {@link System#nanoTime()} at which quiche's next timer is due, or
         *         {@link Long#MAX_VALUE} when none is armed
         */
        long run(long nowNanos) throws IOException;

        /** Closes and frees what the cycle drives; called once, after the last cycle. */
        void exit();
    }

    // select(Consumer) hands ready keys to an action instead of adding them to the selected-key set.
    private static final Consumer<SelectionKey> IGNORE_KEY = key -> { };

    private final Selector selector;
    private final Cycle cycle;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;
    /** Written by the loop (under the connection lock in the global-lock design), read by app threads. */
    private volatile long armedDeadlineNanos = Long.MAX_VALUE;

    SeedEventLoop(String name, DatagramChannel channel, Cycle cycle) throws IOException {
        this.cycle = cycle;
        this.selector = Selector.open();
        try {
            channel.register(selector, SelectionKey.OP_READ);
        } catch (IOException | RuntimeException e) {
            selector.close();
            throw e;
        }
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    long threadId() {
        return thread.threadId();
    }

    private void run() {
        try {
            while (running) {
                long deadline = cycle.run(System.nanoTime());
                if (!running) {
                    break;
                }
                if (deadline == Long.MAX_VALUE) {
                    selector.select(IGNORE_KEY);
                } else {
                    long waitNanos = deadline - System.nanoTime();
                    if (waitNanos <= 0) {
                        selector.selectNow(IGNORE_KEY);
                    } else {
                        // Round up: like a libev timer, wake at or after the deadline, never before.
                        selector.select(IGNORE_KEY, Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + 999_999)));
                    }
                }
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            try {
                cycle.exit();
            } catch (Throwable t) {
                if (failure == null) {
                    failure = t;
                }
            }
            try {
                selector.close();
            } catch (IOException e) {
                // nothing to do: the loop is over
            }
        }
    }

    /** Any thread: interrupts a blocking select (coalesced while one is pending, like {@code ev_async_send}). */
    void wakeup() {
        selector.wakeup();
    }

    /** Records the deadline the loop will sleep until; the global-lock design calls it under its lock. */
    void armDeadline(long deadlineNanos) {
        armedDeadlineNanos = deadlineNanos;
    }

    /** Wakes the loop when an application thread made quiche's timer earlier than the one the loop sleeps on. */
    void wakeIfEarlierThan(long deadlineNanos) {
        if (deadlineNanos < armedDeadlineNanos) {
            selector.wakeup();
        }
    }

    /** Throws when the loop thread died of an exception. */
    void checkHealthy() {
        Throwable t = failure;
        if (t != null) {
            throw new IllegalStateException("event loop " + thread.getName() + " failed: " + t, t);
        }
    }

    /** Stops the loop, waits for its exit step, and reports a failure it had. */
    void stop(long timeoutMillis) throws InterruptedException {
        running = false;
        selector.wakeup();
        thread.join(timeoutMillis);
        if (thread.isAlive()) {
            throw new IllegalStateException("event loop " + thread.getName() + " did not stop within " + timeoutMillis + " ms");
        }
        checkHealthy();
    }
}
