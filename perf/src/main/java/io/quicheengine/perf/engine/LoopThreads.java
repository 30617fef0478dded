package io.quicheengine.perf.engine;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.Arrays;

/**
 * Bytes allocated so far by a fixed set of threads found by name (an engine named {@code x} runs
 * its loop on thread {@code x-loop}), from HotSpot's per-thread allocation counters. Immutable;
 * any thread (reading another thread's counter does not stop it).
 */
final class LoopThreads {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final long[] ids;

    private LoopThreads(long[] ids) {
        this.ids = ids;
    }

    /** The live threads with exactly these names; fails naming the one that is missing. */
    static LoopThreads named(String... names) {
        if (!THREADS.isThreadAllocatedMemorySupported()) {
            throw new IllegalStateException("this JVM does not count per-thread allocation");
        }
        THREADS.setThreadAllocatedMemoryEnabled(true);
        ThreadInfo[] infos = THREADS.getThreadInfo(THREADS.getAllThreadIds(), 0);
        long[] ids = new long[names.length];
        for (int i = 0; i < names.length; i++) {
            ids[i] = -1;
            for (ThreadInfo info : infos) {
                if (info != null && info.getThreadName().equals(names[i])) {
                    ids[i] = info.getThreadId();
                }
            }
            if (ids[i] < 0) {
                throw new IllegalStateException("no live thread named '" + names[i] + "' (looked for " + Arrays.toString(names) + ")");
            }
        }
        return new LoopThreads(ids);
    }

    /** Bytes all the threads allocated since they started. */
    long allocatedBytes() {
        long sum = 0;
        for (long bytes : THREADS.getThreadAllocatedBytes(ids)) {
            sum += Math.max(bytes, 0);
        }
        return sum;
    }
}
