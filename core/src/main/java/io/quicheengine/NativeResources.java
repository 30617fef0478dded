package io.quicheengine;

import java.util.concurrent.atomic.LongAdder;

/**
 * Live counts of everything native the engine allocated, so tests and users can see it return to
 * zero. Written by the loop thread (and by application threads for stream handles), read by any
 * thread through {@link EngineStats}.
 */
final class NativeResources {
    final LongAdder configs = new LongAdder();
    final LongAdder connections = new LongAdder();
    final LongAdder streams = new LongAdder();
    /** Read rings lent to streams (the rest wait in the pool). */
    final LongAdder readRingsInUse = new LongAdder();
    /** Read rings allocated in total, lent or pooled. */
    final LongAdder readRingsAllocated = new LongAdder();
    /** Pending-write chunks holding bytes quiche could not take yet. */
    final LongAdder pendingChunksInUse = new LongAdder();
    final LongAdder pendingChunksAllocated = new LongAdder();
    /** Bytes of command-ring payload slots (allocated at start, freed at close). */
    final LongAdder slotBytes = new LongAdder();
}
