package io.quicheengine.internal.buffers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;
import org.agrona.UnsafeApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The read ring on its own: positions, contiguous spans at the wrap, and one producer with one consumer thread. */
class StreamReadRingTest {
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void freeRing() {
        arena.close();
    }

    private StreamReadRing ring(int capacity) {
        return new StreamReadRing(arena.allocate(capacity, 64));
    }

    /** Producer side: copies {@code bytes} into the ring's writable span and commits them. */
    private static void produce(StreamReadRing ring, byte[] bytes, int offset, int length) {
        assertThat(ring.writableBytes()).isGreaterThanOrEqualTo(length);
        assertInsideMemory(ring, ring.writeAddress(), length);
        MemorySegment.copy(bytes, offset, MemorySegment.ofAddress(ring.writeAddress()).reinterpret(length), ValueLayout.JAVA_BYTE, 0, length);
        ring.commitWrite(length);
    }

    /** A span the ring hands out must lie inside its memory: a raw copy past the end corrupts the heap. */
    private static void assertInsideMemory(StreamReadRing ring, long address, int length) {
        long start = ring.memory().address();
        assertThat(address).isBetween(start, start + ring.capacity());
        assertThat(address + length).isLessThanOrEqualTo(start + ring.capacity());
    }

    /** Consumer side: reads up to {@code max} contiguous bytes from the ring's head and commits them. */
    private static byte[] consume(StreamReadRing ring, int max) {
        long head = ring.headPosition();
        int n = Math.min(max, ring.readableBytes(head));
        assertThat(ring.index(head) + n).isLessThanOrEqualTo(ring.capacity());
        byte[] out = new byte[n];
        ring.view().getBytes(ring.index(head), out, 0, n);
        ring.commitRead(head + n);
        return out;
    }

