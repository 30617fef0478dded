package io.quicheengine.perf.report;

/**
 * One bulk run in the report. Immutable; any thread.
 *
 * @param config           the engine's client configuration, {@link Labels#LOOP} or {@link Labels#APP_THREAD};
 *                         {@link Labels#NO_CONFIG} for the other systems
 * @param placement        "one JVM" or "two processes"
 * @param waitStrategy     the engine's strategy, or "n/a"
 * @param loopBytesPerMiB  allocation on the I/O loop thread(s) per MiB after warm-up (NaN: not measured)
 * @param writerBytesPerMiB allocation on the application writer thread per MiB after warm-up (NaN: not measured)
 */
public record BulkRow(String system, String config, String waitStrategy, String placement, int streams, long bytes, double seconds,
                      double mbitPerSecond, double cpuSeconds, double loopBytesPerMiB, double writerBytesPerMiB) {
}
