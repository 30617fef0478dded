package io.quicheengine.tools;

import io.quicheengine.QuicEngine;
import io.quicheengine.QuicListener;
import io.quicheengine.QuicServer;
import io.quicheengine.ServerConfig;
import io.quicheengine.WaitStrategy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/** A server in the test JVM on 127.0.0.1 with a fresh self-signed certificate (or given files), for in-process client runs. Test-only. */
final class TestServer implements AutoCloseable {
    private final SelfSignedCertificate generated;
    private final Path certificate;
    private final Path privateKey;
    private final QuicEngine engine = QuicEngine.builder().name("test-server").loopWaitStrategy(WaitStrategy.BLOCKING)
            .appWaitStrategy(WaitStrategy.BLOCKING).build();
    private final QuicServer server;

    TestServer(String alpn, ServerMode mode) {
        this(alpn, new ServerListener(mode, line -> { }));
    }

    TestServer(String alpn, QuicListener listener) {
        this(alpn, listener, SelfSignedCertificate.generate());
    }

    /** Serves with the given certificate and key files, which it leaves in place. */
    TestServer(String alpn, ServerMode mode, Path certificate, Path privateKey) {
        this(alpn, new ServerListener(mode, line -> { }), null, certificate, privateKey);
    }

    private TestServer(String alpn, QuicListener listener, SelfSignedCertificate generated) {
        this(alpn, listener, generated, generated.certificate(), generated.privateKey());
    }

    private TestServer(String alpn, QuicListener listener, SelfSignedCertificate generated, Path certificate, Path privateKey) {
        this.generated = generated;
        this.certificate = certificate;
        this.privateKey = privateKey;
        ServerConfig config = ServerConfig.builder().certificateChain(certificate).privateKey(privateKey).alpn(alpn).build();
        server = engine.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), config, listener);
    }

    /** "127.0.0.1:port". */
    String address() {
        return "127.0.0.1:" + server.localAddress().getPort();
    }

    String ca() {
        return certificate.toString();
    }

    String key() {
        return privateKey.toString();
    }

    @Override
    public void close() {
        engine.close();
        if (generated != null) {
            generated.delete();
        }
    }
}
