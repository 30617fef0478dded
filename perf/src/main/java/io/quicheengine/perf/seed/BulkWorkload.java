package io.quicheengine.perf.seed;

import io.quicheengine.perf.e2e.BulkResult;
import io.quicheengine.perf.e2e.BulkSpec;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The bulk benchmark on a seed design: one writer thread per client stream (stream ids 0, 4, 8...
 * of client-initiated bidirectional streams), each writing its share in {@code chunkSize} pieces
 * and fin; one server sink thread reads all streams and counts. Time runs from the sink's first
 * byte to its last. Allocation of both loop threads is measured after the first eighth of the bytes
 * (the warm-up). Driver thread only.
 */
final class BulkWorkload {

    private static final long WRITE_TIMEOUT_MILLIS = 30_000;
    private static final int READ_BUFFER = 64 * 1024;
    private static final double MIB = 1024.0 * 1024.0;

    private BulkWorkload() {
    }

    static BulkResult run(String system, SeedTransportFactory factory, BulkSpec spec) throws Exception {
        if (spec.streams() < 1) {
            throw new IllegalArgumentException("spec.streams must be at least 1: " + spec.streams());
        }
        if (spec.chunkSize() < 1) {
            throw new IllegalArgumentException("spec.chunkSize must be at least 1: " + spec.chunkSize());
        }
        if (spec.totalBytes() < spec.streams()) {
            throw new IllegalArgumentException("spec.totalBytes must be at least one per stream: " + spec.totalBytes());
        }
        long[] shares = new long[spec.streams()];
        for (int i = 0; i < shares.length; i++) {
            shares[i] = spec.totalBytes() / shares.length + (i < spec.totalBytes() % shares.length ? 1 : 0);
        }
        // Generous: 20 s plus 2 s per 64 MiB at worst-case debug-library speed.
        long timeoutMillis = 20_000 + spec.totalBytes() / (32L << 20) * 1_000;

        try (SeedPair pair = SeedPair.open(factory, system)) {
            Sink sink = new Sink(pair.server(), pair.serverSignal, shares, pair.loopThreadIds(), timeoutMillis);
            long cpuStart = LoopMeters.processCpuNanos();
            AppThread sinkThread = AppThread.start(system + "-sink", sink::run);
            AppThread[] writers = new AppThread[shares.length];
            for (int i = 0; i < writers.length; i++) {
                long streamId = 4L * i;
                long share = shares[i];
                writers[i] = AppThread.start(system + "-writer-" + i, () -> write(pair.client(), streamId, share, spec.chunkSize()));
            }
            for (AppThread writer : writers) {
                writer.join(timeoutMillis);
            }
            sinkThread.join(timeoutMillis);
            double cpuSeconds = (LoopMeters.processCpuNanos() - cpuStart) / 1e9;
            long measuredBytes = sink.total - sink.warmupBytes;
            double allocPerMiB = measuredBytes > 0 ? (sink.allocatedAtEnd - sink.allocatedAtWarmup) / (measuredBytes / MIB) : Double.NaN;
            return new BulkResult(system, spec, sink.total, sink.lastByteNanos - sink.firstByteNanos, cpuSeconds, allocPerMiB);
        }
    }

    private static void write(SeedTransport client, long streamId, long share, int chunkSize) throws Exception {
        byte[] chunk = new byte[(int) Math.min(chunkSize, Math.max(1, share))];
        Arrays.fill(chunk, (byte) streamId);
        long left = share;
        while (left > 0) {
            int n = (int) Math.min(chunk.length, left);
            left -= n;
            client.write(streamId, chunk, 0, n, left == 0, WRITE_TIMEOUT_MILLIS);
        }
    }

    /** The server application: reads every stream until its fin, counting. Its own thread. */
    private static final class Sink {
        private final SeedTransport server;
        private final ReadableSignal signal;
        private final long[] shares;
        private final long[] loopThreads;
        private final long timeoutMillis;
        private final long warmupThreshold;
        // Written by the sink thread, read by the driver after join.
        long total;
        long firstByteNanos;
        long lastByteNanos;
        long warmupBytes;
        long allocatedAtWarmup;
        long allocatedAtEnd;

        Sink(SeedTransport server, ReadableSignal signal, long[] shares, long[] loopThreads, long timeoutMillis) {
            this.server = server;
            this.signal = signal;
            this.shares = shares;
            this.loopThreads = loopThreads;
            this.timeoutMillis = timeoutMillis;
            this.warmupThreshold = Arrays.stream(shares).sum() / 8;
        }

        void run() throws Exception {
            byte[] buffer = new byte[READ_BUFFER];
            long[] received = new long[shares.length];
            boolean[] finished = new boolean[shares.length];
            int open = shares.length;
            boolean warm = false;
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (open > 0) {
                long seen = signal.epoch();
                boolean progress = false;
                for (int i = 0; i < shares.length; i++) {
                    if (finished[i]) {
                        continue;
                    }
                    int n;
                    while ((n = server.read(4L * i, buffer, 0, buffer.length)) > 0) {
                        long now = System.nanoTime();
                        if (total == 0) {
                            firstByteNanos = now;
                        }
                        lastByteNanos = now;
                        total += n;
                        received[i] += n;
                        progress = true;
                        if (!warm && total >= warmupThreshold) {
                            warm = true;
                            warmupBytes = total;
                            allocatedAtWarmup = LoopMeters.allocatedBytes(loopThreads);
                        }
                    }
                    if (n < 0) {
                        finished[i] = true;
                        open--;
                        progress = true;
                        if (received[i] != shares[i]) {
                            throw new IllegalStateException("stream " + 4L * i + " ended after " + received[i]
                                    + " bytes, expected " + shares[i]);
                        }
                    }
                }
                if (!progress) {
                    signal.awaitChange(seen, deadline, "bulk data (" + total + " bytes so far)");
                }
            }
            allocatedAtEnd = LoopMeters.allocatedBytes(loopThreads);
        }
    }
}
