package io.quicheengine.perf.netty;

import java.lang.management.ManagementFactory;

/**
 * Sums the bytes allocated so far by a fixed set of threads (Netty's event-loop threads), using
 * HotSpot's per-thread allocation counters. Immutable; any thread (reading another thread's
 * counter is allowed and does not stop it).
 */
final class LoopAllocationProbe {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final long[] threadIds;

    LoopAllocationProbe(long... threadIds) {
        this.threadIds = threadIds.clone();
        if (!THREADS.isThreadAllocatedMemorySupported() || !THREADS.isThreadAllocatedMemoryEnabled()) {
            throw new IllegalStateException("this JVM does not count per-thread allocation");
        }
    }

    /** Bytes allocated by all the threads since they started. */
    long allocatedBytes() {
        long sum = 0;
        for (long bytes : THREADS.getThreadAllocatedBytes(threadIds)) {
            sum += Math.max(bytes, 0);
        }
        return sum;
    }
}
