package io.quicheengine.perf.e2e;

import io.quicheengine.ffi.Quiche;
import io.quicheengine.ffi.QuicheConfig;
import io.quicheengine.ffi.QuicheException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A native {@code quiche_config} with {@link SharedQuicParams} and the benchmark certificate
 * ({@link PerfCerts}), for the baselines that drive quiche themselves (raw quiche, the seed
 * designs). The client verifies the server against that certificate. Any thread; the caller frees
 * the config.
 */
public final class RawQuicheConfigs {
    private RawQuicheConfigs() {
    }

    public static MemorySegment create(boolean server) {
        MemorySegment config = QuicheConfig.newConfig(Quiche.PROTOCOL_VERSION);
        if (config.address() == 0) {
            throw new QuicheException("quiche_config_new returned NULL");
        }
        try {
            if (server) {
                QuicheConfig.loadCertChain(config, PerfCerts.certificate());
                QuicheConfig.loadPrivateKey(config, PerfCerts.privateKey());
            } else {
                QuicheConfig.verifyPeer(config, true);
                QuicheConfig.loadVerifyLocations(config, PerfCerts.certificate());
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
            try (Arena scratch = Arena.ofConfined()) {
                int rc = QuicheConfig.setCcAlgorithmName(config, scratch.allocateFrom(SharedQuicParams.CC_ALGORITHM));
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
}
