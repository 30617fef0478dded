package io.quicheengine.perf.orders;

import io.quicheengine.WaitStrategy;
import java.net.InetSocketAddress;

/**
 * Where the client's application logic runs: one implementation per placement. Each run builds
 * its own client engine, connects to {@code server}, exchanges orders and acks for the spec's
 * warm-up and measuring time, closes its engine and returns the round trips. Called by the
 * benchmark's main thread, one run at a time.
 */
interface Placement {
    /** The report's name for it (also the command line's). */
    String label();

    /** A sentence for the report: which threads run what, and how they wait. */
    String description();

    /** Whether this placement has a meaningful form with {@code strategy}. */
    boolean supports(WaitStrategy strategy);

    RoundTrips run(InetSocketAddress server, WaitStrategy strategy, OrdersSpec spec) throws Exception;
}
