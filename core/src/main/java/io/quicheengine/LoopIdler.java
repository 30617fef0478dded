package io.quicheengine;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.agrona.concurrent.IdleStrategy;

/**
 * How the loop waits after a duty cycle that did no work, by its {@link WaitStrategy}. Producers
 * call {@link #wake()} after publishing a command; it costs one volatile read unless the loop is
 * actually parked (BACKOFF's last phase, or BLOCKING's wait), both in a socket wait that a datagram
 * ends as well. An application's own {@link IdleStrategy} replaces the enum when given; it idles
 * as it likes and nothing wakes it early (see {@link QuicEngine.Builder#loopIdleStrategy}).
 *
 * <p>{@link #idle}, {@link #reset}, {@link #register}: loop thread. {@link #wake}: any thread.
 */
final class LoopIdler implements AutoCloseable {
    private static final int SPINS = 100;
    private static final int YIELDS = 5;
    private static final long MIN_PARK_NANOS = 1_000;
    private static final long MAX_PARK_NANOS = 1_000_000;
    private static final long MAX_WAIT_NANOS = 1_000_000_000L;

    private final WaitStrategy strategy;
    /** The application's strategy, or null for {@link #strategy}. */
    private final IdleStrategy custom;
    private final BlockingWait blockingWait;
    private volatile boolean parked;
    private int idleCycles;

    LoopIdler(WaitStrategy strategy, IdleStrategy custom, boolean portableSockets) {
        this.strategy = strategy;
        this.custom = custom;
        try {
            this.blockingWait = custom == null && (strategy == WaitStrategy.BLOCKING || strategy == WaitStrategy.BACKOFF)
                    ? Endpoint.newBlockingWait(portableSockets) : null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the BLOCKING wait strategy", e);
        }
    }

    /** Lets a datagram on this endpoint end a BLOCKING wait. */
    void register(Endpoint endpoint) throws IOException {
        if (blockingWait != null) {
            endpoint.register(blockingWait);
        }
    }

    void unregister(Endpoint endpoint) {
        if (blockingWait != null) {
            endpoint.unregister(blockingWait);
        }
    }

    /** Back to the start of the spin/yield/park progression: work was done. */
    void reset() {
        idleCycles = 0;
        if (custom != null) {
            custom.reset();
        }
    }

    /**
     * Waits a little, or until woken, or at most until the loop's next quiche deadline (asked
     * only when about to sleep: spinning must not pay for the scan).
     *
     * @param loop its pending commands are checked after announcing the park, so one published meanwhile is not missed
     */
    void idle(EventLoop loop) {
        idle(loop, Long.MAX_VALUE);
    }

    /** As {@link #idle(EventLoop)}, parking at most {@code capNanos}: an invoker's owner waiting with a deadline of its own. */
    void idle(EventLoop loop, long capNanos) {
        if (custom != null) {
            custom.idle();
            return;
        }
        switch (strategy) {
            case BUSY_SPIN -> Thread.onSpinWait();
            case YIELDING -> Thread.yield();
            case BACKOFF -> backoff(loop, capNanos);
            case BLOCKING -> block(Math.min(capNanos, loop.nextDeadlineNanos()), loop);
        }
    }

    private void backoff(EventLoop loop, long capNanos) {
        int cycle = idleCycles++;
        if (cycle < SPINS) {
            Thread.onSpinWait();
        } else if (cycle < SPINS + YIELDS) {
            Thread.yield();
        } else {
            // Park in the socket wait rather than a plain park: a datagram ends it too, not only a command.
            long park = Math.min(MAX_PARK_NANOS, MIN_PARK_NANOS << Math.min(cycle - SPINS - YIELDS, 10));
            wait(Math.max(1, Math.min(Math.min(park, capNanos), loop.nextDeadlineNanos())), loop);
        }
    }

    private void block(long maxWaitNanos, EventLoop loop) {
        wait(Math.max(1, Math.min(MAX_WAIT_NANOS, maxWaitNanos)), loop);
    }

    private void wait(long nanos, EventLoop loop) {
        parked = true;
        try {
            if (!loop.hasPendingCommands()) {
                blockingWait.await(nanos);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("waiting for datagrams failed", e);
        } finally {
            parked = false;
        }
    }

    /** Any thread: ends a park or wait in progress; free when the loop is not parked. */
    void wake() {
        if (parked) {
            blockingWait.wakeup();
        }
    }

    @Override
    public void close() throws IOException {
        if (blockingWait != null) {
            blockingWait.close();
        }
    }
}
