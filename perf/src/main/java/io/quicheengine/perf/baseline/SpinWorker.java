package io.quicheengine.perf.baseline;

/**
 * A busy-spinning benchmark thread body that runs {@link #step()} through three phases set by
 * the coordinating thread: warm-up, measure, stop. It reads its own allocation counter when it
 * sees the measure phase begin and end, from inside the loop, so a deoptimization at the loop's
 * exit is not counted as steady-state garbage.
 *
 * <p>{@link #phase(int)} may be called from any thread; {@link #run()} runs on the worker thread;
 * read the results after {@link Thread#join()}.
 */
abstract class SpinWorker implements Runnable {

    static final int WARMUP = 0;
    static final int MEASURE = 1;
    static final int STOP = 2;

    // Written by the coordinator, read by the worker on every iteration.
    private volatile int phase = WARMUP;
    private long measuredBytesAllocated = -1;
    private volatile Throwable failure;

    /** Moves the worker to {@link #MEASURE} or {@link #STOP}. */
    final void phase(int next) {
        phase = next;
    }

    /** One unit of work; returns false when there was nothing to do (the worker then spins politely). */
    abstract boolean step() throws Exception;

    @Override
    public final void run() {
        try {
            int seen = WARMUP;
            long mark = 0;
            while (true) {
                int now = phase;
                if (now != seen) {
                    if (now == MEASURE) {
                        mark = AllocationMeter.currentThreadAllocatedBytes();
                    } else if (now == STOP) {
                        if (seen == MEASURE && mark >= 0) {
                            measuredBytesAllocated = AllocationMeter.currentThreadAllocatedBytes() - mark;
                        }
                        return;
                    }
                    seen = now;
                }
                if (!step()) {
                    Thread.onSpinWait();
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** Bytes this worker allocated during the measure phase, or -1 when unknown. */
    final long measuredBytesAllocated() {
        return measuredBytesAllocated;
    }

    /** What ended the worker abnormally, or null. */
    final Throwable failure() {
        return failure;
    }
}
