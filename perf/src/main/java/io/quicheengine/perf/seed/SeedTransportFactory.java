package io.quicheengine.perf.seed;

import java.io.IOException;
import java.util.function.LongConsumer;

/** Wraps an endpoint in one seed design and starts its loop. Called by the workload's driver thread. */
@FunctionalInterface
interface SeedTransportFactory {
    /**
     * @param readableListener called on the loop thread with a stream id when that stream has data
     *                         or its end to read; must not block
     * @param name             names the loop thread
     */
    SeedTransport open(SeedEndpoint endpoint, LongConsumer readableListener, String name) throws IOException;
}
