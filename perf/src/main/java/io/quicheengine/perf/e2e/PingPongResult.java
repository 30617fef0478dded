package io.quicheengine.perf.e2e;

import org.HdrHistogram.Histogram;

/** Round-trip times in nanoseconds, after warm-up. */
public record PingPongResult(String system, PingPongSpec spec, Histogram roundTripNanos) {
    public double percentileMicros(double percentile) {
        return roundTripNanos.getValueAtPercentile(percentile) / 1000.0;
    }
}
