package io.quicheengine.reliability;

import io.quicheengine.ClientConfig;
import io.quicheengine.QuicConnection;
import io.quicheengine.QuicEngine;
import io.quicheengine.QuicListener;
import io.quicheengine.QuicServer;
import io.quicheengine.ServerConfig;
import io.quicheengine.TransportSettings;
import io.quicheengine.WaitStrategy;
import io.quicheengine.testing.TestCertificate;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * A server engine and a client engine on 127.0.0.1 that verify each other for real (the client
 * trusts the checked-in test certificate), with every engine error recorded in one {@link ErrorLog}.
 * Both loops use {@link WaitStrategy#BLOCKING} so that tests sharing two cores with a relay and an
 * attacker thread do not starve each other. Test thread only; closes both engines.
 */
final class Peers implements AutoCloseable {
    static final String ALPN = "reliability";

    final ErrorLog errors = new ErrorLog();
    final QuicEngine serverEngine;
    final QuicEngine clientEngine;
    final QuicServer server;
    final ServerConfig serverConfig;
    final ClientConfig clientConfig;

    private Peers(Builder b) {
        serverEngine = QuicEngine.builder().name("rel-server").loopWaitStrategy(b.strategy).appWaitStrategy(b.strategy)
                .closeTimeout(Duration.ofMillis(500)).errorHandler(errors.forEngine("server")).build();
        QuicEngine client = null;
        try {
            client = QuicEngine.builder().name("rel-client").loopWaitStrategy(b.strategy).appWaitStrategy(b.strategy)
                    .closeTimeout(Duration.ofMillis(500)).errorHandler(errors.forEngine("client")).build();
            serverConfig = b.serverConfig.apply(serverConfigBuilder(b.serverTransport)).build();
            server = serverEngine.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), serverConfig, b.serverListener);
            clientConfig = ClientConfig.builder().alpn(ALPN).caFile(TestCertificate.certificate()).serverName("localhost")
                    .transport(b.clientTransport).build();
        } catch (RuntimeException e) {
            if (client != null) {
                client.close();
            }
            serverEngine.close();
            throw e;
        }
        clientEngine = client;
    }

    static Builder builder() {
        return new Builder();
    }

    /** A server config with the test certificate and ALPN. */
    static ServerConfig.Builder serverConfigBuilder(TransportSettings transport) {
        return ServerConfig.builder().certificateChain(TestCertificate.certificate()).privateKey(TestCertificate.privateKey())
                .alpn(ALPN).transport(transport);
    }

    /** Connects straight to the server and waits for the handshake. */
    QuicConnection connect() {
        return connect(server.localAddress(), Duration.ofSeconds(10));
    }

    /** Connects to {@code address} (a relay in front of the server, or the server) and waits for the handshake. */
    QuicConnection connect(InetSocketAddress address, Duration handshakeTimeout) {
        return clientEngine.connect(address, clientConfig).awaitHandshake(handshakeTimeout);
    }

    @Override
    public void close() {
        try {
            clientEngine.close();
        } finally {
            serverEngine.close();
        }
    }

    /** Configures {@link Peers}; test thread only. */
    static final class Builder {
        private WaitStrategy strategy = WaitStrategy.BLOCKING;
        private TransportSettings serverTransport = TransportSettings.DEFAULTS;
        private TransportSettings clientTransport = TransportSettings.DEFAULTS;
        private UnaryOperator<ServerConfig.Builder> serverConfig = UnaryOperator.identity();
        private QuicListener serverListener = new io.quicheengine.EchoListener();

        Builder strategy(WaitStrategy value) {
            this.strategy = value;
            return this;
        }

        /** The same transport settings on both sides. */
        Builder transport(TransportSettings value) {
            this.serverTransport = value;
            this.clientTransport = value;
            return this;
        }

        Builder serverTransport(TransportSettings value) {
            this.serverTransport = value;
            return this;
        }

        Builder clientTransport(TransportSettings value) {
            this.clientTransport = value;
            return this;
        }

        /** Adjusts the server config (retry, cap, ...). */
        Builder serverConfig(UnaryOperator<ServerConfig.Builder> value) {
            this.serverConfig = value;
            return this;
        }

        /** The server's listener; null for polling mode (server.accept()). Default: {@link io.quicheengine.EchoListener}. */
        Builder serverListener(QuicListener value) {
            this.serverListener = value;
            return this;
        }

        Peers build() {
            return new Peers(this);
        }
    }
}
