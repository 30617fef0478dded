package io.quicheengine.perf.seed;

import io.quicheengine.ffi.QuicheConfig;
import io.quicheengine.perf.e2e.RawQuicheConfigs;
import io.quicheengine.perf.e2e.SharedQuicParams;
import java.lang.foreign.MemorySegment;

/**
 * A server and a client {@code quiche_config} with {@link SharedQuicParams} applied. The client
 * trusts the test certificate and verifies the server against it (SNI "localhost"). Built on one
 * thread; the configs are then only read by quiche. {@link #close()} after every connection made
 * from them is done.
 */
final class SeedQuicConfigs implements AutoCloseable {

    /** The name the client sends as SNI and checks in the certificate. */
    static final String SERVER_NAME = "localhost";

    final MemorySegment server;
    final MemorySegment client;

    SeedQuicConfigs() {
        server = RawQuicheConfigs.create(true);
        try {
            client = RawQuicheConfigs.create(false);
        } catch (RuntimeException e) {
            QuicheConfig.free(server);
            throw e;
        }
    }

    @Override
    public void close() {
        QuicheConfig.free(server);
        QuicheConfig.free(client);
    }
}
