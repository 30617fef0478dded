package io.quicheengine.reliability;

import io.quicheengine.QuicConnection;
import io.quicheengine.QuicStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.zip.CRC32;

/**
 * The client side of the suite's transfers: opens {@code streams} bidirectional streams to an
 * {@link io.quicheengine.EchoListener}, writes {@code bytesPerStream} seeded pseudo-random bytes on each (then fin)
 * and reads the echo back, comparing length and CRC32 per stream. Bytes are generated in 64 KiB
 * chunks, so 8 x 16 MiB needs no 128 MiB of heap. One writer and one reader virtual thread per
 * stream. Call from a test thread; {@link #received()} may be read from any thread meanwhile.
 */
final class EchoTransfer {
    private static final int CHUNK = 64 * 1024;
    /** No byte written or echoed for this long counts as a stall, whose state a failure then reports. */
    private static final Duration STALL = Duration.ofSeconds(5);

    /** What one stream moved: bytes and checksums each way. */
    record StreamResult(long streamId, long bytesSent, long crcSent, long bytesReceived, long crcReceived) {
        boolean exact() {
            return bytesSent == bytesReceived && crcSent == crcReceived;
        }
    }

    /** What the whole transfer moved and how long it took. */
    record Result(List<StreamResult> streams, Duration elapsed) {
        long bytesEchoed() {
            return streams.stream().mapToLong(StreamResult::bytesReceived).sum();
        }

        boolean exact() {
            return streams.stream().allMatch(StreamResult::exact);
        }

        double megabytesPerSecond() {
            return bytesEchoed() / 1e6 / Math.max(1e-9, elapsed.toNanos() / 1e9);
        }

        @Override
        public String toString() {
            return streams.size() + " streams, " + bytesEchoed() + " bytes echoed in " + elapsed.toMillis() + " ms ("
                    + String.format("%.1f", megabytesPerSecond()) + " MB/s each way)";
        }
    }

    private final AtomicLong received = new AtomicLong();
    /** The state when the transfer first stalled: by the time the idle timeout fails it, everything is closed. */
    private volatile String stall;
    private long gateAt = -1;
    private java.util.concurrent.CountDownLatch gate;

    /**
     * Makes every writer stop after {@code bytesPerStream} bytes (a multiple of 64 KiB) until
     * {@code latch} opens: a test can then be sure the rest is still to come, e.g. to blackhole the
     * path mid-transfer. Call before {@link #run}.
     */
    EchoTransfer pauseWritersAt(long bytesPerStream, java.util.concurrent.CountDownLatch latch) {
        this.gateAt = bytesPerStream;
        this.gate = latch;
        return this;
    }

    /** Bytes echoed back so far, all streams. */
    long received() {
        return received.get();
    }

    /**
     * Runs the transfer; throws {@link AssertionError} with {@code context} (e.g. the relay's
     * description) when a stream fails or times out. Byte-exactness is checked by the caller on
     * the result.
     */
    Result run(QuicConnection connection, int streams, int bytesPerStream, long seed, Duration timeout, Supplier<String> context) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            QuicStream stream = connection.openBidirectionalStream(remaining(deadline));
            workers.add(new Worker(stream, bytesPerStream, seed * 31 + i, deadline));
        }
        Thread watchdog = Thread.ofVirtual().name("echo-stall-watch").start(() -> watchForStall(connection, workers, context));
        List<StreamResult> results = new ArrayList<>();
        try {
            for (Worker worker : workers) {
                results.add(worker.join(deadline, context));
            }
        } finally {
            watchdog.interrupt();
        }
        return new Result(results, Duration.ofNanos(System.nanoTime() - start));
    }

    private void watchForStall(QuicConnection connection, List<Worker> workers, Supplier<String> context) {
        long last = -1;
        long since = System.nanoTime();
        try {
            while (stall == null) {
                Thread.sleep(250);
                long progress = received.get();
                for (Worker worker : workers) {
                    progress += worker.bytesSent;
                }
                long now = System.nanoTime();
                if (progress != last) {
                    last = progress;
                    since = now;
                } else if (now - since >= STALL.toNanos()) {
                    StringBuilder text = new StringBuilder("nothing moved for " + STALL.toSeconds() + " s; then: " + connection.stats());
                    for (Worker worker : workers) {
                        text.append("\n  ").append(worker.stream.stats()).append(", writer ").append(worker.writer.getState())
                                .append(", reader ").append(worker.reader.getState());
                    }
                    stall = text.append('\n').append(context.get()).toString();
                }
            }
        } catch (InterruptedException e) {
            // the transfer ended
        }
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
    }

    /** The two threads of one stream. */
    private final class Worker {
        final QuicStream stream;
        final int bytes;
        final long seed;
        final long deadline;
        final CRC32 sentCrc = new CRC32();
        final CRC32 receivedCrc = new CRC32();
        volatile long bytesSent;
        volatile long bytesReceived;
        volatile Throwable failure;
        final Thread writer;
        final Thread reader;

        Worker(QuicStream stream, int bytes, long seed, long deadline) {
            this.stream = stream;
            this.bytes = bytes;
            this.seed = seed;
            this.deadline = deadline;
            this.writer = Thread.ofVirtual().name("echo-writer-" + stream.id()).start(this::write);
            this.reader = Thread.ofVirtual().name("echo-reader-" + stream.id()).start(this::read);
        }

        private void write() {
            try {
                SplittableRandom random = new SplittableRandom(seed);
                byte[] chunk = new byte[CHUNK];
                int done = 0;
                while (done < bytes) {
                    if (done == gateAt && !gate.await(remaining(deadline).toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) {
                        throw new AssertionError("the gate at " + gateAt + " bytes never opened");
                    }
                    int n = Math.min(CHUNK, bytes - done);
                    random.nextBytes(chunk);
                    sentCrc.update(chunk, 0, n);
                    boolean last = done + n == bytes;
                    stream.write(chunk, 0, n, last, remaining(deadline));
                    done += n;
                    bytesSent = done;
                }
                if (bytes == 0) {
                    stream.finish(remaining(deadline));
                }
            } catch (Throwable t) {
                failure = t;
            }
        }

        private void read() {
            try {
                byte[] buffer = new byte[CHUNK];
                while (true) {
                    int n = stream.read(buffer, 0, buffer.length, remaining(deadline));
                    if (n < 0) {
                        return;
                    }
                    receivedCrc.update(buffer, 0, n);
                    bytesReceived += n;
                    received.addAndGet(n);
                }
            } catch (Throwable t) {
                failure = t;
            }
        }

        StreamResult join(long deadline, Supplier<String> context) {
            try {
                writer.join(remaining(deadline).plusSeconds(5));
                reader.join(remaining(deadline).plusSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            Throwable f = failure;
            if (f != null || writer.isAlive() || reader.isAlive()) {
                throw new AssertionError("stream " + stream.id() + " failed after sending " + bytesSent + " and receiving "
                        + bytesReceived + " of " + bytes + " bytes" + (f == null ? " (threads still running)" : "") + "\n" + context.get()
                        + (stall == null ? "" : "\nfirst stall: " + stall), f);
            }
            return new StreamResult(stream.id(), bytesSent, sentCrc.getValue(), bytesReceived, receivedCrc.getValue());
        }
    }
}
