package io.quicheengine.internal.buffers;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pending-write chunk pool: blocks made on demand, ids reused, chunks that never overlap, counters that add up. */
class ChunkPoolTest {
    private static final int CHUNK = 256;
    /** ChunkPool makes chunks 64 at a time. */
    private static final int BLOCK = 64;

    private final Arena arena = Arena.ofConfined();
    private final NativeResources resources = new NativeResources();

    @AfterEach
    void freeChunks() {
        arena.close();
    }

    @Test
    void makesTheInitialChunksUpFrontInWholeBlocks() {
        new ChunkPool(arena, CHUNK, 0, resources);
        assertThat(resources.pendingChunksAllocated.sum()).isZero();
        NativeResources other = new NativeResources();
        new ChunkPool(arena, CHUNK, 1, other);
        assertThat(other.pendingChunksAllocated.sum()).isEqualTo(BLOCK);
        NativeResources third = new NativeResources();
        new ChunkPool(arena, CHUNK, BLOCK + 1, third);
        assertThat(third.pendingChunksAllocated.sum()).isEqualTo(2 * BLOCK);
        assertThat(third.pendingChunksInUse.sum()).isZero();
    }

    @Test
    void chunksAcquiredTogetherHaveDistinctIdsAndDisjointMemory() {
        ChunkPool pool = new ChunkPool(arena, CHUNK, BLOCK, resources);
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < BLOCK; i++) {
            ids.add(pool.acquire());
        }
        assertThat(new HashSet<>(ids)).hasSize(BLOCK);
        assertDisjoint(pool, ids);
        assertThat(resources.pendingChunksInUse.sum()).isEqualTo(BLOCK);
        assertThat(resources.pendingChunksAllocated.sum()).as("no growth within the initial chunks").isEqualTo(BLOCK);
    }

    @Test
    void growsByABlockWhenEmptyAndKeepsTheAddressesItHandedOut() {
        ChunkPool pool = new ChunkPool(arena, CHUNK, 1, resources);
        List<Integer> ids = new ArrayList<>();
        List<Long> addresses = new ArrayList<>();
        for (int i = 0; i < 3 * BLOCK + 5; i++) {
            int id = pool.acquire();
            ids.add(id);
            assertThat(pool.address(id)).as("address of new chunk %d", id).isNotZero().isNotIn(addresses);
            addresses.add(pool.address(id));
            fill(pool, id, (byte) i);
        }
        assertThat(resources.pendingChunksAllocated.sum()).isEqualTo(4 * BLOCK);
        assertThat(resources.pendingChunksInUse.sum()).isEqualTo(3 * BLOCK + 5);
        assertThat(new HashSet<>(ids)).hasSize(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            assertThat(pool.address(ids.get(i))).as("address of chunk %d after growth", ids.get(i)).isEqualTo(addresses.get(i));
            assertFilled(pool, ids.get(i), (byte) i);
        }
        assertDisjoint(pool, ids);
    }

    @Test
    void releasedChunksAreReusedBeforeAnyNewBlockIsMade() {
        ChunkPool pool = new ChunkPool(arena, CHUNK, 1, resources);
        Set<Integer> first = new HashSet<>();
        for (int i = 0; i < BLOCK; i++) {
            first.add(pool.acquire());
        }
        for (int id : first) {
            pool.release(id);
        }
        assertThat(resources.pendingChunksInUse.sum()).isZero();
        Set<Integer> second = new HashSet<>();
        for (int i = 0; i < BLOCK; i++) {
            second.add(pool.acquire());
        }
        assertThat(second).isEqualTo(first);
        assertThat(resources.pendingChunksAllocated.sum()).isEqualTo(BLOCK);
    }

    @Test
    void aReleasedChunkIsNotHandedOutTwice() {
        ChunkPool pool = new ChunkPool(arena, CHUNK, 1, resources);
        int a = pool.acquire();
        int b = pool.acquire();
        pool.release(a);
        int c = pool.acquire();
        int d = pool.acquire();
        assertThat(c).isEqualTo(a);
        assertThat(d).isNotIn(a, b);
        assertThat(resources.pendingChunksInUse.sum()).isEqualTo(3);
    }

    private static void fill(ChunkPool pool, int id, byte value) {
        MemorySegment.ofAddress(pool.address(id)).reinterpret(pool.chunkSize()).fill(value);
    }

    private static void assertFilled(ChunkPool pool, int id, byte value) {
        MemorySegment chunk = MemorySegment.ofAddress(pool.address(id)).reinterpret(pool.chunkSize());
        for (long i = 0; i < chunk.byteSize(); i++) {
            if (chunk.get(ValueLayout.JAVA_BYTE, i) != value) {
                throw new AssertionError("chunk " + id + " byte " + i + " overwritten");
            }
        }
    }

    private static void assertDisjoint(ChunkPool pool, List<Integer> ids) {
        List<Long> starts = new ArrayList<>();
        for (int id : ids) {
            starts.add(pool.address(id));
        }
        starts.sort(null);
        for (int i = 1; i < starts.size(); i++) {
            assertThat(starts.get(i) - starts.get(i - 1)).as("gap between chunk starts").isGreaterThanOrEqualTo(pool.chunkSize());
        }
    }
}
