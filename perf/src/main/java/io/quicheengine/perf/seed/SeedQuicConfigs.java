package io.quicheengine.perf.seed;

import io.quicheengine.ffi.Quiche;
import io.quicheengine.ffi.QuicheConfig;
import io.quicheengine.ffi.QuicheException;
import io.quicheengine.perf.e2e.SharedQuicParams;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

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
        SeedCerts.Files certs = SeedCerts.files();
        server = create(true, certs);
        try {
            client = create(false, certs);
        } catch (RuntimeException e) {
            QuicheConfig.free(server);
            throw e;
        }
    }

    private static MemorySegment create(boolean isServer, SeedCerts.Files certs) {
        MemorySegment config = QuicheConfig.newConfig(Quiche.PROTOCOL_VERSION);
        if (config.address() == 0) {
            throw new QuicheException("quiche_config_new returned NULL");
        }
        try {
            if (isServer) {
                QuicheConfig.loadCertChain(config, certs.cert());
                QuicheConfig.loadPrivateKey(config, certs.key());
            } else {
                QuicheConfig.verifyPeer(config, true);
                QuicheConfig.loadVerifyLocations(config, certs.cert());
            }
            QuicheConfig.setApplicationProtos(config, List.of(SharedQuicParams.ALPN));
            QuicheConfig.setMaxIdleTimeout(config, SharedQuicParams.IDLE_TIMEOUT_MILLIS);
            QuicheConfig.setMaxRecvUdpPayloadSize(config, SharedQuicParams.MAX_UDP_PAYLOAD);
            QuicheConfig.setMaxSendUdpPayloadSize(config, SharedQuicParams.MAX_UDP_PAYLOAD);
            QuicheConfig.setInitialMaxData(config, SharedQuicParams.INITIAL_MAX_DATA);
            QuicheConfig.setInitialMaxStreamDataBidiLocal(config, SharedQuicParams.INITIAL_MAX_STREAM_DATA);
            QuicheConfig.setInitialMaxStreamDataBidiRemote(config, SharedQuicParams.INITIAL_MAX_STREAM_DATA);
            QuicheConfig.setInitialMaxStreamDataUni(config, SharedQuicParams.INITIAL_MAX_STREAM_DATA);
            QuicheConfig.setInitialMaxStreamsBidi(config, SharedQuicParams.INITIAL_MAX_STREAMS_BIDI);
            QuicheConfig.setInitialMaxStreamsUni(config, SharedQuicParams.INITIAL_MAX_STREAMS_UNI);
            QuicheConfig.setDisableActiveMigration(config, true);
            try (Arena arena = Arena.ofConfined()) {
                int rc = QuicheConfig.setCcAlgorithmName(config, arena.allocateFrom(SharedQuicParams.CC_ALGORITHM));
                if (rc < 0) {
                    throw new QuicheException("set the congestion control algorithm " + SharedQuicParams.CC_ALGORITHM, rc);
                }
            }
            return config;
        } catch (RuntimeException e) {
            QuicheConfig.free(config);
            throw e;
        }
    }

    @Override
    public void close() {
        QuicheConfig.free(server);
        QuicheConfig.free(client);
    }
}
