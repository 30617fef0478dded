package io.quicheengine.perf.engine;

import io.quicheengine.QuicConnection;
import io.quicheengine.QuicStream;
import io.quicheengine.perf.baseline.AllocationMeter;
import io.quicheengine.perf.e2e.BulkSpec;
import java.time.Duration;

/**
 * The bulk client: one application thread writes the pattern on {@code spec.streams()} streams
 * round-robin with non-blocking {@link QuicStream#offer} ({@code spec.chunkSize()} per offer, FIN
 * with the last byte), idling by the wait strategy only when no stream took anything in a whole
 * pass; then it reads every stream's {@link SinkReport} (blocking read, the engine's own wait).
 * One thread per stream would measure the scheduler on a small machine, not the engine.
 *
 * <p>Allocation is sampled on the loop threads ({@code loops}) and on this writer thread when a
 * quarter of the bytes was written (the warm-up mark) and again at nine tenths: the steady state,
 * without the connection's and streams' set-up and tear-down (per run, not per MiB). The loops
 * lag the writer by what is buffered (a few MiB at most), which shifts the window but does not
 * shrink it. One run per instance, on one thread.
 */
final class BulkClient {
    private static final Duration REPORT_TIMEOUT = Duration.ofSeconds(60);
    private static final double MIB = 1 << 20;

    private final BulkSpec spec;
    private final AppIdler idler;
    private final LoopThreads loops;
    private final Duration timeout;

    private long loopAllocatedAtMark;
    private long writerAllocatedAtMark;
    private long writtenAtMark = -1;
    private long writtenAtEnd = -1;
    double loopBytesPerMiB = Double.NaN;
    double writerBytesPerMiB = Double.NaN;

    /** @param loops the loop threads whose allocation is measured, or null */
    BulkClient(BulkSpec spec, AppIdler idler, LoopThreads loops, Duration timeout) {
        this.spec = spec;
        this.idler = idler;
        this.loops = loops;
        this.timeout = timeout;
    }

    /** Runs the transfer on {@code connection}; returns each stream's report. */
    SinkReport[] run(QuicConnection connection) {
        int n = spec.streams();
        QuicStream[] streams = new QuicStream[n];
        long[] target = new long[n];
        long[] written = new long[n];
        long share = spec.totalBytes() / n;
        long extra = spec.totalBytes() % n;
        for (int i = 0; i < n; i++) {
            streams[i] = connection.openBidirectionalStream(Duration.ofSeconds(10));
            target[i] = share + (i < extra ? 1 : 0);
        }
        byte[] source = StreamBytes.source(spec.chunkSize());
        long total = spec.totalBytes();
        long warmupMark = total / 4;
        long endMark = total / 10 * 9;
        long deadline = System.nanoTime() + timeout.toNanos();
        long done = 0;
        int open = n;
        while (open > 0) {
            boolean progress = false;
            for (int i = 0; i < n; i++) {
                long remaining = target[i] - written[i];
                if (remaining == 0) {
                    continue;
                }
                int length = (int) Math.min(spec.chunkSize(), remaining);
                int accepted = streams[i].offer(source, StreamBytes.sourceIndex(written[i]), length, length == remaining);
                if (accepted > 0) {
                    written[i] += accepted;
                    done += accepted;
                    progress = true;
                    if (written[i] == target[i]) {
                        open--;
                    }
                }
            }
            if (writtenAtMark < 0 && done >= warmupMark) {
                mark(done);
            }
            if (writtenAtMark >= 0 && writtenAtEnd < 0 && done >= endMark && done > writtenAtMark) {
                endMark(done);
            }
            if (progress) {
                idler.reset();
            } else {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("bulk stalled: " + done + " of " + total + " bytes accepted within " + timeout
                            + " (" + connection + ")");
                }
                idler.idle();
            }
        }
        SinkReport[] reports = new SinkReport[n];
        byte[] report = new byte[SinkReport.BYTES];
        for (int i = 0; i < n; i++) {
            reports[i] = readReport(streams[i], report);
        }
        return reports;
    }

    private void endMark(long done) {
        writtenAtEnd = done;
        double mib = (done - writtenAtMark) / MIB;
        writerBytesPerMiB = (AllocationMeter.currentThreadAllocatedBytes() - writerAllocatedAtMark) / mib;
        if (loops != null) {
            loopBytesPerMiB = (loops.allocatedBytes() - loopAllocatedAtMark) / mib;
        }
    }

    private void mark(long done) {
        writtenAtMark = done;
        writerAllocatedAtMark = AllocationMeter.currentThreadAllocatedBytes();
        loopAllocatedAtMark = loops == null ? 0 : loops.allocatedBytes();
    }

    private static SinkReport readReport(QuicStream stream, byte[] report) {
        int got = 0;
        while (got < report.length) {
            int r = stream.read(report, got, report.length - got, REPORT_TIMEOUT);
            if (r < 0) {
                throw new IllegalStateException("stream " + stream.id() + " ended after " + got + " of the sink report's " + report.length + " bytes");
            }
            got += r;
        }
        if (stream.read(new byte[1], 0, 1, REPORT_TIMEOUT) != -1) {
            throw new IllegalStateException("stream " + stream.id() + ": the sink sent more than its report");
        }
        return SinkReport.decode(report);
    }
}
