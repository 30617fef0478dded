package io.quicheengine.perf.seed;

/**
 * An application thread of a workload (writer, sink, echo, reader) that keeps its failure for the
 * driver: {@link #join(long)} rethrows it. Started and joined by the driver thread.
 */
final class AppThread {

    /** A workload body; may throw anything. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    private final Thread thread;
    private volatile Throwable failure;

    private AppThread(String name, Body body) {
        thread = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure = t;
            }
        }, name);
        thread.setDaemon(true);
    }

    static AppThread start(String name, Body body) {
        AppThread app = new AppThread(name, body);
        app.thread.start();
        return app;
    }

    /** Waits until the thread ends (at most {@code timeoutMillis}) and rethrows what it failed with. */
    void join(long timeoutMillis) throws Exception {
        thread.join(timeoutMillis);
        if (thread.isAlive()) {
            thread.interrupt();
            throw new IllegalStateException(thread.getName() + " still running after " + timeoutMillis + " ms");
        }
        Throwable t = failure;
        if (t instanceof Exception e) {
            throw new IllegalStateException(thread.getName() + " failed: " + e, e);
        }
        if (t instanceof Error e) {
            throw e;
        }
    }
}
