package io.quicheengine.perf.orders;

import java.time.Duration;

/** How long one row warms up and then measures. Immutable; any thread. */
record OrdersSpec(Duration warmup, Duration measure) {
    OrdersSpec {
        if (warmup.isNegative() || measure.isNegative() || measure.isZero()) {
            throw new IllegalArgumentException("warm-up must be >= 0 and measuring > 0, got " + warmup + " and " + measure);
        }
    }
}
