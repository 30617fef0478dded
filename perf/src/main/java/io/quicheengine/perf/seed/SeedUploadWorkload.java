package io.quicheengine.perf.seed;

import io.quicheengine.perf.e2e.SeedResult;
import io.quicheengine.perf.e2e.SeedSpec;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The seed document's own test on a seed design: the client uploads at {@code bytesPerSecond} for
 * {@code seconds} on stream 0, paced in {@value #TICK_MILLIS} ms ticks; the server echoes; a client
 * reader thread checks every echoed byte against the pattern and counts them per second. RTT and
 * cwnd come from the client connection's path samples, packets from its final counters.
 * Driver thread only.
 */
final class SeedUploadWorkload {

    static final long TICK_MILLIS = 10;
    private static final long STREAM = 0;
    private static final long WRITE_TIMEOUT_MILLIS = 30_000;
    private static final long DRAIN_TIMEOUT_MILLIS = 20_000;

    private SeedUploadWorkload() {
    }

    /** The upload's content: byte {@code i} of the stream. */
    static byte patternAt(long i) {
        return (byte) (i ^ (i >>> 8) ^ (i >>> 16) ^ 0x5a);
    }

    static SeedResult run(String system, SeedTransportFactory factory, SeedSpec spec) throws Exception {
        if (spec.bytesPerSecond() < 1 || spec.seconds() < 1) {
            throw new IllegalArgumentException("spec.bytesPerSecond and spec.seconds must be positive: " + spec);
        }
        long total = spec.bytesPerSecond() * spec.seconds();
        long timeoutMillis = spec.seconds() * 1_000L + DRAIN_TIMEOUT_MILLIS;
        long sent = 0;
        long start;
        boolean intact;
        EchoReader reader;
        SeedTransport client;
        try (SeedPair pair = SeedPair.open(factory, system)) {
            client = pair.client();
            AppThread echo = AppThread.start(system + "-echo",
                    () -> EchoServer.run(pair.server(), pair.serverSignal, STREAM, timeoutMillis));
            start = System.nanoTime();
            reader = new EchoReader(client, pair.clientSignal, total, start, spec.seconds(), timeoutMillis);
            AppThread readerThread = AppThread.start(system + "-echo-reader", reader::run);
            byte[] chunk = new byte[(int) Math.min(total, spec.bytesPerSecond() * TICK_MILLIS / 1_000 + 1)];
            long tickNanos = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
            for (long tick = 1; sent < total; tick++) {
                long due = Math.min(total, spec.bytesPerSecond() * tick * TICK_MILLIS / 1_000);
                while (sent < due) {
                    int n = (int) Math.min(chunk.length, due - sent);
                    for (int j = 0; j < n; j++) {
                        chunk[j] = patternAt(sent + j);
                    }
                    sent += n;
                    client.write(STREAM, chunk, 0, n, sent == total, WRITE_TIMEOUT_MILLIS);
                }
                long wakeAt = start + tick * tickNanos;
                for (long left = wakeAt - System.nanoTime(); left > 0; left = wakeAt - System.nanoTime()) {
                    LockSupport.parkNanos(left);
                }
            }
            // A reader that saw a wrong byte or timed out means "not completed", which is a result, not a crash.
            intact = joinQuietly(readerThread, timeoutMillis) && joinQuietly(echo, timeoutMillis);
        }
        SeedConnStats stats = client.stats();
        long peak = 0;
        for (long bytes : reader.bytesPerSecond) {
            peak = Math.max(peak, bytes);
        }
        double elapsedSeconds = (reader.lastByteNanos - start) / 1e9;
        double average = reader.received > 0 && elapsedSeconds > 0 ? reader.received * 8 / 1e6 / elapsedSeconds : 0;
        return new SeedResult(system, spec, intact && reader.ended && reader.received == total, sent, reader.received,
                peak * 8 / 1e6, average, stats.rttMinMicros(), stats.rttAvgMicros(), stats.rttMaxMicros(),
                stats.cwndMaxBytes(), stats.packetsSent(), stats.packetsReceived(), stats.packetsLost());
    }

    private static boolean joinQuietly(AppThread thread, long timeoutMillis) {
        try {
            thread.join(timeoutMillis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    /** The client's reader: checks the echo byte by byte and counts it per second. Its own thread. */
    private static final class EchoReader {
        private final SeedTransport client;
        private final ReadableSignal signal;
        private final long expected;
        private final long startNanos;
        private final long timeoutMillis;
        // Written by the reader thread, read by the driver after join.
        final long[] bytesPerSecond;
        long received;
        long lastByteNanos;
        boolean ended;

        EchoReader(SeedTransport client, ReadableSignal signal, long expected, long startNanos, int seconds, long timeoutMillis) {
            this.client = client;
            this.signal = signal;
            this.expected = expected;
            this.startNanos = startNanos;
            this.timeoutMillis = timeoutMillis;
            this.bytesPerSecond = new long[(int) (seconds + TimeUnit.MILLISECONDS.toSeconds(timeoutMillis) + 1)];
        }

        void run() throws Exception {
            byte[] buffer = new byte[64 * 1024];
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (true) {
                long seen = signal.epoch();
                int n = client.read(STREAM, buffer, 0, buffer.length);
                if (n > 0) {
                    for (int j = 0; j < n; j++) {
                        if (buffer[j] != patternAt(received + j)) {
                            throw new IllegalStateException("echoed byte " + (received + j) + " is " + buffer[j]
                                    + ", expected " + patternAt(received + j));
                        }
                    }
                    received += n;
                    lastByteNanos = System.nanoTime();
                    int second = (int) Math.min(bytesPerSecond.length - 1, (lastByteNanos - startNanos) / 1_000_000_000L);
                    bytesPerSecond[second] += n;
                } else if (n < 0) {
                    ended = true;
                    if (received != expected) {
                        throw new IllegalStateException("echo ended after " + received + " of " + expected + " bytes");
                    }
                    return;
                } else {
                    signal.awaitChange(seen, deadline, "the echo (" + received + " of " + expected + " bytes)");
                }
            }
        }
    }
}
