package io.quicheengine.internal.buffers;

import java.lang.foreign.Arena;
import java.util.ArrayDeque;

/**
 * Read rings for streams: made on first need, returned when a stream is done, reused by the next
 * stream, freed with the engine's arena. At most {@code maxRings} exist; beyond that a stream
 * waits for a ring (quiche's flow control holds its peer meanwhile). Loop thread only.
 *
 * <p>Internal to the engine (not exported by its module): used by the event loop's stream reader,
 * collector and stats publisher, on the loop thread.
 */
public final class ReadRingPool {
    private final Arena arena;
    private final int ringCapacity;
    private final int maxRings;
    private final NativeResources resources;
    private final ArrayDeque<StreamReadRing> free;
    private int allocated;
    /** The rings lent out; each knows its place ({@link StreamReadRing#lentIndex}) for O(1) return. */
    private final java.util.ArrayList<StreamReadRing> lent = new java.util.ArrayList<>();

    public ReadRingPool(Arena arena, int ringCapacity, int maxRings, NativeResources resources) {
        this.arena = arena;
        this.ringCapacity = ringCapacity;
        this.maxRings = maxRings;
        this.resources = resources;
        this.free = new ArrayDeque<>(Math.min(maxRings, 1024));
    }

    /** A ring, or null when all {@code maxRings} are lent out. */
    public StreamReadRing acquire() {
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
        ring.lentIndex = lent.size();
        lent.add(ring);
        return ring;
    }

    public void release(StreamReadRing ring) {
        int index = ring.lentIndex;
        StreamReadRing moved = lent.get(lent.size() - 1);
        lent.set(index, moved);
        moved.lentIndex = index;
        lent.remove(lent.size() - 1);
        ring.lentIndex = -1;
        ring.reset();
        free.addFirst(ring);
        resources.readRingsInUse.decrement();
    }

    /** Bytes received and not yet read in all lent rings (an estimate while readers move). */
    public long bufferedBytes() {
        long bytes = 0;
        for (int i = 0; i < lent.size(); i++) {
            bytes += lent.get(i).size();
        }
        return bytes;
    }

    int ringCapacity() {
        return ringCapacity;
    }
}
