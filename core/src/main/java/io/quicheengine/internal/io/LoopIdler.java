package io.quicheengine.internal.io;

import io.quicheengine.WaitStrategy;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.agrona.concurrent.IdleStrategy;

/**
 * How the loop waits after a duty cycle that did no work, by its {@link WaitStrategy}. Producers
 * call {@link #wake()} after publishing a command; it costs one volatile read unless the loop is
 * actually parked (BACKOFF's last phase, or BLOCKING's wait), both in a socket wait that a datagram
 * ends as well. An application's own {@link IdleStrategy} replaces the enum when given; it idles
 * as it likes and nothing wakes it early (see {@code QuicEngine.Builder#loopIdleStrategy}).
 *
 * <p>{@link #idle}, {@link #reset}, {@link #register}: loop thread. {@link #wake}: any thread.
 *
 * <p>Internal to the engine (not exported by its module): the event loop idles through it
 * on the loop thread; the engine's producers call {@link #wake()} on application threads.
 */
public final class LoopIdler implements AutoCloseable {
    private static final int SPINS = 100;
    private static final int YIELDS = 5;
    private static final long MIN_PARK_NANOS = 1_000;
    private static final long MAX_PARK_NANOS = 1_000_000;
    private static final long MAX_WAIT_NANOS = 1_000_000_000L;

    /** What the idler asks the loop before it parks. */
    public interface Loop {
        /** How long the loop may sleep at most: until its next deadline. */
        long nextDeadlineNanos();

        /** Whether a command waits to be run: the loop must not park then. */
        boolean hasPendingCommands();
    }

    private final WaitStrategy strategy;
    /** The application's strategy, or null for {@link #strategy}. */
    private final IdleStrategy custom;
    private final BlockingWait blockingWait;
    private volatile boolean parked;
    private int idleCycles;

    public LoopIdler(WaitStrategy strategy, IdleStrategy custom, boolean portableSockets) {
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
    public void register(Endpoint endpoint) throws IOException {
        if (blockingWait != null) {
            endpoint.register(blockingWait);
        }
    }

    public void unregister(Endpoint endpoint) {
        if (blockingWait != null) {
            endpoint.unregister(blockingWait);
        }
    }

    /** Back to the start of the spin/yield/park progression: work was done. */
    public void reset() {
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
    public void idle(Loop loop) {
        idle(loop, Long.MAX_VALUE);
    }

    /** As {@link #idle(Loop)}, parking at most {@code capNanos}: an invoker's owner waiting with a deadline of its own. */
    public void idle(Loop loop, long capNanos) {
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

    private void backoff(Loop loop, long capNanos) {
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

    private void block(long maxWaitNanos, Loop loop) {
        wait(Math.max(1, Math.min(MAX_WAIT_NANOS, maxWaitNanos)), loop);
    }

    private void wait(long nanos, Loop loop) {
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
    public void wake() {
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
