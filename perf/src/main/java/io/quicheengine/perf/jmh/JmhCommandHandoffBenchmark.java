package io.quicheengine.perf.jmh;

import io.quicheengine.internal.buffers.CommandRing;
import io.quicheengine.internal.buffers.CommandSlot;
import io.quicheengine.internal.buffers.NativeResources;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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

/**
 * Command handoff from application threads to the loop thread: what one {@code offer} of a small
 * write costs the producer, with one consumer thread (the "loop") draining all the time.
 * {@code impl}:
 * <ul>
 *   <li>{@code disruptor}: the engine's real {@link CommandRing} (multi-producer Disruptor ring,
 *       pre-allocated events with off-heap payload slots, {@code EventPoller} consumer gating the
 *       producers), used exactly as {@code QuicStream.offer} and the loop use it: {@code tryClaim},
 *       fill the event and copy the payload into its slot, {@code publish}; the consumer polls.</li>
 *   <li>{@code mutexQueue}: the seed's queue: a new command with its own copy of the bytes,
 *       appended to an {@link ArrayDeque} under a {@link ReentrantLock}; the consumer swaps the
 *       deque out under the lock and drains it.</li>
 *   <li>{@code clq}: the same commands through a {@link ConcurrentLinkedQueue}.</li>
 *   <li>{@code globalLock}: no queue: the seed's original design, the producer takes the one
 *       connection lock and copies the bytes into the connection's send buffer itself (as
 *       {@code quiche_conn_stream_send} would); the consumer takes the same lock to flush it.</li>
 * </ul>
 *   <li>{@code streamOffer}: the same ring behind the real {@link QuicStream#offer} of one stream
 *       (credit reserved on the stream and its connection, bytes counted as accepted), with a consumer
 *       that does to each write's stream what the loop does once quiche took the bytes: counts them
 *       as sent, returns their credit and looks whether a writer waits. Producers and consumer
 *       write the same {@code StreamState}, so this is where its field layout and atomics show.</li>
 * </ul>
 * All five hold at most {@value #CAPACITY} commands in flight (a producer that finds no room
 * yields and tries again, as the engine's writers wait for ring space): the seed's queue and the
 * CLQ are unbounded by themselves, and an unbounded queue in a benchmark only measures the garbage
 * collector. The CLQ bound costs one extra atomic per command. Waking a parked consumer is left out
 * of all four: the engine's costs a volatile read while the loop is not parked, the seed's
 * ({@code ev_async_send}, a selector wake-up in the Java seed designs) a lock and at most one
 * syscall per loop cycle.
 *
 * <p>The consumer runs on its own thread (started per trial) and yields when it found nothing, so
 * on a machine with fewer free cores than threads the figures measure handoff rather than who the
 * scheduler runs; producer threads are JMH's ({@code -t 1}, {@code 2}, {@code 4};
 * {@link io.quicheengine.perf.jmh.JmhMain} runs all three). With 4 producers plus the consumer on
 * 2 cores the threads take turns; the figures say so. Run with {@code -prof gc}: B/op is what one
 * handoff allocates (all threads).
 */
