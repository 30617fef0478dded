package io.quicheengine.internal.buffers;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A stream's pending-write queue without quiche: how appends fill the tail chunk before taking new
 * ones, how the queue grows past its expected size, and that a discard gives every chunk back;
 * then flushed into a real quiche connection whose peer reads the bytes back in order.
 */
class PendingWritesTest {
    private static final int CHUNK = 100;

    private final Arena arena = Arena.ofConfined();
    private final NativeResources resources = new NativeResources();
    private final ChunkPool pool = new ChunkPool(arena, CHUNK, 1, resources);
    private final MemorySegment source = arena.allocate(10_000);
    private final byte[] pattern = new byte[10_000];

    {
        new java.util.SplittableRandom(1).nextBytes(pattern);
        MemorySegment.copy(pattern, 0, source, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, pattern.length);
    }

    @AfterEach
    void freeMemory() {
        arena.close();
    }

    private long chunksInUse() {
        return resources.pendingChunksInUse.sum();
    }

    @Test
    void emptyQueueHoldsNoChunks() {
        PendingWrites pending = new PendingWrites(pool, 4);
        assertThat(pending.isEmpty()).isTrue();
        assertThat(pending.bytes()).isZero();
        assertThat(chunksInUse()).isZero();
    }

    @Test
    void appendsFillTheTailChunkBeforeTakingANewOne() {
        PendingWrites pending = new PendingWrites(pool, 4);
        pending.append(source.address(), 10);
        assertThat(chunksInUse()).isEqualTo(1);
        pending.append(source.address(), CHUNK - 10);
        assertThat(chunksInUse()).as("exactly one full chunk").isEqualTo(1);
        pending.append(source.address(), 1);
        assertThat(chunksInUse()).isEqualTo(2);
        pending.append(source.address(), CHUNK - 1 + CHUNK);
        assertThat(chunksInUse()).as("second chunk topped up, one more whole chunk").isEqualTo(3);
        assertThat(pending.bytes()).isEqualTo(3L * CHUNK);
        assertThat(pending.isEmpty()).isFalse();
    }

    @Test
    void oneLargeAppendTakesExactlyTheChunksItNeeds() {
        PendingWrites pending = new PendingWrites(pool, 4);
        pending.append(source.address(), 5 * CHUNK + 1);
        assertThat(chunksInUse()).isEqualTo(6);
        pending.append(source.address(), CHUNK - 1);
        assertThat(chunksInUse()).isEqualTo(6);
        assertThat(pending.bytes()).isEqualTo(6L * CHUNK);
    }

    @Test
    void growsPastItsExpectedChunksWithoutLosingAny() {
        PendingWrites pending = new PendingWrites(pool, 2);
        long total = 0;
        for (int i = 1; i <= 60; i++) {
            pending.append(source.address(), i * 7);
            total += i * 7;
            assertThat(pending.bytes()).isEqualTo(total);
            assertThat(chunksInUse()).as("after %d appends", i).isEqualTo((total + CHUNK - 1) / CHUNK);
        }
        assertThat(pending.discard()).isEqualTo(total);
        assertThat(chunksInUse()).as("every chunk back after growth").isZero();
    }

    @Test
    void discardReturnsEveryChunkAndTheQueueIsReusable() {
        PendingWrites pending = new PendingWrites(pool, 4);
        pending.append(source.address(), 3 * CHUNK + 50);
        assertThat(pending.discard()).isEqualTo(3 * CHUNK + 50);
        assertThat(pending.isEmpty()).isTrue();
        assertThat(pending.bytes()).isZero();
        assertThat(chunksInUse()).isZero();
        assertThat(pending.discard()).as("discarding an empty queue").isZero();

        pending.append(source.address(), 30);
        assertThat(chunksInUse()).as("a fresh chunk, not the tail of the discarded one").isEqualTo(1);
        pending.append(source.address(), CHUNK - 30);
        assertThat(chunksInUse()).isEqualTo(1);
        assertThat(pending.bytes()).isEqualTo(CHUNK);
    }

