package io.quicheengine;

/**
 * Lets a test thread call quiche directly (a quiche pair driven in memory) while the suite runs
 * with {@code -Dquiche.ffm.callChecks=true}: the thread counts as the owner of an invoker-mode
 * engine until {@link #forbid()}. Test code only; call both on the same thread.
 */
public final class QuicheCallsForTests {
    private QuicheCallsForTests() {
    }

    /** From now on the current thread may call quiche. */
    public static void permit() {
        LoopThread.ownerStarted();
    }

    /** Undoes one {@link #permit()} on the current thread. */
    public static void forbid() {
        LoopThread.ownerEnded();
    }
}
