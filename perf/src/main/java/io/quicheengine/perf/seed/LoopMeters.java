package io.quicheengine.perf.seed;

import java.lang.management.ManagementFactory;

/**
 * Process CPU time and the bytes allocated by given threads, from the JDK's management beans
 * ({@code com.sun.management} extensions). Any thread.
 */
final class LoopMeters {

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private LoopMeters() {
    }

    /** CPU time of the whole process in nanoseconds. */
    static long processCpuNanos() {
        return OS.getProcessCpuTime();
    }

    /** Sum of the bytes allocated so far by the threads {@code ids} (threads that ended count as 0). */
    static long allocatedBytes(long[] ids) {
        long sum = 0;
        for (long allocated : THREADS.getThreadAllocatedBytes(ids)) {
            sum += Math.max(0, allocated);
        }
        return sum;
    }
}
