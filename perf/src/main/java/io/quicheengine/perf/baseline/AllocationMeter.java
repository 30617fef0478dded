package io.quicheengine.perf.baseline;

import java.lang.management.ManagementFactory;

/**
 * Bytes allocated by the calling thread, from {@link com.sun.management.ThreadMXBean}: read it
 * before and after a measured loop to prove the loop makes no garbage.
 *
 * <p>Any thread; each call measures the calling thread only.
 */
public final class AllocationMeter {

    private static final com.sun.management.ThreadMXBean THREADS = threads();

    private AllocationMeter() {
    }

    /** Bytes the calling thread has allocated so far, or -1 when the JVM cannot tell. */
    public static long currentThreadAllocatedBytes() {
        return THREADS == null ? -1 : THREADS.getCurrentThreadAllocatedBytes();
    }

    private static com.sun.management.ThreadMXBean threads() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
                && bean.isThreadAllocatedMemorySupported()) {
            bean.setThreadAllocatedMemoryEnabled(true);
            return bean;
        }
        return null;
    }
}
