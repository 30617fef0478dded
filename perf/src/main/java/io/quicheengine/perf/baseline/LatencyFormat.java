package io.quicheengine.perf.baseline;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * One line of round-trip percentiles in microseconds from a histogram in nanoseconds.
 *
 * <p>Any thread (the histogram must not be written meanwhile).
 */
public final class LatencyFormat {

    private LatencyFormat() {
    }

    /** {@code p50 ... p90 ... p99 ... p99.9 ... max ... us (n=...)}. */
    public static String percentiles(Histogram nanos) {
        return String.format(Locale.ROOT, "p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f us (n=%d)",
                nanos.getValueAtPercentile(50) / 1e3, nanos.getValueAtPercentile(90) / 1e3,
                nanos.getValueAtPercentile(99) / 1e3, nanos.getValueAtPercentile(99.9) / 1e3,
                nanos.getMaxValue() / 1e3, nanos.getTotalCount());
    }
}
