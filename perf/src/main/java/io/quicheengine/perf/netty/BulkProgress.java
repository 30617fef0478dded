package io.quicheengine.perf.netty;

/**
 * Bytes written so far by all streams of one bulk run, and the allocation snapshot taken when a
 * quarter of the total has been written (the warm-up mark). Touched only on the client's
 * event-loop thread while the run is going; read by the driver after every stream reported,
 * which the report futures order after the last write.
 */
final class BulkProgress {
    private final long warmupMark;
    private final LoopAllocationProbe probe;
    private long written;
    private long writtenAtMark = -1;
    private long allocatedAtMark;

    /** @param probe null when allocation is not measured (server in another process) */
    BulkProgress(long totalBytes, LoopAllocationProbe probe) {
        this.warmupMark = totalBytes / 4;
        this.probe = probe;
    }

    void wrote(int bytes) {
        written += bytes;
        if (writtenAtMark < 0 && written >= warmupMark) {
            writtenAtMark = written;
            allocatedAtMark = probe == null ? 0 : probe.allocatedBytes();
        }
    }

    /** Loop allocation per MiB written after the warm-up mark, or NaN if not measured. */
    double allocatedPerMiBAfterWarmup() {
        long bytesAfter = written - writtenAtMark;
        if (probe == null || writtenAtMark < 0 || bytesAfter <= 0) {
            return Double.NaN;
        }
        return (probe.allocatedBytes() - allocatedAtMark) / (bytesAfter / (double) (1 << 20));
    }
}
