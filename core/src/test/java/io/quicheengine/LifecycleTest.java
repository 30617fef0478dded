package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quicheengine.testing.TestCertificate;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Closing in every way a connection can close, and the engine freeing everything. */
class LifecycleTest {

    @Test
    void closeWithStreamsInFlightEndsWritersWithAClearExceptionAndTellsThePeer() throws Exception {
        CompletableFuture<CloseReason> serverSaw = new CompletableFuture<>();
        QuicListener server = new EchoListener() {
            @Override
            public void onConnectionClosed(QuicConnection connection, CloseReason reason) {
                super.onConnectionClosed(connection, reason);
                serverSaw.complete(reason);
            }
        };
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, server)) {
            QuicConnection connection = fixture.connect();
            List<CompletableFuture<Throwable>> writers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                QuicStream stream = connection.openBidirectionalStream();
                CompletableFuture<Throwable> outcome = new CompletableFuture<>();
                writers.add(outcome);
                Thread.ofPlatform().start(() -> {
                    byte[] chunk = new byte[16384];
                    try {
                        while (true) {
                            stream.write(chunk, 0, chunk.length, false, Duration.ofSeconds(10));
                        }
                    } catch (Throwable e) {
                        outcome.complete(e);
                    }
                });
            }
            Thread.sleep(200);
            // The client reads no echo, so the server may stop reading too: what the writers got in
            // may then not be delivered, and the close says so once its flush time is up.
            connection.close(77, "enough", Duration.ofMillis(300));
            for (CompletableFuture<Throwable> writer : writers) {
                assertThat(writer.get(10, TimeUnit.SECONDS)).isInstanceOf(ClosedException.class).hasMessageContaining("clos");
            }
            CloseReason reason = serverSaw.get(10, TimeUnit.SECONDS);
            assertThat(reason.byPeer()).isTrue();
            assertThat(reason.application()).isTrue();
            assertThat(reason.errorCode()).isEqualTo(77);
            assertThat(reason.reason()).isEqualTo("enough");
            CloseReason local = connection.closeFuture().get(10, TimeUnit.SECONDS);
            assertThat(local.byPeer()).isFalse();
            assertThat(local.errorCode()).isEqualTo(77);
            Polling.until(() -> fixture.clientEngine.stats().quicheConnections() == 0 && fixture.serverEngine.stats().quicheConnections() == 0,
                    Duration.ofSeconds(5), "both connections freed");
            assertThat(fixture.errors()).allSatisfy(error -> assertThat(error.getCause())
                    .isInstanceOf(ClosedException.class).hasMessageContaining("without the peer acknowledging everything accepted"));
        }
    }

    @Test
    void closingRightAfterTheHandshakeCompletesEveryTime() throws Exception {
        // Once quiche has an application close pending it will not send handshake data: the
        // client's Finished must already be out, or the close never leaves and the connection lingers.
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, new EchoListener())) {
            for (int cycle = 0; cycle < 30; cycle++) {
                QuicConnection connection = fixture.connect();
                QuicStream stream = connection.openBidirectionalStream();
                stream.offer(new byte[1000], 0, 1000, false);
                stream.shutdownRead(4);
                connection.close(cycle, "cycle " + cycle);
                assertThat(connection.closeFuture().get(2, TimeUnit.SECONDS).errorCode()).isEqualTo(cycle);
            }
            Polling.until(() -> fixture.server.connectionCount() == 0, Duration.ofSeconds(10), "server connections drained");
        }
    }

    @Test
    void closeByThePeerCarriesItsCodeAndReasonToReadersAndWriters() throws Exception {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BLOCKING, null)) {
            QuicConnection client = fixture.connect();
            QuicStream stream = client.openBidirectionalStream();
            stream.write(new byte[10], 0, 10, false, Duration.ofSeconds(5));
            QuicConnection serverSide = Polling.await(fixture.server::accept, Duration.ofSeconds(5), "server connection");
            serverSide.close(42, "bye");
            CloseReason reason = client.closeFuture().get(10, TimeUnit.SECONDS);
            assertThat(reason).isEqualTo(new CloseReason(true, true, 42, "bye", false));
            assertThat(reason.toString()).isEqualTo("closed by the peer with application error 42 (bye)");
            assertThatThrownBy(() -> stream.read(new byte[10], 0, 10, Duration.ofSeconds(1)))
                    .isInstanceOf(ClosedException.class).hasMessageContaining("application error 42 (bye)");
            assertThatThrownBy(() -> stream.offer(new byte[10], 0, 10, false))
                    .isInstanceOf(ClosedException.class).hasMessageContaining("application error 42 (bye)");
            assertThatThrownBy(client::openBidirectionalStream).isInstanceOf(ClosedException.class);
        }
    }

    @Test
    void idleTimeoutClosesBothSides() throws Exception {
        TransportSettings transport = TransportSettings.builder().idleTimeout(Duration.ofMillis(400)).build();
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BLOCKING, null, transport, b -> { })) {
            QuicConnection client = fixture.connect();
            long start = System.nanoTime();
            CloseReason reason = client.closeFuture().get(10, TimeUnit.SECONDS);
            assertThat(reason.idleTimeout()).isTrue();
            assertThat(reason.toString()).isEqualTo("closed by the idle timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(300), Duration.ofSeconds(5));
            Polling.until(() -> fixture.server.connectionCount() == 0, Duration.ofSeconds(5), "server side timed out too");
        }
    }

    @Test
    void resetByThePeerReachesTheReaderWithItsCode() throws Exception {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.YIELDING, null)) {
            QuicConnection client = fixture.connect();
            QuicStream stream = client.openBidirectionalStream();
            stream.write(new byte[100], 0, 100, false, Duration.ofSeconds(5));
            QuicConnection serverSide = Polling.await(fixture.server::accept, Duration.ofSeconds(5), "server connection");
            QuicStream peer = Polling.await(serverSide::acceptStream, Duration.ofSeconds(5), "peer stream");
            peer.write(new byte[5], 0, 5, false, Duration.ofSeconds(5));
            peer.reset(7);
            byte[] buffer = new byte[100];
            assertThatThrownBy(() -> {
                while (true) {
                    stream.read(buffer, 0, buffer.length, Duration.ofSeconds(5));
                }
            }).isInstanceOfSatisfying(StreamResetException.class, e -> {
                assertThat(e.applicationErrorCode()).isEqualTo(7);
                assertThat(e).hasMessageContaining("reset by the peer with application error 7");
            });
        }
    }

    @Test
    void stopSendingByThePeerEndsOurWritesWithItsCode() throws Exception {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, null)) {
            QuicConnection client = fixture.connect();
            QuicStream stream = client.openBidirectionalStream();
            stream.write(new byte[100], 0, 100, false, Duration.ofSeconds(5));
            QuicConnection serverSide = Polling.await(fixture.server::accept, Duration.ofSeconds(5), "server connection");
            QuicStream peer = Polling.await(serverSide::acceptStream, Duration.ofSeconds(5), "peer stream");
            peer.shutdownRead(9);
            assertThatThrownBy(() -> {
                byte[] chunk = new byte[1000];
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (System.nanoTime() < deadline) {
                    stream.write(chunk, 0, chunk.length, false, Duration.ofSeconds(5));
                    Thread.sleep(1);
                }
            }).isInstanceOf(ClosedException.class).hasMessageContaining("stopped by the peer").hasMessageContaining("9");
            assertThat(peer.read(new byte[10], 0, 10)).isEqualTo(-1);
        }
    }

    @Test
    void engineCloseFreesEverythingAndIsHarmlessTwice() throws Exception {
        EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, new EchoListener());
        QuicConnection connection = fixture.connect();
        QuicStream stream = connection.openBidirectionalStream();
        EchoTest.echoOne(stream, 100_000, 5);
        QuicStream unread = connection.openBidirectionalStream();
        unread.write(new byte[50_000], 0, 50_000, false, Duration.ofSeconds(5)); // echoed back, never read
        Polling.until(() -> unread.stats().bytesReceived() == 50_000, Duration.ofSeconds(5), "echo arrived");
        assertThat(fixture.clientEngine.stats().readRingsInUse()).isPositive();
        fixture.close();
        fixture.close();
        for (QuicEngine engine : List.of(fixture.clientEngine, fixture.serverEngine)) {
            EngineStats stats = engine.stats();
            assertThat(stats.nothingAllocated()).as("%s after close: %s", engine, stats).isTrue();
            assertThat(stats.liveConnections()).isZero();
            assertThat(stats.liveStreams()).isZero();
            assertThat(engine.isClosed()).isTrue();
        }
        assertThat(connection.isClosed()).isTrue();
        assertThatThrownBy(() -> fixture.clientEngine.connect(fixture.server.localAddress(), fixture.clientConfig))
                .isInstanceOf(ClosedException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> stream.offer(new byte[1], 0, 1, false)).isInstanceOf(ClosedException.class);
        assertThatThrownBy(() -> unread.read(new byte[1], 0, 1)).isInstanceOf(ClosedException.class);
    }

    @Test
    void untrustedServerCertificateFailsTheHandshakeClearly() throws Exception {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, null)) {
            ClientConfig systemTrustOnly = ClientConfig.builder().alpn(EngineFixture.ALPN).build();
            QuicConnection connection = fixture.clientEngine.connect(fixture.server.localAddress(), systemTrustOnly);
            assertThatThrownBy(() -> connection.awaitHandshake(Duration.ofSeconds(10)))
                    .isInstanceOf(ClosedException.class).hasMessageContaining("handshake").hasMessageContaining("CRYPTO_ERROR");
        }
    }

    @Test
    void alpnMismatchFailsTheHandshakeClearly() throws Exception {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, null)) {
            ClientConfig other = ClientConfig.builder().alpn("something-else").caFile(TestCertificate.certificate()).serverName("localhost").build();
            QuicConnection connection = fixture.clientEngine.connect(fixture.server.localAddress(), other);
            assertThatThrownBy(() -> connection.awaitHandshake(Duration.ofSeconds(10)))
                    .isInstanceOf(ClosedException.class).hasMessageContaining("TLS alert 120");
        }
    }

    @Test
    void aRejectedHandshakeFailsAtOnceNotAfterTheDrainingPeriod() throws Exception {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BLOCKING, null)) {
            ClientConfig other = ClientConfig.builder().alpn("wrong").trustAllCertificatesInsecurely().build();
            long start = System.nanoTime();
            QuicConnection connection = fixture.clientEngine.connect(fixture.server.localAddress(), other);
            assertThatThrownBy(() -> connection.handshake().get(10, TimeUnit.SECONDS)).hasMessageContaining("TLS alert 120");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(connection.closeReason().errorCode()).isEqualTo(0x178);
            // quiche frees the connection only after three probe timeouts (~3 s before any RTT sample).
            assertThat(millis).as("milliseconds until the rejection was reported").isLessThan(1000);
        }
    }

    @Test
    void nobodyAnsweringTimesOutTheHandshake() throws java.net.SocketException {
        // A bound socket that never answers: with nothing bound the port unreachable fails the handshake at once (FailFastTest).
        TransportSettings transport = TransportSettings.builder().idleTimeout(Duration.ofMillis(500)).build();
        try (QuicEngine engine = QuicEngine.builder().build();
             java.net.DatagramSocket silent = new java.net.DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            ClientConfig config = ClientConfig.builder().alpn("x").trustAllCertificatesInsecurely().transport(transport).build();
            QuicConnection connection = engine.connect((InetSocketAddress) silent.getLocalSocketAddress(), config);
            assertThatThrownBy(() -> connection.awaitHandshake(Duration.ofSeconds(10)))
                    .isInstanceOf(ClosedException.class).hasMessageContaining("idle timeout");
        }
    }
}
