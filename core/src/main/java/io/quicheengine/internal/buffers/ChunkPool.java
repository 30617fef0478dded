package io.quicheengine.internal.buffers;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Fixed-size off-heap chunks for bytes that quiche could not take yet (pending writes). Chunks are
 * made in blocks on demand and reused; the memory is freed with the engine's arena. There is no
 * cap here: the per-stream and per-connection write credits already bound the bytes pending. A
 * chunk is named by an int id. Loop thread only.
 *
 * <p>Internal to the engine (not exported by its module): used by the event loop's stream writer,
 * on the loop thread, through {@link PendingWrites}.
 */
public final class ChunkPool {
    private static final int BLOCK_CHUNKS = 64;

    private final Arena arena;
    private final int chunkSize;
    private final NativeResources resources;
    private long[] addresses = new long[BLOCK_CHUNKS];
    private int[] freeIds = new int[BLOCK_CHUNKS];
    private int freeCount;
    private int allocated;

    /** Makes {@code initialChunks} up front, so a connection filling its write bound allocates nothing new. */
    public ChunkPool(Arena arena, int chunkSize, int initialChunks, NativeResources resources) {
        this.arena = arena;
        this.chunkSize = chunkSize;
        this.resources = resources;
        while (allocated < initialChunks) {
            grow();
        }
    }

    public int chunkSize() {
        return chunkSize;
    }

    /** A chunk id. */
    public int acquire() {
        if (freeCount == 0) {
            grow();
        }
        resources.pendingChunksInUse.increment();
        return freeIds[--freeCount];
    }

    public void release(int id) {
        freeIds[freeCount++] = id;
        resources.pendingChunksInUse.decrement();
    }

    public long address(int id) {
        return addresses[id];
    }

    private void grow() {
        int count = BLOCK_CHUNKS;
        MemorySegment block = arena.allocate((long) count * chunkSize, 64);
        if (allocated + count > addresses.length) {
            addresses = java.util.Arrays.copyOf(addresses, Math.max(addresses.length * 2, allocated + count));
            freeIds = java.util.Arrays.copyOf(freeIds, addresses.length);
        }
        for (int i = 0; i < count; i++) {
            addresses[allocated + i] = block.address() + (long) i * chunkSize;
            freeIds[freeCount++] = allocated + i;
        }
        allocated += count;
        resources.pendingChunksAllocated.add(count);
    }
}
