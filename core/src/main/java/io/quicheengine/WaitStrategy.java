package io.quicheengine;

/**
 * How a thread waits when it has nothing to do. Used twice, configured separately: by the event
 * loop when a duty cycle did no work ({@link QuicEngine.Builder#loopWaitStrategy}), and by
 * application threads blocked in a read or write ({@link QuicEngine.Builder#appWaitStrategy}).
 *
 * <p>An application's own Agrona {@link org.agrona.concurrent.IdleStrategy} may take the enum's
 * place in either ({@link QuicEngine.Builder#loopIdleStrategy}, {@link QuicEngine.Builder#appIdleStrategy}).
 *
 * <p>Immutable; any thread.
 */
public enum WaitStrategy {
    /** Never sleeps: lowest latency, burns a whole core per waiting thread. */
    BUSY_SPIN,
    /** {@link Thread#yield()} between checks: near busy-spin latency, gives the core to others that are ready. */
    YIELDING,
    /**
     * Spins, then yields, then sleeps for growing periods up to a millisecond (like Agrona's
     * BackoffIdleStrategy); the loop sleeps in its socket wait, so a datagram or a command ends the
     * sleep early.
     */
    BACKOFF,
    /**
     * Parks until woken. The loop sleeps in a selector until a datagram, the next quiche deadline
     * or a new command arrives; producers pay for a wakeup only when it actually sleeps. A blocked
     * application thread is unparked by the loop when its data or credit arrives.
     */
    BLOCKING
}
