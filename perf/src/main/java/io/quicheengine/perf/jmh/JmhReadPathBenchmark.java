package io.quicheengine.perf.jmh;

import io.quicheengine.internal.buffers.StreamReadRing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The read path, loop thread to application thread: bytes moved from a producer (the loop, which
 * got {@code chunk} bytes from quiche) to a consumer (the reading application thread), with both
 * running all the time on their own threads (a JMH group of one producer and one consumer).
 * <ul>
 *   <li>{@code ring_copy}: the engine's real {@link StreamReadRing} (off-heap, one producer, one
 *       consumer, positions on separate cache lines), 256 KiB as the engine's default; the
 *       producer copies into the ring at its tail (quiche writes there directly), the consumer
 *       copies out as {@code QuicStream.read} does.</li>
 *   <li>{@code ring_inPlace}: the same ring read in place as {@code QuicStream.poll} hands it to a
 *       {@code FragmentHandler} (the handler touches the last byte of each fragment).</li>
 *   <li>{@code seed_copy}: the seed's {@code StreamReadBuffer} (a growable byte array and a lock,
 *       {@code io.quicheengine.perf.seed.StreamReadBuffer}): the producer appends, the consumer
 *       copies out, both under the lock. The seed buffer is unbounded; here the producer stops at
 *       256 KiB unread like the ring (quiche's flow control would stop it in the real design).</li>
 * </ul>
 * The figure to read is the {@code bytes} counter (bytes the consumer got per time unit); the
 * primary score counts calls of both methods, including ones that found nothing to do. A side
 * that finds nothing to do yields, so on a busy machine the two threads take turns instead of
 * spinning out each other's time slices (the same for all three). With
 * {@code -prof gc}, allocation per byte moved is {@code gc.alloc.rate} over {@code bytes}
 * ({@link io.quicheengine.perf.jmh.JmhMain} prints it).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {
        "--enable-native-access=ALL-UNNAMED",
        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow"})
public class JmhReadPathBenchmark {
    static final int CAPACITY = 256 * 1024;

    private static final MethodHandle NEW_SEED_BUFFER;
    private static final MethodHandle SEED_APPEND;
    private static final MethodHandle SEED_READ;

    static {
        // The seed's buffer is package-private in io.quicheengine.perf.seed, which this benchmark's
        // package is not, so it reaches the seed buffer through handles.
        try {
            Class<?> type = Class.forName("io.quicheengine.perf.seed.StreamReadBuffer");
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(type, MethodHandles.lookup());
            NEW_SEED_BUFFER = lookup.findConstructor(type, MethodType.methodType(void.class))
                    .asType(MethodType.methodType(Object.class));
            SEED_APPEND = lookup.findVirtual(type, "append", MethodType.methodType(void.class, MemorySegment.class, int.class, boolean.class))
                    .asType(MethodType.methodType(void.class, Object.class, MemorySegment.class, int.class, boolean.class));
            SEED_READ = lookup.findVirtual(type, "read", MethodType.methodType(int.class, byte[].class, int.class, int.class))
                    .asType(MethodType.methodType(int.class, Object.class, byte[].class, int.class, int.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Bytes the consumer received: reported by JMH per time unit. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Moved {
        public long bytes;

        @Setup(Level.Iteration)
        public void clear() {
            bytes = 0;
        }
    }

    /** One stream's buffer shared by the group's producer and consumer. */
    @State(Scope.Group)
    public static class Path {
        private static final VarHandle CONSUMED;

        static {
            try {
                CONSUMED = MethodHandles.lookup().findVarHandle(Path.class, "consumed", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        @Param({"64", "1024", "65536"})
        public int chunk;

        Arena arena;
        MemorySegment source;
        StreamReadRing ring;
        Object seedBuffer;
        /** Seed only: bytes appended (producer's) and bytes read (consumer's, published with release). */
        long produced;
        volatile long consumed;

        @Setup(Level.Trial)
        public void setUp() throws Throwable {
            arena = Arena.ofShared();
            source = arena.allocate(chunk, 64);
            for (int i = 0; i < chunk; i++) {
                source.set(ValueLayout.JAVA_BYTE, i, (byte) i);
            }
            ring = new StreamReadRing(arena.allocate(CAPACITY, 64));
            seedBuffer = (Object) NEW_SEED_BUFFER.invokeExact();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }

        void addConsumed(long n) {
            CONSUMED.setRelease(this, consumed + n);
        }
    }

    /** The consumer's destination, one chunk. */
    @State(Scope.Thread)
    public static class Destination {
        byte[] bytes;

        @Setup(Level.Trial)
        public void setUp(Path path) {
            bytes = new byte[path.chunk];
        }
    }

    // ---- the engine's ring ----

    private static void ringWrite(Path p) {
        StreamReadRing ring = p.ring;
        int n = Math.min(p.chunk, ring.writableBytes());
        if (n > 0) {
            MemorySegment.copy(p.source, 0, ring.memory(), ring.index(ring.tailPosition()), n);
            ring.commitWrite(n);
        } else {
            Thread.yield();
        }
    }

    @Benchmark
    @Group("ring_copy")
    @GroupThreads(1)
    public void ringCopyProducer(Path p) {
        ringWrite(p);
    }

    @Benchmark
    @Group("ring_copy")
    @GroupThreads(1)
    public void ringCopyConsumer(Path p, Destination d, Moved moved) {
        StreamReadRing ring = p.ring;
        long head = ring.headPosition();
        int copied = 0;
        byte[] dst = d.bytes;
        while (copied < dst.length) {
            int available = ring.readableBytes(head);
            if (available == 0) {
                break;
            }
            int n = Math.min(available, dst.length - copied);
            MemorySegment.copy(ring.memory(), ValueLayout.JAVA_BYTE, ring.index(head), dst, copied, n);
            head += n;
            copied += n;
        }
        if (copied > 0) {
            ring.commitRead(head);
            moved.bytes += copied;
        } else {
            Thread.yield();
        }
    }

    @Benchmark
    @Group("ring_inPlace")
    @GroupThreads(1)
    public void ringInPlaceProducer(Path p) {
        ringWrite(p);
    }

    @Benchmark
    @Group("ring_inPlace")
    @GroupThreads(1)
    public void ringInPlaceConsumer(Path p, Moved moved, Blackhole bh) {
        StreamReadRing ring = p.ring;
        UnsafeBuffer view = ring.view();
        long head = ring.headPosition();
        int length;
        int f = 0;
        // Up to 16 fragments, as a typical poll(handler, 16).
        for (; f < 16 && (length = ring.readableBytes(head)) > 0; f++) {
            bh.consume(view.getByte(ring.index(head) + length - 1));
            head += length;
            moved.bytes += length;
            ring.commitRead(head);
        }
        if (f == 0) {
            Thread.yield();
        }
    }

    // ---- the seed's vector + mutex ----

    @Benchmark
    @Group("seed_copy")
    @GroupThreads(1)
    public void seedCopyProducer(Path p) throws Throwable {
        if (p.produced - p.consumed + p.chunk <= CAPACITY) {
            SEED_APPEND.invokeExact(p.seedBuffer, p.source, p.chunk, false);
            p.produced += p.chunk;
        } else {
            Thread.yield();
        }
    }

    @Benchmark
    @Group("seed_copy")
    @GroupThreads(1)
    public void seedCopyConsumer(Path p, Destination d, Moved moved) throws Throwable {
        int n = (int) SEED_READ.invokeExact(p.seedBuffer, d.bytes, 0, d.bytes.length);
        if (n > 0) {
            p.addConsumed(n);
            moved.bytes += n;
        } else {
            Thread.yield();
        }
    }
}
