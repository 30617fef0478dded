package io.quicheengine.perf.seed;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * A connected server and client of one seed design on 127.0.0.1, with a {@link ReadableSignal} for
 * each side's application. Opened, closed and queried by the workload's driver thread.
 */
final class SeedPair implements AutoCloseable {

    private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    final ReadableSignal serverSignal = new ReadableSignal();
    final ReadableSignal clientSignal = new ReadableSignal();
    private final SeedQuicConfigs configs;
    private SeedTransport server;
    private SeedTransport client;

    private SeedPair() {
        configs = new SeedQuicConfigs();
    }

    /** Starts the server, connects a client to it and waits for both handshakes. */
    static SeedPair open(SeedTransportFactory factory, String system) throws Exception {
        SeedPair pair = new SeedPair();
        try {
            pair.server = openSide(factory, SeedEndpoint.server(pair.configs.server), pair.serverSignal, system + "-server-loop");
            pair.client = openSide(factory, SeedEndpoint.client(pair.configs.client, pair.server.localAddress()),
                    pair.clientSignal, system + "-client-loop");
            pair.client.awaitEstablished(HANDSHAKE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            pair.server.awaitEstablished(HANDSHAKE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            return pair;
        } catch (Exception | Error e) {
            try {
                pair.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static SeedTransport openSide(SeedTransportFactory factory, SeedEndpoint endpoint, ReadableSignal signal, String name)
            throws IOException {
        try {
            return factory.open(endpoint, signal, name);
        } catch (IOException | RuntimeException e) {
            endpoint.closeAndFree(); // no loop owns it yet
            throw e;
        }
    }

    SeedTransport server() {
        return server;
    }

    SeedTransport client() {
        return client;
    }

    /** Both loop threads, for allocation accounting. */
    long[] loopThreadIds() {
        return new long[] {client.loopThreadId(), server.loopThreadId()};
    }

    /** Client first (it sends CONNECTION_CLOSE), then server, then the configs. */
    @Override
    public void close() {
        try {
            try {
                if (client != null) {
                    client.close();
                }
            } finally {
                if (server != null) {
                    server.close();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the seed event loops", e);
        } finally {
            configs.close();
        }
    }
}
