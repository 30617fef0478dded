package io.quicheengine.perf.e2e;

/**
 * What a bulk run measured.
 *
 * @param system                  e.g. "quiche-engine", "netty-quic", "seed-locked", "raw-quiche"
 * @param bytes                   bytes the receiver got (must equal the spec's total)
 * @param nanos                   from the receiver's first byte to its last byte
 * @param cpuSeconds              process CPU time used during the run (NaN when not measured)
 * @param loopBytesAllocatedPerMiB allocation on the I/O loop thread(s) per MiB moved after warm-up (NaN when not measured)
 */
public record BulkResult(String system, BulkSpec spec, long bytes, long nanos, double cpuSeconds, double loopBytesAllocatedPerMiB) {
    public double mbitPerSecond() {
        return bytes * 8.0 / 1e6 / (nanos / 1e9);
    }
}