@BenchmarkMode({Mode.Throughput, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {
        "--enable-native-access=ALL-UNNAMED",
        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow"})
@State(Scope.Benchmark)
public class JmhCommandHandoffBenchmark {
    static final int CAPACITY = 4096;

    @Param({"disruptor", "streamOffer", "mutexQueue", "clq", "globalLock"})
    public String impl;

    /** Bytes each command carries (a small application message). */
    @Param({"64"})
    public int payloadBytes;

    private Handoff handoff;
    private Thread consumer;
    private volatile boolean running;

    /** Per producer thread: the bytes it hands over. */
    @State(Scope.Thread)
    public static class Payload {
        byte[] bytes;

        @Setup(Level.Trial)
        public void setUp(JmhCommandHandoffBenchmark benchmark) {
            bytes = new byte[benchmark.payloadBytes];
            Arrays.fill(bytes, (byte) 7);
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        handoff = switch (impl) {
            case "disruptor" -> new DisruptorHandoff(payloadBytes);
            case "streamOffer" -> new StreamOfferHandoff(payloadBytes);
            case "mutexQueue" -> new MutexQueueHandoff();
            case "clq" -> new ClqHandoff();
            case "globalLock" -> new GlobalLockHandoff(payloadBytes);
            default -> throw new IllegalArgumentException("impl must be disruptor, streamOffer, mutexQueue, clq or globalLock, was " + impl);
        };
        running = true;
        consumer = new Thread(() -> {
            while (running) {
                if (handoff.drain() == 0) {
                    Thread.yield();
                }
            }
        }, "jmh-handoff-consumer");
        consumer.setDaemon(true);
        consumer.start();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        running = false;
        consumer.join(5_000);
        handoff.close();
    }

    @Benchmark
    public void handoff(Payload payload) {
        handoff.offer(payload.bytes);
    }

    /** One handoff mechanism: producers offer, the consumer drains. */
    interface Handoff {
        /** Producer threads: hands {@code bytes} over, spinning while there is no room. */
        void offer(byte[] bytes);

        /** The consumer thread: takes everything available; returns how many commands. */
        int drain();

        default void close() {
        }
    }

    /** The engine's own ring, driven the way {@code QuicStream.offer} and {@code EventLoop} drive it. */
    static final class DisruptorHandoff implements Handoff {
        private final Arena arena = Arena.ofShared();
        /** The engine's WRITE command type (its command kinds are not part of the ring). */
        private static final int WRITE = 1;
        private final CommandRing<CommandSlot> ring;
        private int drained;
        private long consumed;
        private final com.lmax.disruptor.EventPoller.Handler<CommandSlot> handler = (command, sequence, endOfBatch) -> {
            consumed += command.payload.get(ValueLayout.JAVA_BYTE, 0) + command.length;
            command.clear();
            drained++;
            return true;
        };

        DisruptorHandoff(int payloadBytes) {
            ring = new CommandRing<>(arena, CAPACITY, Math.max(64, payloadBytes), new NativeResources(), CommandSlot::new);
        }

        @Override
        public void offer(byte[] bytes) {
            long sequence;
            while ((sequence = ring.tryClaim(1)) < 0) {
                Thread.yield();
            }
            CommandSlot command = ring.get(sequence);
            command.type = WRITE;
            command.length = bytes.length;
            command.fin = false;
            MemorySegment.copy(bytes, 0, command.payload, ValueLayout.JAVA_BYTE, 0, bytes.length);
            ring.publish(sequence, sequence);
        }

        @Override
        public int drain() {
            drained = 0;
            try {
                ring.poll(handler);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return drained;
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    /**
     * {@code QuicStream.offer} on one stream of an engine core that has no loop thread; the consumer
     * plays the loop's part for each write (quiche taking every byte at once). The engine's
     * package-private state is reached through {@link io.quicheengine.StreamOfferRig}.
     */
    static final class StreamOfferHandoff implements Handoff {
        private final io.quicheengine.StreamOfferRig rig;

        StreamOfferHandoff(int payloadBytes) {
            rig = new io.quicheengine.StreamOfferRig(CAPACITY, payloadBytes);
        }

        @Override
        public void offer(byte[] bytes) {
            rig.offer(bytes);
        }

        @Override
        public int drain() {
            return rig.drain();
        }

        @Override
        public void close() {
            rig.close();
        }
    }

    /** The seed's command: a stream id and its own copy of the bytes. */
    record SeedCommand(long streamId, byte[] data, boolean fin) {
    }

    /** The seed's mutex-guarded queue: copy per command, ArrayDeque under a lock, swapped out by the consumer. */
    static final class MutexQueueHandoff implements Handoff {
        private final ReentrantLock lock = new ReentrantLock();
        private ArrayDeque<SeedCommand> queue = new ArrayDeque<>();
        private ArrayDeque<SeedCommand> drainedQueue = new ArrayDeque<>();
        private long consumed;

        @Override
        public void offer(byte[] bytes) {
            SeedCommand command = new SeedCommand(4, Arrays.copyOf(bytes, bytes.length), false);
            while (true) {
                lock.lock();
                try {
                    if (queue.size() < CAPACITY) {
                        queue.addLast(command);
                        return;
                    }
                } finally {
                    lock.unlock();
                }
                Thread.yield();
            }
        }

        @Override
        public int drain() {
            lock.lock();
            try {
                ArrayDeque<SeedCommand> full = queue;
                queue = drainedQueue;
                drainedQueue = full;
            } finally {
                lock.unlock();
            }
            int n = 0;
            SeedCommand command;
            while ((command = drainedQueue.pollFirst()) != null) {
                consumed += command.data()[0] + command.data().length;
                n++;
            }
            return n;
        }
    }

    /** A lock-free unbounded queue, bounded here by an in-flight counter. */
    static final class ClqHandoff implements Handoff {
        private final ConcurrentLinkedQueue<SeedCommand> queue = new ConcurrentLinkedQueue<>();
        private final AtomicInteger inFlight = new AtomicInteger();
        private long consumed;

        @Override
        public void offer(byte[] bytes) {
            SeedCommand command = new SeedCommand(4, Arrays.copyOf(bytes, bytes.length), false);
            while (inFlight.get() >= CAPACITY) {
                Thread.yield();
            }
            inFlight.incrementAndGet();
            queue.offer(command);
        }

        @Override
        public int drain() {
            int n = 0;
            SeedCommand command;
            while ((command = queue.poll()) != null) {
                consumed += command.data()[0] + command.data().length;
                n++;
            }
            if (n > 0) {
                inFlight.addAndGet(-n);
            }
            return n;
        }
    }

    /** The seed's global lock: producers write into the connection's send buffer under the connection lock. */
    static final class GlobalLockHandoff implements Handoff {
        private final ReentrantLock connectionLock = new ReentrantLock();
        private final byte[] sendBuffer;
        private final int payloadBytes;
        private int commands; // guarded by connectionLock
        private int writeIndex; // guarded by connectionLock
        private long consumed;

        GlobalLockHandoff(int payloadBytes) {
            this.payloadBytes = payloadBytes;
            this.sendBuffer = new byte[CAPACITY * payloadBytes];
        }

        @Override
        public void offer(byte[] bytes) {
            while (true) {
                connectionLock.lock();
                try {
                    if (commands < CAPACITY) {
                        System.arraycopy(bytes, 0, sendBuffer, writeIndex, bytes.length);
                        writeIndex += payloadBytes;
                        commands++;
                        return;
                    }
                } finally {
                    connectionLock.unlock();
                }
                Thread.yield();
            }
        }

        @Override
        public int drain() {
            connectionLock.lock();
            try {
                int n = commands;
                if (n > 0) {
                    // The loop packetizes what was written: here it only reads the first and last byte.
                    consumed += sendBuffer[0] + sendBuffer[writeIndex - 1];
                    commands = 0;
                    writeIndex = 0;
                }
                return n;
            } finally {
                connectionLock.unlock();
            }
        }
    }
}
