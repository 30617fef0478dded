package io.quicheengine.perf.orders;

import org.HdrHistogram.Histogram;

/**
 * What one row measured: the round trips after warm-up in nanoseconds, and how long measuring took.
 * Immutable once returned; any thread.
 */
record RoundTrips(Histogram nanos, long measuringNanos) {

    /** Orders acknowledged per second while measuring (one in flight, so also round trips per second). */
    double perSecond() {
        return measuringNanos == 0 ? 0 : nanos.getTotalCount() * 1e9 / measuringNanos;
    }
}