    private static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @Test
    void refusesACapacityThatIsNotAPowerOfTwo() {
        assertThatThrownBy(() -> new StreamReadRing(arena.allocate(1000)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("power of two")
                .hasMessageContaining("1000");
    }

    @Test
    void newRingIsEmptyWithTheWholeCapacityWritable() {
        StreamReadRing ring = ring(64);
        assertThat(ring.capacity()).isEqualTo(64);
        assertThat(ring.size()).isZero();
        assertThat(ring.readableBytes(ring.headPosition())).isZero();
        assertThat(ring.writableBytes()).isEqualTo(64);
        assertThat(ring.writeAddress()).isEqualTo(ring.memory().address());
    }

    @Test
    void fullRingOffersNoWritableBytesUntilTheReaderCommits() {
        StreamReadRing ring = ring(64);
        byte[] data = bytes(64, 1);
        produce(ring, data, 0, 64);
        assertThat(ring.writableBytes()).isZero();
        assertThat(ring.size()).isEqualTo(64);
        assertThat(ring.readableBytes(0)).isEqualTo(64);

        assertThat(consume(ring, 10)).isEqualTo(java.util.Arrays.copyOfRange(data, 0, 10));
        // Only the 10 freed bytes at the ring's start are writable: the free span wrapped.
        assertThat(ring.writableBytes()).isEqualTo(10);
        assertThat(ring.writeAddress()).isEqualTo(ring.memory().address());
    }

    @Test
    void writableSpanStopsAtTheEndOfTheMemoryAndResumesAtItsStart() {
        StreamReadRing ring = ring(64);
        produce(ring, bytes(48, 2), 0, 48);
        consume(ring, 48);
        // 64 bytes free, but only 16 of them contiguous before the wrap.
        assertThat(ring.writableBytes()).isEqualTo(16);
        assertThat(ring.writeAddress()).isEqualTo(ring.memory().address() + 48);
        produce(ring, bytes(16, 3), 0, 16);
        assertThat(ring.writableBytes()).isEqualTo(48);
        assertThat(ring.writeAddress()).isEqualTo(ring.memory().address());
        assertThat(ring.tailPosition()).isEqualTo(64);
    }

    @Test
    void readableSpanStopsAtTheEndOfTheMemoryAndTheRestFollowsFromItsStart() {
        StreamReadRing ring = ring(64);
        produce(ring, bytes(40, 4), 0, 40);
        consume(ring, 40);
        byte[] data = bytes(50, 5);
        produce(ring, data, 0, 24);
        produce(ring, data, 24, 26);
        assertThat(ring.size()).isEqualTo(50);
        assertThat(ring.readableBytes(ring.headPosition())).isEqualTo(24);
        byte[] first = consume(ring, Integer.MAX_VALUE);
        assertThat(ring.readableBytes(ring.headPosition())).isEqualTo(26);
        byte[] second = consume(ring, Integer.MAX_VALUE);
        assertThat(concat(first, second)).isEqualTo(data);
        assertThat(ring.size()).isZero();
    }

    @Test
    void partialReadsLeaveTheRestReadableInOrder() {
        StreamReadRing ring = ring(32);
        byte[] data = bytes(20, 6);
        produce(ring, data, 0, 20);
        byte[] a = consume(ring, 3);
        assertThat(ring.readableBytes(ring.headPosition())).isEqualTo(17);
        assertThat(ring.size()).isEqualTo(17);
        byte[] b = consume(ring, 7);
        byte[] c = consume(ring, 100);
        assertThat(concat(a, b, c)).isEqualTo(data);
        assertThat(consume(ring, 100)).isEmpty();
    }

    @Test
    void positionsKeepGrowingAcrossManyWrapsAndTheBytesComeOutInOrder() {
        // A model check: random write and read sizes against a plain FIFO of expected bytes.
        StreamReadRing ring = ring(128);
        SplittableRandom random = new SplittableRandom(7);
        byte[] stream = bytes(200_000, 8);
        int written = 0;
        int read = 0;
        while (read < stream.length) {
            int w = Math.min(stream.length - written, Math.min(ring.writableBytes(), random.nextInt(1, 100)));
            if (w > 0) {
                produce(ring, stream, written, w);
                written += w;
            }
            assertThat(ring.size()).isEqualTo(written - read);
            assertThat(ring.size()).isBetween(0L, 128L);
            byte[] got = consume(ring, random.nextInt(1, 100));
            assertThat(got).isEqualTo(java.util.Arrays.copyOfRange(stream, read, read + got.length));
            read += got.length;
        }
        assertThat(ring.tailPosition()).isEqualTo(stream.length);
        assertThat(ring.headPosition()).isEqualTo(stream.length);
    }

    @Test
    void resetEmptiesTheRingForTheNextStream() {
        StreamReadRing ring = ring(64);
        produce(ring, bytes(30, 9), 0, 30);
        consume(ring, 5);
        ring.reset();
        assertThat(ring.size()).isZero();
        assertThat(ring.headPosition()).isZero();
        assertThat(ring.tailPosition()).isZero();
        assertThat(ring.writableBytes()).isEqualTo(64);
        assertThat(ring.readableBytes(0)).isZero();
    }

    @Test
    void oneProducerThreadAndOneConsumerThreadPassTwoMegabytesExactly() throws Exception {
        StreamReadRing ring = ring(4096);
        int total = 2 << 20;
        byte[] source = bytes(total, 10);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Thread producer = Thread.ofPlatform().start(() -> {
            try (Arena local = Arena.ofConfined()) {
                MemorySegment src = local.allocateFrom(ValueLayout.JAVA_BYTE, source);
                SplittableRandom random = new SplittableRandom(11);
                int written = 0;
                while (written < total && failure.get() == null) {
                    int n = Math.min(Math.min(ring.writableBytes(), total - written), random.nextInt(1, 3000));
                    if (n == 0) {
                        if (System.nanoTime() - deadline > 0) {
                            throw new AssertionError("producer stuck at " + written);
                        }
                        Thread.yield(); // two cores shared with the rest of the build: let the other side run
                        continue;
                    }
                    assertInsideMemory(ring, ring.writeAddress(), n);
                    UnsafeApi.copyMemory(src.address() + written, ring.writeAddress(), n);
                    ring.commitWrite(n);
                    written += n;
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        });
        CRC32 expected = new CRC32();
        expected.update(source);
        CRC32 actual = new CRC32();
        byte[] scratch = new byte[4096];
        SplittableRandom random = new SplittableRandom(12);
        long read = 0;
        while (read < total && failure.get() == null) {
            long head = ring.headPosition();
            int n = Math.min(ring.readableBytes(head), random.nextInt(1, 3000));
            if (n == 0) {
                assertThat(System.nanoTime() - deadline).as("consumer stuck at %d", read).isNegative();
                Thread.yield(); // two cores shared with the rest of the build: let the other side run
                continue;
            }
            ring.view().getBytes(ring.index(head), scratch, 0, n);
            actual.update(scratch, 0, n);
            ring.commitRead(head + n);
            read += n;
        }
        producer.join(TimeUnit.SECONDS.toMillis(20));
        assertThat(failure.get()).isNull();
        assertThat(read).isEqualTo(total);
        assertThat(actual.getValue()).isEqualTo(expected.getValue());
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
