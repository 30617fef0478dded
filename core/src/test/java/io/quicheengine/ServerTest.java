package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quicheengine.testing.TestCertificate;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One UDP socket, many connections: routing, version negotiation, retry, the cap, cleanup. */
class ServerTest {

    @Test
    void hundredConcurrentClientsEachEcho() throws Exception {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, new EchoListener())) {
            List<CompletableFuture<Void>> clients = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                int seed = i;
                clients.add(CompletableFuture.runAsync(() -> {
                    QuicConnection connection = fixture.connect();
                    EchoTest.echoOne(connection.openBidirectionalStream(), 32 * 1024, seed);
                    EchoTest.echoOne(connection.openBidirectionalStream(), 1024, seed + 1000);
                    connection.close();
                }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()));
            }
            CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            assertThat(fixture.server.stats().accepted()).isEqualTo(100);
            Polling.until(() -> fixture.server.connectionCount() == 0, Duration.ofSeconds(10), "every server connection removed");
            Polling.until(() -> fixture.serverEngine.stats().quicheConnections() == 0 && fixture.serverEngine.stats().readRingsInUse() == 0
                    && fixture.serverEngine.stats().liveStreams() == 0, Duration.ofSeconds(10), "server resources returned");
            assertThat(fixture.errors()).isEmpty();
        }
    }

    @Test
    void statelessRetryValidatesTheClientFirst() throws Exception {
        try (QuicEngine serverEngine = QuicEngine.builder().build(); QuicEngine clientEngine = QuicEngine.builder().build()) {
            ServerConfig config = ServerConfig.builder().certificateChain(TestCertificate.certificate())
                    .privateKey(TestCertificate.privateKey()).alpn(EngineFixture.ALPN).retry(true).build();
            QuicServer server = serverEngine.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), config, new EchoListener());
            ClientConfig client = ClientConfig.builder().alpn(EngineFixture.ALPN).caFile(TestCertificate.certificate()).serverName("localhost").build();
            QuicConnection connection = clientEngine.connect(server.localAddress(), client).awaitHandshake(Duration.ofSeconds(10));
            EchoTest.echoOne(connection.openBidirectionalStream(), 200_000, 9);
            assertThat(server.stats().retriesSent()).isEqualTo(1);
            assertThat(server.stats().invalidTokens()).isZero();
        }
    }

    @Test
    void connectionsBeyondTheCapAreRefusedWithConnectionRefused() throws Exception {
        try (QuicEngine serverEngine = QuicEngine.builder().build(); QuicEngine clientEngine = QuicEngine.builder().build()) {
            ServerConfig config = ServerConfig.builder().certificateChain(TestCertificate.certificate())
                    .privateKey(TestCertificate.privateKey()).alpn(EngineFixture.ALPN).maxConnections(2).build();
            QuicServer server = serverEngine.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), config, new EchoListener());
            ClientConfig client = ClientConfig.builder().alpn(EngineFixture.ALPN).caFile(TestCertificate.certificate()).serverName("localhost").build();
            QuicConnection first = clientEngine.connect(server.localAddress(), client).awaitHandshake(Duration.ofSeconds(10));
            QuicConnection second = clientEngine.connect(server.localAddress(), client).awaitHandshake(Duration.ofSeconds(10));
            QuicConnection third = clientEngine.connect(server.localAddress(), client);
            assertThatThrownBy(() -> third.awaitHandshake(Duration.ofSeconds(10)))
                    .isInstanceOf(ClosedException.class).hasMessageContaining("CONNECTION_REFUSED");
            assertThat(server.connectionCount()).isEqualTo(2);
            assertThat(server.stats().refused()).as("refused Initial datagrams (the client may have resent its Initial)").isPositive();
            first.close();
            Polling.until(() -> server.connectionCount() == 1, Duration.ofSeconds(5), "a slot frees up");
            QuicConnection fourth = clientEngine.connect(server.localAddress(), client).awaitHandshake(Duration.ofSeconds(10));
            EchoTest.echoOne(fourth.openBidirectionalStream(), 10_000, 1);
            EchoTest.echoOne(second.openBidirectionalStream(), 10_000, 2);
        }
    }

    @Test
    void unknownVersionGetsAVersionNegotiationPacket() throws Exception {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BLOCKING, new EchoListener());
             DatagramChannel raw = DatagramChannel.open()) {
            raw.connect(fixture.server.localAddress());
            ByteBuffer packet = ByteBuffer.allocate(1200);
            packet.put((byte) 0xC0).putInt(0x1a2a3a4a).put((byte) 8).putLong(0x0102030405060708L).put((byte) 8).putLong(0x1112131415161718L);
            packet.position(1200).flip();
            raw.write(packet);
            ByteBuffer reply = ByteBuffer.allocate(1500);
            raw.socket().setSoTimeout(5000);
            raw.configureBlocking(true);
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(5000);
                    raw.close();
                } catch (Exception ignored) {
                    // the test ends first
                }
            });
            raw.read(reply);
            reply.flip();
            assertThat(reply.get(0) & 0x80).as("long header").isNotZero();
            assertThat(reply.getInt(1)).as("version 0 marks Version Negotiation").isZero();
            Polling.until(() -> fixture.server.stats().versionNegotiationsSent() == 1, Duration.ofSeconds(5), "one Version Negotiation counted");
            assertThat(fixture.server.connectionCount()).isZero();
            EchoTest.echoOne(fixture.connect().openBidirectionalStream(), 1000, 3);
        }
    }

    @Test
    void closingTheServerClosesItsConnectionsAndFreesThePort() throws Exception {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, new EchoListener())) {
            QuicConnection connection = fixture.connect();
            // An application close before the server finished its handshake would travel without its reason (RFC 9000, 10.2.3).
            Polling.until(() -> fixture.server.stats().accepted() == 1, Duration.ofSeconds(5), "server side established");
            InetSocketAddress address = fixture.server.localAddress();
            fixture.server.close();
            fixture.server.closeFuture().get(10, TimeUnit.SECONDS);
            CloseReason reason = connection.closeFuture().get(10, TimeUnit.SECONDS);
            assertThat(reason.byPeer()).isTrue();
            assertThat(reason.reason()).isEqualTo("server closing");
            QuicServer again = fixture.serverEngine.bind(address, EngineFixture.serverConfig(TransportSettings.DEFAULTS), new EchoListener());
            assertThat(again.localAddress()).isEqualTo(address);
        }
    }

    @Test
    void bindingAPortInUseFailsOnTheCallersThread() throws Exception {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, null)) {
            assertThatThrownBy(() -> fixture.serverEngine.bind(fixture.server.localAddress(), EngineFixture.serverConfig(TransportSettings.DEFAULTS)))
                    .isInstanceOf(QuicException.class).hasMessageContaining("cannot bind UDP").hasMessageContaining("in use");
        }
    }

    @Test
    void aCertificateQuicheCannotParseFailsTheBindWithTheFileNamed() throws Exception {
        java.nio.file.Path garbage = java.nio.file.Files.createTempFile("not-a-cert", ".pem");
        java.nio.file.Files.writeString(garbage, "garbage");
        try (QuicEngine engine = QuicEngine.builder().build()) {
            ServerConfig config = ServerConfig.builder().certificateChain(garbage).privateKey(TestCertificate.privateKey()).alpn("x").build();
            assertThatThrownBy(() -> engine.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), config))
                    .isInstanceOf(QuicException.class).hasMessageContaining(garbage.toString());
        }
    }
}
