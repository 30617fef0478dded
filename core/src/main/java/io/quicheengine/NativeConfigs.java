package io.quicheengine;

import io.quicheengine.ffi.Quiche;
import io.quicheengine.ffi.QuicheConfig;
import io.quicheengine.ffi.QuicheException;
import io.quicheengine.internal.buffers.NativeResources;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The native {@code quiche_config} behind each {@link ClientConfig} and {@link ServerConfig},
 * made once per config object (creation reads the CA bundle: milliseconds) and freed when the
 * engine closes. Loop thread only.
 */
final class NativeConfigs {
    private final Map<Object, MemorySegment> configs = new IdentityHashMap<>();
    private final NativeResources resources;

    NativeConfigs(NativeResources resources) {
        this.resources = resources;
    }

    MemorySegment client(ClientConfig config) {
        return cached(config, config.alpn(), config.transport(), config.keyLogFile() != null, native_ -> {
            QuicheConfig.verifyPeer(native_, config.verifyPeer());
            if (config.verifyPeer() && config.caFile() != null) {
                QuicheConfig.loadVerifyLocations(native_, config.caFile());
            }
            if (config.earlyData()) {
                QuicheConfig.enableEarlyData(native_);
            }
        });
    }

    MemorySegment server(ServerConfig config) {
        return cached(config, config.alpn(), config.transport(), config.keyLogFile() != null, native_ -> {
            QuicheConfig.loadCertChain(native_, config.certificateChain());
            QuicheConfig.loadPrivateKey(native_, config.privateKey());
            QuicheConfig.verifyPeer(native_, false);
            if (config.earlyData()) {
                QuicheConfig.enableEarlyData(native_);
            }
            byte[] ticketKey = config.sessionTicketKey();
            if (ticketKey != null) {
                try (Arena arena = Arena.ofConfined()) {
                    int rc = QuicheConfig.setTicketKey(native_, arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, ticketKey), ticketKey.length);
                    if (rc < 0) {
                        throw new QuicheException("quiche_config_set_ticket_key", rc);
                    }
                }
            }
        });
    }

    /** The native config made for {@code key} before, or a new one set up by {@code role} (freed again when that fails). */
    private MemorySegment cached(Object key, List<String> alpn, TransportSettings transport, boolean keyLog, Consumer<MemorySegment> role) {
        MemorySegment existing = configs.get(key);
        if (existing != null) {
            return existing;
        }
        MemorySegment native_ = create(alpn, transport);
        try {
            role.accept(native_);
            if (keyLog) {
                QuicheConfig.logKeys(native_);
            }
        } catch (RuntimeException e) {
            free(native_);
            throw e;
        }
        configs.put(key, native_);
        return native_;
    }

    private MemorySegment create(List<String> alpn, TransportSettings t) {
        MemorySegment config = QuicheConfig.newConfig(Quiche.PROTOCOL_VERSION);
        if (config.address() == 0) {
            throw new QuicheException("quiche_config_new failed");
        }
        resources.configs.increment();
        try (Arena arena = Arena.ofConfined()) {
            QuicheConfig.setApplicationProtos(config, alpn);
            QuicheConfig.setMaxIdleTimeout(config, t.idleTimeout().toMillis());
            QuicheConfig.setMaxRecvUdpPayloadSize(config, t.maxUdpPayloadSize());
            QuicheConfig.setMaxSendUdpPayloadSize(config, t.maxUdpPayloadSize());
            QuicheConfig.setInitialMaxData(config, t.initialMaxData());
            QuicheConfig.setInitialMaxStreamDataBidiLocal(config, t.initialMaxStreamDataBidiLocal());
            QuicheConfig.setInitialMaxStreamDataBidiRemote(config, t.initialMaxStreamDataBidiRemote());
            QuicheConfig.setInitialMaxStreamDataUni(config, t.initialMaxStreamDataUni());
            QuicheConfig.setInitialMaxStreamsBidi(config, t.initialMaxStreamsBidi());
            QuicheConfig.setInitialMaxStreamsUni(config, t.initialMaxStreamsUni());
            QuicheConfig.setMaxConnectionWindow(config, t.maxConnectionWindow());
            QuicheConfig.setMaxStreamWindow(config, t.maxStreamWindow());
            int rc = QuicheConfig.setCcAlgorithmName(config, arena.allocateFrom(t.congestionControl().quicheName()));
            if (rc < 0) {
                throw new QuicheException("set congestion control " + t.congestionControl(), rc);
            }
            QuicheConfig.setInitialCongestionWindowPackets(config, t.initialCongestionWindowPackets());
            QuicheConfig.enableHystart(config, t.hystart());
            QuicheConfig.enablePacing(config, t.pacing());
            QuicheConfig.setMaxAckDelay(config, t.maxAckDelay().toMillis());
            QuicheConfig.setDisableActiveMigration(config, true);
            QuicheConfig.discoverPmtu(config, t.pathMtuDiscovery());
            if (t.datagramQueueLength() > 0) {
                QuicheConfig.enableDgram(config, true, t.datagramQueueLength(), t.datagramQueueLength());
            }
        } catch (RuntimeException e) {
            free(config);
            throw e;
        }
        return config;
    }

    private void free(MemorySegment config) {
        QuicheConfig.free(config);
        resources.configs.decrement();
    }

    void freeAll() {
        for (MemorySegment config : configs.values()) {
            free(config);
        }
        configs.clear();
    }
}
