package io.quicheengine.tools;

import io.quicheengine.QuicEngine;
import io.quicheengine.QuicListener;
import io.quicheengine.QuicServer;
import io.quicheengine.SelfSignedCertificate;
import io.quicheengine.ServerConfig;
import io.quicheengine.WaitStrategy;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** A server in the test JVM on 127.0.0.1 with a fresh self-signed certificate, for in-process client runs. Test-only. */
final class TestServer implements AutoCloseable {
    final SelfSignedCertificate certificate = SelfSignedCertificate.generate();
    private final QuicEngine engine = QuicEngine.builder().name("test-server").loopWaitStrategy(WaitStrategy.BLOCKING)
            .appWaitStrategy(WaitStrategy.BLOCKING).build();
    private final QuicServer server;

    TestServer(String alpn, ServerMode mode) {
        this(alpn, new ServerListener(mode, line -> { }));
    }

    TestServer(String alpn, QuicListener listener) {
        ServerConfig config = ServerConfig.builder().certificateChain(certificate.certificate()).privateKey(certificate.privateKey())
                .alpn(alpn).build();
        server = engine.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), config, listener);
    }

    /** "127.0.0.1:port". */
    String address() {
        return "127.0.0.1:" + server.localAddress().getPort();
    }

    String ca() {
        return certificate.certificate().toString();
    }

    @Override
    public void close() {
        engine.close();
        SelfSignedFiles.delete(certificate);
    }
}
