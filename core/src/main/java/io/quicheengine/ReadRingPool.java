package io.quicheengine;

import java.lang.foreign.Arena;
import java.util.ArrayDeque;

/**
 * Read rings for streams: made on first need, returned when a stream is done, reused by the next
 * stream, freed with the engine's arena. At most {@code maxRings} exist; beyond that a stream
 * waits for a ring (quiche's flow control holds its peer meanwhile). Loop thread only.
 */
final class ReadRingPool {
    private final Arena arena;
    private final int ringCapacity;
    private final int maxRings;
    private final NativeResources resources;
    private final ArrayDeque<StreamReadRing> free;
    private int allocated;

    ReadRingPool(Arena arena, int ringCapacity, int maxRings, NativeResources resources) {
        this.arena = arena;
        this.ringCapacity = ringCapacity;
        this.maxRings = maxRings;
        this.resources = resources;
        this.free = new ArrayDeque<>(Math.min(maxRings, 1024));
    }

    /** A ring, or null when all {@code maxRings} are lent out. */
    StreamReadRing acquire() {
        StreamReadRing ring = free.pollFirst();
        if (ring == null) {
            if (allocated >= maxRings) {
                return null;
            }
            ring = new StreamReadRing(arena.allocate(ringCapacity, 64));
            allocated++;
            resources.readRingsAllocated.increment();
        }
        resources.readRingsInUse.increment();
        return ring;
    }

    void release(StreamReadRing ring) {
        ring.reset();
        free.addFirst(ring);
        resources.readRingsInUse.decrement();
    }

    int ringCapacity() {
        return ringCapacity;
    }
}
