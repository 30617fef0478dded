package io.quicheengine.perf.engine;

import io.quicheengine.CloseReason;
import io.quicheengine.QuicConnection;
import io.quicheengine.QuicListener;
import io.quicheengine.QuicStream;
import io.quicheengine.perf.e2e.BulkSpec;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The bulk client as a {@link QuicListener} on the client engine's loop thread, the way Netty's
 * {@code BulkSender} handlers run on their event loop: no application thread takes part.
 * {@link #onHandshakeComplete} opens {@code spec.streams()} streams and offers each the pattern
 * ({@link StreamBytes}) in {@code spec.chunkSize()} pieces for as long as {@link QuicStream#offer}
 * takes them; a stream that takes less resumes from the same offset on {@link #onStreamWritable}.
 * The FIN goes with the last byte, as in {@link BulkClient} and Netty's sender (an offer applies it
 * only when it takes every byte, so a short last offer carries it again with the rest). Each
 * stream's {@link SinkReport} is read with the non-blocking read on {@link #onStreamReadable};
 * the last one completes {@link #result()}.
 *
 * <p>Measured like {@link BulkClient}: allocation of {@code loops} between a quarter and nine
 * tenths of the bytes accepted (here the client loop is also the writer, so there is no separate
 * writer figure), and process CPU time from the handshake to the last report.
 *
 * <p>Callbacks: the client's loop thread only; they never block. {@link #result()},
 * {@link #progress()} and {@link #toString()}: any thread; the measurements once {@link #result()}
 * completed. One connection per instance; nothing allocated per offer.
 */
final class LoopBulkClient implements QuicListener {
    private static final double MIB = 1 << 20;

    private final BulkSpec spec;
    private final LoopThreads loops;
    private final LongSupplier cpuClock;
    private final byte[] source;
    private final QuicStream[] streams;
    private final long[] target;
    private final long[] written;
    private final byte[][] reportBytes;
    private final int[] reportLength;
    private final SinkReport[] reports;
    private final byte[] probe = new byte[1];
    private final long warmupMark;
    private final long endMark;
    private final CompletableFuture<SinkReport[]> result = new CompletableFuture<>();
    /** Bytes accepted and reports read: written by the loop, read by the waiting driver thread. */
    private volatile long acceptedSoFar;
    private volatile int reportsSoFar;

    // ---- loop thread only (the measurements are read after result() completed) ----
    private long accepted;
    private int reported;
    private long loopAllocatedAtMark;
    private long acceptedAtMark = -1;
    private long cpuAtHandshake;
    double loopBytesPerMiB = Double.NaN;
    double cpuSeconds = Double.NaN;

    /**
     * @param loops    the loop threads whose allocation is measured (the client's one included)
     * @param cpuClock the process's CPU time in nanoseconds
     */
    LoopBulkClient(BulkSpec spec, LoopThreads loops, LongSupplier cpuClock) {
        if (spec.streams() < 1 || spec.chunkSize() < 1 || spec.totalBytes() < spec.streams()) {
            throw new IllegalArgumentException("bulk spec needs streams >= 1, chunkSize >= 1 and totalBytes >= streams, got " + spec);
        }
        this.spec = spec;
        this.loops = loops;
        this.cpuClock = cpuClock;
        int n = spec.streams();
        this.source = StreamBytes.source(spec.chunkSize());
        this.streams = new QuicStream[n];
        this.target = new long[n];
        this.written = new long[n];
        this.reportBytes = new byte[n][SinkReport.BYTES];
        this.reportLength = new int[n];
        this.reports = new SinkReport[n];
        long share = spec.totalBytes() / n;
        long extra = spec.totalBytes() % n;
        for (int i = 0; i < n; i++) {
            target[i] = share + (i < extra ? 1 : 0);
        }
        this.warmupMark = spec.totalBytes() / 4;
        this.endMark = spec.totalBytes() / 10 * 9;
    }

    /** Completed with every stream's sink report, or exceptionally when the run fails. */
    CompletableFuture<SinkReport[]> result() {
        return result;
    }

    /** Grows while the run moves (bytes accepted, reports read): the driver's progress watch. */
    long progress() {
        return acceptedSoFar + reportsSoFar;
    }

    @Override
    public void onHandshakeComplete(QuicConnection connection) {
        try {
            cpuAtHandshake = cpuClock.getAsLong();
            for (int i = 0; i < streams.length; i++) {
                streams[i] = connection.openBidirectionalStream();
            }
            for (int i = 0; i < streams.length; i++) {
                pump(i);
            }
        } catch (RuntimeException e) {
            throw failed(e);
        }
    }

    @Override
    public void onStreamWritable(QuicStream stream) {
        int i = indexOf(stream);
        if (i >= 0) {
            try {
                pump(i);
            } catch (RuntimeException e) {
                throw failed(e);
            }
        }
    }

    @Override
    public void onStreamReadable(QuicStream stream) {
        int i = indexOf(stream);
        if (i < 0 || reports[i] != null) {
            return;
        }
        try {
            readReport(i, stream);
        } catch (RuntimeException e) {
            throw failed(e);
        }
    }

    @Override
    public void onStreamReset(QuicStream stream, long applicationErrorCode) {
        failed(new IllegalStateException("the sink reset stream " + stream.id() + " (code " + applicationErrorCode + "); " + this));
    }

    @Override
    public void onStreamStopped(QuicStream stream, long applicationErrorCode) {
        failed(new IllegalStateException("the sink stopped stream " + stream.id() + " (code " + applicationErrorCode + "); " + this));
    }

    @Override
    public void onConnectionClosed(QuicConnection connection, CloseReason reason) {
        failed(new IllegalStateException("the connection closed before the run ended: " + reason + "; " + this));
    }

    /** Offers stream {@code i} its next pieces until it takes nothing (onStreamWritable resumes it) or all is written. */
    private void pump(int i) {
        QuicStream stream = streams[i];
        long remaining;
        while ((remaining = target[i] - written[i]) > 0) {
            int length = (int) Math.min(spec.chunkSize(), remaining);
            int n = stream.offer(source, StreamBytes.sourceIndex(written[i]), length, length == remaining);
            if (n == 0) {
                break;
            }
            written[i] += n;
            accepted += n;
            if (acceptedAtMark < 0 && accepted >= warmupMark) {
                acceptedAtMark = accepted;
                loopAllocatedAtMark = loops.allocatedBytes();
            }
            if (acceptedAtMark >= 0 && Double.isNaN(loopBytesPerMiB) && accepted >= endMark && accepted > acceptedAtMark) {
                loopBytesPerMiB = (loops.allocatedBytes() - loopAllocatedAtMark) / ((accepted - acceptedAtMark) / MIB);
            }
        }
        acceptedSoFar = accepted;
    }

    /** Reads what arrived of stream {@code i}'s report; after the whole report, the sink's FIN and nothing else. */
    private void readReport(int i, QuicStream stream) {
        byte[] bytes = reportBytes[i];
        while (reportLength[i] < bytes.length) {
            int r = stream.read(bytes, reportLength[i], bytes.length - reportLength[i]);
            if (r == 0) {
                return;
            }
            if (r < 0) {
                throw new IllegalStateException("stream " + stream.id() + " ended after " + reportLength[i] + " of the sink report's "
                        + bytes.length + " bytes");
            }
            reportLength[i] += r;
        }
        int r = stream.read(probe, 0, 1);
        if (r > 0) {
            throw new IllegalStateException("stream " + stream.id() + ": the sink sent more than its report");
        }
        if (r < 0) {
            reports[i] = SinkReport.decode(bytes);
            reported++;
            reportsSoFar = reported;
            if (reported == reports.length) {
                cpuSeconds = (cpuClock.getAsLong() - cpuAtHandshake) / 1e9;
                result.complete(reports);
            }
        }
    }

    /** Linear: a handful of streams, and no map lookup garbage. */
    private int indexOf(QuicStream stream) {
        for (int i = 0; i < streams.length; i++) {
            if (streams[i] == stream) {
                return i;
            }
        }
        return -1;
    }

    /** Fails the run (first failure wins) and returns the exception for the engine to see too. */
    private RuntimeException failed(RuntimeException e) {
        result.completeExceptionally(e);
        return e;
    }

    @Override
    public String toString() {
        return "in-loop bulk client: " + acceptedSoFar + " of " + spec.totalBytes() + " bytes accepted, " + reportsSoFar + " of "
                + spec.streams() + " sink reports read";
    }
}
