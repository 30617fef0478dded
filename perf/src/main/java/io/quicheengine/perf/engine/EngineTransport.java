package io.quicheengine.perf.engine;

import io.quicheengine.ClientConfig;
import io.quicheengine.CongestionControl;
import io.quicheengine.ServerConfig;
import io.quicheengine.TransportSettings;
import io.quicheengine.perf.e2e.PerfCerts;
import io.quicheengine.perf.e2e.SharedQuicParams;
import java.time.Duration;
import java.util.Locale;

/**
 * {@link SharedQuicParams} mapped onto the engine's configs, built once per JVM and shared (a
 * quiche config costs milliseconds). Immutable; any thread.
 *
 * <p>Matched: ALPN, idle timeout, max UDP payload (send and receive), initial max data, the three
 * initial stream windows, initial max streams (bidi, uni), CUBIC. The flow-control autotuning
 * ceilings are set to quiche's own defaults (24 MiB connection, 16 MiB stream) because that is
 * what the other systems run with (the seed designs do not set them and Netty cannot); the
 * engine's defaults differ (32 MiB). Pacing stays off as in Netty and the seed designs, which
 * also send as soon as quiche hands a packet over. HyStart stays on (quiche's default everywhere).
 *
 * <p>The client verifies the server for real: it trusts only the benchmark certificate
 * ({@link PerfCerts}, CN=localhost, SAN 127.0.0.1) and checks the name "localhost".
 */
public final class EngineTransport {
    static final String SERVER_NAME = "localhost";
    static final long QUICHE_DEFAULT_MAX_CONNECTION_WINDOW = 24L << 20;
    static final long QUICHE_DEFAULT_MAX_STREAM_WINDOW = 16L << 20;

    static final TransportSettings SETTINGS = TransportSettings.builder()
            .idleTimeout(Duration.ofMillis(SharedQuicParams.IDLE_TIMEOUT_MILLIS))
            .maxUdpPayloadSize(SharedQuicParams.MAX_UDP_PAYLOAD)
            .initialMaxData(SharedQuicParams.INITIAL_MAX_DATA)
            .initialMaxStreamData(SharedQuicParams.INITIAL_MAX_STREAM_DATA)
            .initialMaxStreamsBidi(SharedQuicParams.INITIAL_MAX_STREAMS_BIDI)
            .initialMaxStreamsUni(SharedQuicParams.INITIAL_MAX_STREAMS_UNI)
            .maxConnectionWindow(QUICHE_DEFAULT_MAX_CONNECTION_WINDOW)
            .maxStreamWindow(QUICHE_DEFAULT_MAX_STREAM_WINDOW)
            .congestionControl(CongestionControl.valueOf(SharedQuicParams.CC_ALGORITHM.toUpperCase(Locale.ROOT)))
            .build();

    private EngineTransport() {
    }

    public static ClientConfig clientConfig() {
        return Holder.CLIENT;
    }

    public static ServerConfig serverConfig() {
        return Holder.SERVER;
    }

    /** Built on first use: reading the certificate resources is not free. */
    private static final class Holder {
        static final ClientConfig CLIENT = ClientConfig.builder()
                .alpn(SharedQuicParams.ALPN)
                .serverName(SERVER_NAME)
                .caFile(PerfCerts.certificate())
                .transport(SETTINGS)
                .build();
        static final ServerConfig SERVER = ServerConfig.builder()
                .certificateChain(PerfCerts.certificate())
                .privateKey(PerfCerts.privateKey())
                .alpn(SharedQuicParams.ALPN)
                .transport(SETTINGS)
                .build();
    }
}
