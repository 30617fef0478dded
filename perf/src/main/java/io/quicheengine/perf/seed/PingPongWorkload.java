package io.quicheengine.perf.seed;

import io.quicheengine.perf.e2e.PingPongResult;
import io.quicheengine.perf.e2e.PingPongSpec;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;

/**
 * The ping-pong benchmark on a seed design: on stream 0 the client (the driver thread) writes
 * {@code messageSize} bytes, the server's echo thread writes them back, the client waits for all of
 * them and checks them; round trips after the warm-up go into the histogram. Driver thread only.
 */
final class PingPongWorkload {

    private static final long STREAM = 0;
    private static final long WRITE_TIMEOUT_MILLIS = 30_000;
    private static final long HIGHEST_TRACKABLE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private PingPongWorkload() {
    }

    static PingPongResult run(String system, SeedTransportFactory factory, PingPongSpec spec) throws Exception {
        if (spec.messageSize() < 1) {
            throw new IllegalArgumentException("spec.messageSize must be at least 1: " + spec.messageSize());
        }
        if (spec.count() < 1 || spec.warmup() < 0) {
            throw new IllegalArgumentException("spec.count must be at least 1 and spec.warmup not negative: " + spec);
        }
        long timeoutMillis = 30_000 + (spec.warmup() + (long) spec.count()) * 10;
        Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NANOS, 3);
        try (SeedPair pair = SeedPair.open(factory, system)) {
            AppThread echo = AppThread.start(system + "-echo",
                    () -> EchoServer.run(pair.server(), pair.serverSignal, STREAM, timeoutMillis));
            SeedTransport client = pair.client();
            ReadableSignal signal = pair.clientSignal;
            byte[] message = new byte[spec.messageSize()];
            ThreadLocalRandom.current().nextBytes(message);
            byte[] reply = new byte[spec.messageSize()];
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            for (int i = 0; i < spec.warmup() + spec.count(); i++) {
                message[0] = (byte) i;
                long start = System.nanoTime();
                client.write(STREAM, message, 0, message.length, false, WRITE_TIMEOUT_MILLIS);
                readFully(client, signal, reply, deadline);
                long roundTrip = System.nanoTime() - start;
                if (i >= spec.warmup()) {
                    histogram.recordValue(Math.min(roundTrip, HIGHEST_TRACKABLE_NANOS));
                }
                if (!Arrays.equals(message, reply)) {
                    throw new IllegalStateException("round trip " + i + " came back different from what was sent");
                }
            }
            client.write(STREAM, message, 0, 0, true, WRITE_TIMEOUT_MILLIS);
            if (readFully(client, signal, reply, deadline) != -1) {
                throw new IllegalStateException("the echo sent bytes after the last round trip");
            }
            echo.join(timeoutMillis);
        }
        return new PingPongResult(system, spec, histogram);
    }

    /** Reads until {@code into} is full (returns its length) or the stream ended (returns -1 when nothing was read). */
    private static int readFully(SeedTransport client, ReadableSignal signal, byte[] into, long deadline) throws TimeoutException {
        int got = 0;
        while (got < into.length) {
            long seen = signal.epoch();
            int n = client.read(STREAM, into, got, into.length - got);
            if (n > 0) {
                got += n;
            } else if (n < 0) {
                if (got == 0) {
                    return -1;
                }
                throw new IllegalStateException("stream ended after " + got + " of " + into.length + " echoed bytes");
            } else {
                signal.awaitChange(seen, deadline, "the echo (" + got + " of " + into.length + " bytes)");
            }
        }
        return got;
    }
}
