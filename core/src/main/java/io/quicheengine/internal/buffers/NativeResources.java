package io.quicheengine.internal.buffers;

import io.quicheengine.EngineStats;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live counts of everything native the engine allocated, so tests and users can see it return to
 * zero. Written by the loop thread (and by application threads for stream handles), read by any
 * thread through {@link EngineStats}.
 *
 * <p>Internal to the engine (not exported by its module): counted by the event loop (loop
 * thread) and stream handles (application threads); read by {@code QuicEngine.stats()} on any
 * thread.
 */
public final class NativeResources {
    public final LongAdder configs = new LongAdder();
    public final LongAdder connections = new LongAdder();
    public final LongAdder streams = new LongAdder();
    /** Read rings lent to streams (the rest wait in the pool). */
    public final LongAdder readRingsInUse = new LongAdder();
    /** Read rings allocated in total, lent or pooled. */
    public final LongAdder readRingsAllocated = new LongAdder();
    /** Pending-write chunks holding bytes quiche could not take yet. */
    public final LongAdder pendingChunksInUse = new LongAdder();
    public final LongAdder pendingChunksAllocated = new LongAdder();
    /** Bytes of command-ring payload slots (allocated at start, freed at close). */
    public final LongAdder slotBytes = new LongAdder();
}
