package io.quicheengine;

import io.quicheengine.testing.TestCertificate;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A server engine and a client engine on 127.0.0.1 with a real certificate that the client
 * verifies. Test-only; closes both engines and checks nothing native is left.
 */
final class EngineFixture implements AutoCloseable {
    static final String ALPN = "echo-test";

    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final QuicEngine serverEngine;
    final QuicEngine clientEngine;
    final QuicServer server;
    final ClientConfig clientConfig;

    EngineFixture(WaitStrategy strategy, QuicListener serverListener) {
        this(strategy, serverListener, TransportSettings.DEFAULTS, b -> { });
    }

    EngineFixture(WaitStrategy strategy, QuicListener serverListener, TransportSettings transport,
                  java.util.function.Consumer<QuicEngine.Builder> tune) {
        QuicEngine.Builder serverBuilder = QuicEngine.builder().name("server").loopWaitStrategy(strategy).appWaitStrategy(strategy)
                .errorHandler(this::recordError);
        tune.accept(serverBuilder);
        serverEngine = serverBuilder.build();
        QuicEngine.Builder clientBuilder = QuicEngine.builder().name("client").loopWaitStrategy(strategy).appWaitStrategy(strategy)
                .errorHandler(this::recordError);
        tune.accept(clientBuilder);
        clientEngine = clientBuilder.build();
        server = serverEngine.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), serverConfig(transport), serverListener);
        clientConfig = ClientConfig.builder().alpn(ALPN).caFile(TestCertificate.certificate()).serverName("localhost").transport(transport).build();
    }

    static ServerConfig serverConfig(TransportSettings transport) {
        return ServerConfig.builder().certificateChain(TestCertificate.certificate()).privateKey(TestCertificate.privateKey())
                .alpn(ALPN).transport(transport).build();
    }

    private void recordError(QuicConnection connection, String context, Throwable error) {
        errors.add(new AssertionError(context + (connection == null ? "" : " on " + connection), error));
    }

    QuicConnection connect() {
        return clientEngine.connect(server.localAddress(), clientConfig).awaitHandshake(Duration.ofSeconds(10));
    }

    List<Throwable> errors() {
        return new ArrayList<>(errors);
    }

    @Override
    public void close() {
        clientEngine.close();
        serverEngine.close();
    }
}
