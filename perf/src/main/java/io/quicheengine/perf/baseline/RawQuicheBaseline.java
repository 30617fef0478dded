package io.quicheengine.perf.baseline;

import io.quicheengine.ffi.QuicheError;
import io.quicheengine.ffi.QuicheException;
import io.quicheengine.ffi.QuicheLibrary;
import io.quicheengine.ffi.QuicheStream;
import io.quicheengine.perf.e2e.BulkResult;
import io.quicheengine.perf.e2e.BulkSpec;
import io.quicheengine.perf.e2e.PingPongResult;
import io.quicheengine.perf.e2e.PingPongSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Raw quiche in memory, one thread: a {@link RawQuichePair} moving a bulk stream and a 64-byte
 * ping-pong with nothing else in the way. Its figures are the ceiling for every system built on
 * the same libquiche, so it prints which build it ran on.
 *
 * <p>The measured loops allocate nothing (preallocated segments, reused flyweights, a fixed-size
 * histogram); {@link #lastLoopBytesAllocated()} proves it with the thread's allocation counter.
 *
 * <p>Not thread-safe: one thread runs one measurement at a time.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp perf/target/classes:perf/target/lib/* \
 *     io.quicheengine.perf.baseline.RawQuicheBaseline [bulk=1g] [warmup=256m] [chunk=64k] [pingWarmup=20000] [pings=100000] [size=64]
 * </pre>
 */
public final class RawQuicheBaseline {

    /** The system name in results. */
    public static final String SYSTEM = "raw-quiche";

    // Stream content is a pattern with a prime period, so a byte that lands at a wrong offset
    // (lost, duplicated or reordered data) breaks the spot check with high probability.
    private static final int PATTERN_PERIOD = 251;
    private static final long WARMUP_STREAM = 0;
    private static final long MEASURED_STREAM = 4;
    private static final long PING_STREAM = 0;
    private static final int RECV_BUFFER = 256 * 1024;
    private static final long MAX_ROUND_TRIP_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int MIN_MESSAGE = Long.BYTES;
    private static final int MAX_MESSAGE = 1200;
    private static final int WARMUP_BATCHES = 4;

    private final long bulkWarmupBytes;
    private long lastLoopBytesAllocated = -1;

    /** @param bulkWarmupBytes bytes moved on a separate stream before the measured bulk stream (JIT, congestion window) */
    public RawQuicheBaseline(long bulkWarmupBytes) {
        if (bulkWarmupBytes < 0) {
            throw new IllegalArgumentException("bulkWarmupBytes must be >= 0, was " + bulkWarmupBytes);
        }
        this.bulkWarmupBytes = bulkWarmupBytes;
    }

    /** Bytes the calling thread allocated during the last measured loop (-1 before any run or when unknown). */
    public long lastLoopBytesAllocated() {
        return lastLoopBytesAllocated;
    }

    /**
     * One client-to-server stream of {@code spec.totalBytes()}, offered in {@code spec.chunkSize()}
     * pieces, after {@code bulkWarmupBytes} on another stream of the same connection. The time is
     * from the server's first byte to its last; every received piece is spot-checked against the
     * pattern at its stream offset, and the byte count and fin must match.
     */
    public BulkResult bulk(BulkSpec spec) {
        if (spec.streams() != 1) {
            throw new IllegalArgumentException("raw-quiche bulk uses exactly one stream, spec.streams was " + spec.streams());
        }
        if (spec.totalBytes() <= 0 || spec.chunkSize() <= 0) {
            throw new IllegalArgumentException("spec.totalBytes and spec.chunkSize must be > 0: " + spec);
        }
        try (RawQuichePair pair = new RawQuichePair(); Arena arena = Arena.ofConfined()) {
            BulkPump pump = new BulkPump(pair, arena, spec.chunkSize());
            if (bulkWarmupBytes > 0) {
                pump.transfer(WARMUP_STREAM, bulkWarmupBytes);
            }
            long cpuBefore = processCpuNanos();
            long allocatedBefore = AllocationMeter.currentThreadAllocatedBytes();
            long received = pump.transfer(MEASURED_STREAM, spec.totalBytes());
            long allocated = AllocationMeter.currentThreadAllocatedBytes() - allocatedBefore;
            long cpu = processCpuNanos() - cpuBefore;
            lastLoopBytesAllocated = allocatedBefore < 0 ? -1 : allocated;
            double perMiB = allocatedBefore < 0 ? Double.NaN : allocated / (received / (double) (1 << 20));
            return new BulkResult(SYSTEM, spec, received, pump.lastByteNanos - pump.firstByteNanos,
                    cpu < 0 ? Double.NaN : cpu / 1e9, perMiB);
        }
    }

    /**
     * {@code spec.count()} round trips of {@code spec.messageSize()} bytes after
     * {@code spec.warmup()} unrecorded ones: the client writes on one stream, the server echoes on
     * the same stream, the client reads all of it back. Each message carries its sequence number,
     * checked on return.
     */
    public PingPongResult pingPong(PingPongSpec spec) {
        if (spec.messageSize() < MIN_MESSAGE || spec.messageSize() > MAX_MESSAGE) {
            throw new IllegalArgumentException("spec.messageSize must be in [" + MIN_MESSAGE + ", " + MAX_MESSAGE + "], was " + spec.messageSize());
        }
        if (spec.warmup() < 0 || spec.count() <= 0) {
            throw new IllegalArgumentException("spec.warmup must be >= 0 and spec.count > 0: " + spec);
        }
        Histogram histogram = new Histogram(MAX_ROUND_TRIP_NANOS, 3);
        try (RawQuichePair pair = new RawQuichePair(); Arena arena = Arena.ofConfined()) {
            PingPong pingPong = new PingPong(pair, arena, spec.messageSize());
            // Warm-up runs the same loop as the measurement, in a few batches, so the loop and its
            // exit are compiled before the allocation counter starts (a deoptimization at a
            // never-taken loop exit would otherwise allocate); its recordings are thrown away.
            int batches = Math.min(WARMUP_BATCHES, Math.max(1, spec.warmup()));
            for (int b = 0; b < batches; b++) {
                int from = (int) ((long) spec.warmup() * b / batches);
                int to = (int) ((long) spec.warmup() * (b + 1) / batches);
                pingPong.roundTrips(histogram, from, to - from);
            }
            histogram.reset();
            long allocatedBefore = AllocationMeter.currentThreadAllocatedBytes();
            pingPong.roundTrips(histogram, spec.warmup(), spec.count());
            long allocated = AllocationMeter.currentThreadAllocatedBytes() - allocatedBefore;
            lastLoopBytesAllocated = allocatedBefore < 0 ? -1 : allocated;
        }
        return new PingPongResult(SYSTEM, spec, histogram);
    }

    /** The bulk loop's state: preallocated source slices, receive buffer and out-parameters. */
    private static final class BulkPump {
        private final RawQuichePair pair;
        private final MemorySegment[] sourceAtPhase = new MemorySegment[PATTERN_PERIOD];
        private final MemorySegment sink;
        private final MemorySegment fin;
        private final MemorySegment error;
        private final int chunk;
        long firstByteNanos;
        long lastByteNanos;

        BulkPump(RawQuichePair pair, Arena arena, int chunk) {
            this.pair = pair;
            this.chunk = chunk;
            MemorySegment source = arena.allocate(chunk + PATTERN_PERIOD, 64);
            for (long i = 0; i < source.byteSize(); i++) {
                source.set(ValueLayout.JAVA_BYTE, i, pattern(i));
            }
            // Stream offset s is sent from sourceAtPhase[s % period]: no slice is made in the loop.
            for (int phase = 0; phase < PATTERN_PERIOD; phase++) {
                sourceAtPhase[phase] = source.asSlice(phase, chunk);
            }
            sink = arena.allocate(RECV_BUFFER, 64);
            fin = arena.allocate(ValueLayout.JAVA_BOOLEAN);
            error = arena.allocate(ValueLayout.JAVA_LONG);
        }

        /** Moves {@code total} bytes on a new client stream; returns the bytes the server read. */
        long transfer(long stream, long total) {
            MemorySegment client = pair.client();
            MemorySegment server = pair.server();
            long offered = 0;
            long received = 0;
            boolean finSeen = false;
            firstByteNanos = 0;
            while (!finSeen) {
                while (offered < total) {
                    long length = Math.min(chunk, total - offered);
                    boolean last = offered + length == total;
                    long taken = QuicheStream.send(client, stream, sourceAtPhase[(int) (offered % PATTERN_PERIOD)], length, last, error);
                    if (taken == QuicheError.DONE.code()) {
                        break;
                    }
                    if (taken < 0) {
                        throw new QuicheException("client stream " + stream + ": quiche_conn_stream_send failed: " + QuicheError.describe(taken));
                    }
                    offered += taken;
                    if (taken < length) {
                        break;
                    }
                }
                pair.flushClient();
                while (true) {
                    long n = QuicheStream.recv(server, stream, sink, RECV_BUFFER, fin, error);
                    if (n == QuicheError.DONE.code()) {
                        break;
                    }
                    if (n < 0) {
                        throw new QuicheException("server stream " + stream + ": quiche_conn_stream_recv failed: " + QuicheError.describe(n));
                    }
                    if (n > 0) {
                        if (received == 0) {
                            firstByteNanos = System.nanoTime();
                        }
                        spotCheck(stream, received, n);
                        received += n;
                    }
                    if (fin.get(ValueLayout.JAVA_BOOLEAN, 0)) {
                        lastByteNanos = System.nanoTime();
                        finSeen = true;
                        break;
                    }
                }
                pair.flushServer();
                pair.serviceTimers();
            }
            if (received != total) {
                throw new IllegalStateException("stream " + stream + ": server read " + received + " bytes before fin, expected " + total);
            }
            return received;
        }

        private void spotCheck(long stream, long offset, long n) {
            checkByte(stream, offset, 0);
            checkByte(stream, offset, n >>> 1);
            checkByte(stream, offset, n - 1);
        }

        private void checkByte(long stream, long offset, long index) {
            byte actual = sink.get(ValueLayout.JAVA_BYTE, index);
            if (actual != pattern(offset + index)) {
                throw new IllegalStateException("stream " + stream + ": byte at offset " + (offset + index) + " is " + actual
                        + ", expected " + pattern(offset + index));
            }
        }

        private static byte pattern(long streamOffset) {
            return (byte) (streamOffset % PATTERN_PERIOD);
        }
    }

    /** The ping-pong loop's state: one message, echo and return buffers, out-parameters. */
    private static final class PingPong {
        private final RawQuichePair pair;
        private final int size;
        private final MemorySegment message;
        private final MemorySegment echo;
        private final MemorySegment[] returnedFrom;
        private final MemorySegment fin;
        private final MemorySegment error;

        PingPong(RawQuichePair pair, Arena arena, int size) {
            this.pair = pair;
            this.size = size;
            message = arena.allocate(size, 64);
            echo = arena.allocate(RECV_BUFFER, 64);
            MemorySegment returned = arena.allocate(size, 64);
            // returnedFrom[k] is where the client continues after k bytes came back.
            returnedFrom = new MemorySegment[size];
            for (int k = 0; k < size; k++) {
                returnedFrom[k] = returned.asSlice(k);
            }
            fin = arena.allocate(ValueLayout.JAVA_BOOLEAN);
            error = arena.allocate(ValueLayout.JAVA_LONG);
        }

        /** {@code count} round trips numbered from {@code firstSequence}, each recorded in {@code histogram}. */
        void roundTrips(Histogram histogram, long firstSequence, int count) {
            for (int i = 0; i < count; i++) {
                histogram.recordValue(Math.min(roundTrip(firstSequence + i), MAX_ROUND_TRIP_NANOS));
            }
        }

        /** One round trip of message {@code sequence}; returns its nanoseconds. */
        long roundTrip(long sequence) {
            MemorySegment client = pair.client();
            MemorySegment server = pair.server();
            message.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, sequence);
            long start = System.nanoTime();
            long taken = QuicheStream.send(client, PING_STREAM, message, size, false, error);
            if (taken != size) {
                throw new QuicheException("client: quiche_conn_stream_send took " + QuicheError.describe(taken) + " of " + size + " bytes");
            }
            int back = 0;
            while (back < size) {
                pair.flushClient();
                echoAll(server);
                pair.flushServer();
                while (back < size) {
                    long n = QuicheStream.recv(client, PING_STREAM, returnedFrom[back], size - back, fin, error);
                    if (n == QuicheError.DONE.code()) {
                        break;
                    }
                    if (n < 0) {
                        throw new QuicheException("client: quiche_conn_stream_recv failed: " + QuicheError.describe(n));
                    }
                    back += (int) n;
                }
                pair.serviceTimers();
            }
            long nanos = System.nanoTime() - start;
            long echoed = returnedFrom[0].get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
            if (echoed != sequence) {
                throw new IllegalStateException("round trip " + sequence + " came back carrying sequence " + echoed);
            }
            return nanos;
        }

        private void echoAll(MemorySegment server) {
            while (true) {
                long n = QuicheStream.recv(server, PING_STREAM, echo, RECV_BUFFER, fin, error);
                if (n == QuicheError.DONE.code()) {
                    return;
                }
                if (n < 0) {
                    throw new QuicheException("server: quiche_conn_stream_recv failed: " + QuicheError.describe(n));
                }
                long taken = QuicheStream.send(server, PING_STREAM, echo, n, false, error);
                if (taken != n) {
                    throw new QuicheException("server: quiche_conn_stream_send took " + QuicheError.describe(taken) + " of " + n + " bytes");
                }
            }
        }
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    /** Prints the bulk and ping-pong figures and the libquiche that produced them. */
    public static void main(String[] args) {
        MainArgs options = new MainArgs(args, "bulk", "warmup", "chunk", "pingWarmup", "pings", "size");
        long bulkBytes = options.size("bulk", 1L << 30);
        long warmupBytes = options.size("warmup", 256L << 20);
        int chunk = Math.toIntExact(options.size("chunk", 64 << 10));
        int pingWarmup = Math.toIntExact(options.size("pingWarmup", 20_000));
        int pings = Math.toIntExact(options.size("pings", 100_000));
        int size = Math.toIntExact(options.size("size", 64));

        System.out.println(QuicheLibrary.info());
        RawQuicheBaseline baseline = new RawQuicheBaseline(warmupBytes);
        BulkResult bulk = baseline.bulk(new BulkSpec(1, bulkBytes, chunk, "n/a"));
        System.out.printf(Locale.ROOT, "raw-quiche bulk: %d bytes in %.3f s = %.2f Gbit/s (after %d warm-up bytes; chunk %d)%n",
                bulk.bytes(), bulk.nanos() / 1e9, bulk.bytes() * 8.0 / bulk.nanos(), warmupBytes, chunk);
        System.out.printf(Locale.ROOT, "  process CPU %.3f s; loop allocated %d bytes (%.3f bytes/MiB)%n",
                bulk.cpuSeconds(), baseline.lastLoopBytesAllocated(), bulk.loopBytesAllocatedPerMiB());
        PingPongResult ping = baseline.pingPong(new PingPongSpec(size, pingWarmup, pings, "n/a"));
        System.out.println("raw-quiche ping-pong " + size + " B round trip: " + LatencyFormat.percentiles(ping.roundTripNanos()));
        System.out.printf(Locale.ROOT, "  mean %.2f us; loop allocated %d bytes%n",
                ping.roundTripNanos().getMean() / 1e3, baseline.lastLoopBytesAllocated());
    }
}
