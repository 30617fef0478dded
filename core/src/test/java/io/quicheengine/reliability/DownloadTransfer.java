package io.quicheengine.reliability;

import io.quicheengine.QuicConnection;
import io.quicheengine.QuicStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.zip.CRC32;

/**
 * The client of a {@link DownloadServer}: asks for {@code bytesPerStream} seeded bytes on each of
 * {@code streams} streams and checks length and CRC32 of what arrives against the same generator.
 * One reader virtual thread per stream. Call {@link #run} from a test thread.
 */
final class DownloadTransfer {
    private final AtomicLong received = new AtomicLong();

    long received() {
        return received.get();
    }

    /** Returns the bytes downloaded; throws AssertionError naming the stream and {@code context} when one is short, wrong or late. */
    long run(QuicConnection connection, int streams, int bytesPerStream, long seed, Duration timeout, Supplier<String> context) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Thread> readers = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < streams; i++) {
            QuicStream stream = connection.openBidirectionalStream(timeout);
            long streamSeed = seed * 31 + i;
            byte[] request = ByteBuffer.allocate(16).putLong(bytesPerStream).putLong(streamSeed).array();
            stream.write(request, 0, request.length, true, timeout);
            readers.add(Thread.ofVirtual().start(() -> {
                try {
                    check(stream, bytesPerStream, streamSeed, deadline);
                } catch (Throwable t) {
                    failures.add(new AssertionError("stream " + stream.id() + ": " + t.getMessage() + "\n" + context.get(), t));
                }
            }));
        }
        for (Thread reader : readers) {
            reader.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000) + 5_000);
            if (reader.isAlive()) {
                failures.add(new AssertionError("a reader is still running after the timeout\n" + context.get()));
            }
        }
        if (!failures.isEmpty()) {
            // The first failure's own line leads, so a one-line test summary still says why.
            String first = failures.get(0).getMessage().lines().findFirst().orElse("");
            throw new AssertionError(failures.size() + " of " + streams + " downloads failed; first: " + first, failures.get(0));
        }
        return (long) streams * bytesPerStream;
    }

    private void check(QuicStream stream, int bytes, long seed, long deadline) {
        SplittableRandom random = new SplittableRandom(seed);
        CRC32 expected = new CRC32();
        byte[] chunk = new byte[64 * 1024];
        for (int done = 0; done < bytes; done += chunk.length) {
            random.nextBytes(chunk);
            expected.update(chunk, 0, Math.min(chunk.length, bytes - done));
        }
        CRC32 actual = new CRC32();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        while (true) {
            int n = stream.read(buffer, 0, buffer.length, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (n < 0) {
                break;
            }
            actual.update(buffer, 0, n);
            total += n;
            received.addAndGet(n);
        }
        if (total != bytes || actual.getValue() != expected.getValue()) {
            throw new AssertionError("downloaded " + total + " of " + bytes + " bytes, CRC " + (actual.getValue() == expected.getValue() ? "ok" : "WRONG"));
        }
    }
}
