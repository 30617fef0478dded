package io.quicheengine.perf.seed;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What both seed designs share: one endpoint (socket and connection) driven by one event loop,
 * whose duty cycle the subclass provides. The owner-facing calls here only delegate; the designs
 * differ in how application threads reach quiche.
 */
abstract class LoopOwnedTransport implements SeedTransport, SeedEventLoop.Cycle {
    private static final long STOP_TIMEOUT_MILLIS = 10_000;

    final SeedEndpoint endpoint;
    final SeedEventLoop loop;

    /** Makes the loop; the caller starts it once the subclass is fully built. */
    LoopOwnedTransport(SeedEndpoint endpoint, String name) throws IOException {
        this.endpoint = endpoint;
        this.loop = new SeedEventLoop(name, endpoint.channel(), this);
    }

    @Override
    public InetSocketAddress localAddress() {
        return endpoint.localAddress();
    }

    @Override
    public void awaitEstablished(long timeout, TimeUnit unit) throws InterruptedException, TimeoutException {
        endpoint.awaitEstablished(timeout, unit);
    }

    @Override
    public long loopThreadId() {
        return loop.threadId();
    }

    @Override
    public void close() throws InterruptedException {
        loop.stop(STOP_TIMEOUT_MILLIS);
    }

    @Override
    public SeedConnStats stats() {
        return endpoint.stats();
    }
}
