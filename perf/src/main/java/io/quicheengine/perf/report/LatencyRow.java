package io.quicheengine.perf.report;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * One ping-pong run in the report: round-trip percentiles in microseconds and the curve the
 * latency chart draws. Immutable; any thread.
 *
 * @param config    the engine's client configuration, {@link Labels#LOOP} or {@link Labels#APP_THREAD};
 *                  {@link Labels#NO_CONFIG} for the other systems
 * @param requested round trips the spec asked for; {@code count} below it means a time budget ended the run
 */
public record LatencyRow(String system, String config, String waitStrategy, String placement, int messageSize, long requested, long count,
                         double p50, double p90, double p99, double p999, double p9999, double max, double mean,
                         List<Point> curve) {

    /** The percentiles the curve is drawn through. */
    public static final double[] CURVE = {50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99};

    /** One point of the percentile curve. */
    public record Point(double percentile, double micros) {
    }

    /** From a histogram of round trips in nanoseconds. */
    public static LatencyRow of(String system, String config, String waitStrategy, String placement, int messageSize, long requested,
                                Histogram nanos) {
        List<Point> curve = new ArrayList<>();
        for (double p : CURVE) {
            curve.add(new Point(p, micros(nanos, p)));
        }
        return new LatencyRow(system, config, waitStrategy, placement, messageSize, requested, nanos.getTotalCount(),
                micros(nanos, 50), micros(nanos, 90), micros(nanos, 99), micros(nanos, 99.9), micros(nanos, 99.99),
                nanos.getMaxValue() / 1e3, nanos.getMean() / 1e3, List.copyOf(curve));
    }

    private static double micros(Histogram nanos, double percentile) {
        return nanos.getValueAtPercentile(percentile) / 1e3;
    }
}
