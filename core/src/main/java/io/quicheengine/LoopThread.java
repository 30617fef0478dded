package io.quicheengine;

/**
 * The thread that runs an engine's {@link EventLoop}: the only kind of thread allowed to call
 * quiche. With {@code -Dquiche.ffm.callChecks=true} every quiche call is checked against it.
 */
final class LoopThread extends Thread {
    LoopThread(EventLoop loop, String name) {
        super(loop, name + "-loop");
        setDaemon(true);
    }

    /** Fails loudly when quiche is called from anything but an engine's loop thread. */
    static void checkCall(String function) {
        if (!(Thread.currentThread() instanceof LoopThread)) {
            throw new IllegalStateException(function + " called on thread '" + Thread.currentThread().getName()
                    + "': only an engine's loop thread may call quiche");
        }
    }
}
