package io.quicheengine;

/**
 * The thread that runs an engine's {@link EventLoop}: with the owner of an invoker-mode engine
 * ({@link Invoker}), the only kind of thread allowed to call quiche. With
 * {@code -Dquiche.ffm.callChecks=true} every quiche call is checked against them.
 */
final class LoopThread extends Thread {
    /** Invoker-mode engines the current thread owns and that have not ended: only read by the call checks. */
    private static final ThreadLocal<int[]> OWNED = ThreadLocal.withInitial(() -> new int[1]);

    LoopThread(EventLoop loop, String name) {
        super(loop, name + "-loop");
        setDaemon(true);
    }

    /** Fails loudly when quiche is called from anything but an engine's loop thread. */
    static void checkCall(String function) {
        if (!(Thread.currentThread() instanceof LoopThread) && OWNED.get()[0] == 0) {
            throw new IllegalStateException(function + " called on thread '" + Thread.currentThread().getName()
                    + "': only an engine's loop thread, or the owner of an invoker-mode engine, may call quiche");
        }
    }

    /** The current thread owns one more invoker-mode engine (it built it). */
    static void ownerStarted() {
        OWNED.get()[0]++;
    }

    /** An invoker-mode engine the current thread owns has ended. */
    static void ownerEnded() {
        OWNED.get()[0]--;
    }
}