    @Test
    void twoQueuesSharingAPoolNeverShareAChunk() {
        PendingWrites a = new PendingWrites(pool, 4);
        PendingWrites b = new PendingWrites(pool, 4);
        for (int i = 0; i < 20; i++) {
            a.append(source.address(), 37);
            b.append(source.address(), 53);
        }
        assertThat(chunksInUse()).isEqualTo((20 * 37 + CHUNK - 1) / CHUNK + (20 * 53 + CHUNK - 1) / CHUNK);
        a.discard();
        assertThat(chunksInUse()).isEqualTo((20 * 53 + CHUNK - 1) / CHUNK);
        b.discard();
        assertThat(chunksInUse()).isZero();
    }

    @Test
    void flushHandsEveryByteToQuicheInOrderAcrossChunkBoundariesAndReturnsTheChunks() {
        try (QuichePairForTests pair = new QuichePairForTests(1 << 20)) {
            PendingWrites pending = new PendingWrites(pool, 4);
            java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
            int offset = 0;
            for (int length : new int[] {1, 99, 100, 150, 7, 443, 1000}) {
                pending.append(source.address() + offset, length);
                expected.write(pattern, offset, length);
                offset += length;
            }
            long queued = pending.bytes();
            assertThat(pending.flush(pair.client, 0, pair.errorCode)).isEqualTo(queued);
            assertThat(pending.isEmpty()).isTrue();
            assertThat(chunksInUse()).isZero();
            pair.pump();
            assertThat(pair.serverRead(0)).isEqualTo(expected.toByteArray());
        }
    }

    @Test
    void flushStopsWhereFlowControlStopsQuicheAndResumesMidChunkWhenTheWindowOpens() {
        int window = 1050; // not a multiple of the chunk size: quiche stops mid-chunk
        try (QuichePairForTests pair = new QuichePairForTests(window)) {
            PendingWrites pending = new PendingWrites(pool, 4);
            int total = 5 * window + 37;
            pending.append(source.address(), total);
            long first = pending.flush(pair.client, 0, pair.errorCode);
            assertThat(first).as("the stream window").isEqualTo(window);
            assertThat(pending.bytes()).isEqualTo(total - window);
            assertThat(chunksInUse()).isEqualTo((total - window + CHUNK - 1) / CHUNK);
            java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
            for (int round = 0; round < 1000 && received.size() < total; round++) {
                pair.pump();
                received.writeBytes(pair.serverRead(0));
                pair.pump(); // the server's MAX_STREAM_DATA back to the client
                long n = pending.flush(pair.client, 0, pair.errorCode);
                assertThat(n).as("flush result in round %d", round).isGreaterThanOrEqualTo(-1); // -1: DONE, no credit yet
            }
            assertThat(received.toByteArray()).isEqualTo(java.util.Arrays.copyOf(pattern, total));
            assertThat(pending.isEmpty()).isTrue();
            assertThat(chunksInUse()).isZero();
        }
    }

    @Test
    void growingAfterAPartialFlushKeepsTheQueuedBytesInOrder() {
        int window = 250;
        try (QuichePairForTests pair = new QuichePairForTests(window)) {
            PendingWrites pending = new PendingWrites(pool, 2);
            pending.append(source.address(), 4 * CHUNK);
            assertThat(pending.flush(pair.client, 0, pair.errorCode)).isEqualTo(window);
            // The queue's first chunk is now mid-array; growing must keep the FIFO's order.
            int total = 4 * CHUNK;
            for (int i = 0; i < 40; i++) {
                pending.append(source.address() + total, 61);
                total += 61;
            }
            java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
            for (int round = 0; round < 2000 && received.size() < total; round++) {
                pair.pump();
                received.writeBytes(pair.serverRead(0));
                pair.pump();
                pending.flush(pair.client, 0, pair.errorCode);
            }
            assertThat(received.toByteArray()).isEqualTo(java.util.Arrays.copyOf(pattern, total));
            assertThat(chunksInUse()).isZero();
        }
    }
}
