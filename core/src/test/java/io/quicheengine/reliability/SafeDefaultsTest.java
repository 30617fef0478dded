package io.quicheengine.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quicheengine.ClientConfig;
import io.quicheengine.ClosedException;
import io.quicheengine.CloseReason;
import io.quicheengine.QuicConnection;
import io.quicheengine.QuicEngine;
import io.quicheengine.QuicStream;
import io.quicheengine.ServerConfig;
import io.quicheengine.StreamLimitException;
import io.quicheengine.TransportSettings;
import io.quicheengine.WaitStrategy;
import io.quicheengine.testing.Direction;
import io.quicheengine.testing.TestCertificate;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The defaults are the safe choice, proven through public behaviour where there is one: clients
 * verify servers; retry tokens are authenticated, bound to the client's address and expire;
 * connection ids look random; connections and streams are capped; keys are logged only when asked;
 * a listener that throws takes down only its own connection and is reported with context.
 */
class SafeDefaultsTest {

    @Test
    void clientsVerifyTheServerByDefault() {
        ClientConfig defaults = ClientConfig.builder().alpn(Peers.ALPN).serverName("localhost").build();
        assertThat(defaults.verifyPeer()).isTrue();
        assertThat(defaults.caFile()).isNull();
        try (Peers peers = Peers.builder().build()) {
            // The test certificate is self-signed and not in the system bundle: the default must refuse it.
            assertThatThrownBy(() -> peers.clientEngine.connect(peers.server.localAddress(), defaults).awaitHandshake(Duration.ofSeconds(10)))
                    .isInstanceOf(ClosedException.class).hasMessageContaining("handshake").hasMessageContaining("CRYPTO_ERROR");
            // Trusting its CA but asking for another name must fail as well.
            ClientConfig wrongName = ClientConfig.builder().alpn(Peers.ALPN).caFile(TestCertificate.certificate())
                    .serverName("not-localhost.example").build();
            assertThatThrownBy(() -> peers.clientEngine.connect(peers.server.localAddress(), wrongName).awaitHandshake(Duration.ofSeconds(10)))
                    .isInstanceOf(ClosedException.class).hasMessageContaining("CRYPTO_ERROR");
            // Positive controls: trusting the CA, or opting out explicitly.
            assertThat(peers.connect().isEstablished()).isTrue();
            ClientConfig insecure = ClientConfig.builder().alpn(Peers.ALPN).trustAllCertificatesInsecurely().build();
            assertThat(insecure.verifyPeer()).isFalse();
            assertThat(peers.clientEngine.connect(peers.server.localAddress(), insecure).awaitHandshake(Duration.ofSeconds(10)).isEstablished())
                    .isTrue();
            Wait.until(() -> peers.server.connectionCount() == 2, Duration.ofSeconds(5),
                    () -> "the failed handshakes to leave no server state: " + peers.server.connectionCount());
        }
    }

    /**
     * Tokens are tested by replay: a {@link UdpTap} forwards a client's first Initial and the
     * server's Retry, but holds back the client's second Initial (the one carrying the token). That
     * genuine packet is then re-sent, altered or not, from the client's address or another one, and
     * before or after the token expired; only the genuine, fresh one from the right address may
     * make the server keep state.
     */
    @Test
    void retryTokensAreAuthenticatedAddressBoundAndExpire() throws Exception {
        assertThat(ServerConfig.builder().certificateChain(TestCertificate.certificate()).privateKey(TestCertificate.privateKey())
                .alpn("x").build().retryTokenLifetime()).as("tokens expire by default").isEqualTo(Duration.ofSeconds(10));
        Duration lifetime = Duration.ofMillis(800);
        try (Peers peers = Peers.builder().serverConfig(b -> b.retry(true).retryTokenLifetime(lifetime)).build();
             UdpTap tap = UdpTap.start(peers.server.localAddress(),
                     (direction, datagram) -> direction != Direction.CLIENT_TO_SERVER || !carriesToken(datagram))) {
            QuicConnection first = peers.clientEngine.connect(tap.address(), peers.clientConfig);
            UdpTap.Datagram held = awaitTokenInitial(tap, 0);
            long heldAt = System.nanoTime();
            byte[] genuine = held.bytes();
            QuicPackets.LongHeader header = QuicPackets.parseLong(genuine);
            assertThat(header.tokenLength()).isPositive();

            byte[] altered = genuine.clone();
            altered[header.tokenOffset() + header.tokenLength() / 2] ^= 0x01;
            tap.sendAsClient(held.client(), altered);
            awaitInvalidTokens(peers, 1);

            byte[] forged = new byte[header.tokenLength()];
            new SplittableRandom(5).nextBytes(forged);
            forged[8] = (byte) (header.tokenLength() - 8 - 1 - 16);
            tap.sendAsClient(held.client(), QuicPackets.withToken(genuine, forged));
            awaitInvalidTokens(peers, 2);

            try (DatagramChannel elsewhere = DatagramChannel.open()) {
                elsewhere.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                elsewhere.send(ByteBuffer.wrap(genuine), peers.server.localAddress());
            }
            awaitInvalidTokens(peers, 3);
            assertThat((System.nanoTime() - heldAt) / 1_000_000).as("the refusals above happened while the token was fresh")
                    .isLessThan(lifetime.toMillis());

            Thread.sleep(lifetime.toMillis() + 200 - (System.nanoTime() - heldAt) / 1_000_000);
            tap.sendAsClient(held.client(), genuine);
            awaitInvalidTokens(peers, 4);
            assertThat(peers.server.connectionCount()).as("no state for any refused token").isZero();

            // Positive control: a genuine, fresh token from the client's own address is accepted.
            QuicConnection second = peers.clientEngine.connect(tap.address(), peers.clientConfig);
            UdpTap.Datagram fresh = awaitTokenInitial(tap, 1);
            tap.sendAsClient(fresh.client(), fresh.bytes());
            Wait.until(() -> peers.server.connectionCount() == 1, Duration.ofSeconds(5),
                    () -> "the genuine token to be accepted: " + peers.server.stats());
            assertThat(peers.server.stats().invalidTokens()).isEqualTo(4);
            first.close();
            second.close();
        }
    }

    private static boolean carriesToken(byte[] datagram) {
        QuicPackets.LongHeader h = QuicPackets.parseLong(datagram);
        return h != null && QuicPackets.longType(datagram) == QuicPackets.TYPE_INITIAL && h.tokenLength() > 0;
    }

    /** The {@code index}-th connection (by destination id) whose token-carrying Initial the tap held back. */
    private static UdpTap.Datagram awaitTokenInitial(UdpTap tap, int index) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<String> connections = new ArrayList<>();
            for (UdpTap.Datagram d : tap.captured()) {
                if (d.direction() == Direction.CLIENT_TO_SERVER && !d.forwarded() && carriesToken(d.bytes())) {
                    String id = HexFormat.of().formatHex(QuicPackets.parseLong(d.bytes()).dcid(d.bytes()));
                    if (!connections.contains(id)) {
                        if (connections.size() == index) {
                            return d;
                        }
                        connections.add(id);
                    }
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        throw new AssertionError("no token-carrying Initial #" + index + " was captured");
    }

    private static void awaitInvalidTokens(Peers peers, long expected) {
        Wait.until(() -> peers.server.stats().invalidTokens() >= expected, Duration.ofSeconds(5),
                () -> expected + " invalid tokens: " + peers.server.stats());
        assertThat(peers.server.stats().invalidTokens()).isEqualTo(expected);
        assertThat(peers.server.connectionCount()).isZero();
    }

    /**
     * Ids the engines choose (client and server source ids, read from real Initial packets) are
     * 16 bytes, all different, differ in their 8-byte routing prefix, and their bits look like
     * coin flips (monobit frequency within 4 sigma; neighbours differ in about half their bits, so
     * no counter).
     */
    @Test
    void connectionIdsAreRandom() {
        int connections = 24;
        try (Peers peers = Peers.builder().build(); UdpTap tap = UdpTap.forwarding(peers.server.localAddress())) {
            for (int i = 0; i < connections; i++) {
                peers.connect(tap.address(), Duration.ofSeconds(10)).close();
            }
            List<byte[]> ids = new ArrayList<>();
            for (UdpTap.Datagram d : tap.captured()) {
                QuicPackets.LongHeader h = QuicPackets.parseLong(d.bytes());
                if (h != null && QuicPackets.longType(d.bytes()) == QuicPackets.TYPE_INITIAL) {
                    byte[] scid = java.util.Arrays.copyOfRange(d.bytes(), h.scidOffset(), h.scidOffset() + h.scidLength());
                    if (ids.stream().noneMatch(id -> java.util.Arrays.equals(id, scid))) {
                        ids.add(scid);
                    }
                }
            }
            assertThat(ids).as("one client and one server id per connection").hasSize(2 * connections);
            Set<String> prefixes = new HashSet<>();
            long ones = 0;
            for (int i = 0; i < ids.size(); i++) {
                byte[] id = ids.get(i);
                assertThat(id).hasSize(16);
                assertThat(prefixes.add(HexFormat.of().formatHex(id, 0, 8))).as("distinct routing prefix").isTrue();
                for (byte b : id) {
                    ones += Integer.bitCount(b & 0xFF);
                }
                if (i > 0) {
                    int distance = 0;
                    for (int k = 0; k < 16; k++) {
                        distance += Integer.bitCount((id[k] ^ ids.get(i - 1)[k]) & 0xFF);
                    }
                    assertThat(distance).as("bits differing between id %d and the one before", i).isBetween(32, 96);
                }
            }
            double bits = ids.size() * 128.0;
            double sigma = Math.sqrt(bits / 4);
            assertThat((double) ones).as("ones among %s bits", bits).isBetween(bits / 2 - 4 * sigma, bits / 2 + 4 * sigma);
        }
    }

    @Test
    void connectionsAndStreamsAreCappedByDefault() {
        ServerConfig server = ServerConfig.builder().certificateChain(TestCertificate.certificate()).privateKey(TestCertificate.privateKey())
                .alpn("x").build();
        assertThat(server.maxConnections()).as("default connection cap").isEqualTo(10_000);
        assertThat(TransportSettings.DEFAULTS.initialMaxStreamsBidi()).as("default bidirectional stream cap").isEqualTo(100);
        assertThat(TransportSettings.DEFAULTS.initialMaxStreamsUni()).as("default unidirectional stream cap").isEqualTo(100);
        try (Peers peers = Peers.builder().build()) {
            QuicConnection connection = peers.connect();
            List<QuicStream> streams = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                streams.add(connection.openBidirectionalStream());
            }
            assertThatThrownBy(connection::openBidirectionalStream).isInstanceOf(StreamLimitException.class).hasMessageContaining("100");
            assertThatThrownBy(() -> connection.openBidirectionalStream(Duration.ofMillis(100)))
                    .isInstanceOf(io.quicheengine.QuicTimeoutException.class).hasMessageContaining("stream limit");
            assertThat(streams).hasSize(100);
        }
    }

    @Test
    void keysAreLoggedOnlyWhenAsked(@TempDir Path directory) throws IOException {
        assertThat(ClientConfig.builder().alpn("x").build().keyLogFile()).as("client default").isNull();
        assertThat(ServerConfig.builder().certificateChain(TestCertificate.certificate()).privateKey(TestCertificate.privateKey())
                .alpn("x").build().keyLogFile()).as("server default").isNull();
        Path keyLog = directory.resolve("keys.log");
        try (Peers peers = Peers.builder().build()) {
            peers.connect().close(); // the default config: nothing may appear anywhere we can see
            ClientConfig logging = ClientConfig.builder().alpn(Peers.ALPN).caFile(TestCertificate.certificate()).serverName("localhost")
                    .keyLogFile(keyLog).build();
            QuicConnection connection = peers.clientEngine.connect(peers.server.localAddress(), logging).awaitHandshake(Duration.ofSeconds(10));
            connection.close();
            connection.closeFuture().join();
        }
        // Positive control: the option is what turns logging on.
        assertThat(Files.readString(keyLog)).contains("CLIENT_HANDSHAKE_TRAFFIC_SECRET");
        try (var files = Files.list(directory)) {
            assertThat(files.toList()).containsExactly(keyLog);
        }
    }

    /**
     * The server's listener throws for one connection (the one that opens a unidirectional stream).
     * Only that connection closes, with INTERNAL_ERROR; the error handler gets the connection, a
     * context and the very exception; another connection in the middle of a transfer finishes it
     * byte-exact; newcomers are served.
     */
    @Test
    void aListenerExceptionClosesOnlyItsConnectionAndIsReported() throws Exception {
        IllegalStateException boom = new IllegalStateException("poisoned by a unidirectional stream");
        io.quicheengine.EchoListener poisoned = new io.quicheengine.EchoListener() {
            @Override
            public void onStreamOpened(QuicStream stream) {
                if (!stream.isBidirectional()) {
                    throw boom;
                }
            }
        };
        try (Peers peers = Peers.builder().serverListener(poisoned).build();
             QuicEngine victimEngine = QuicEngine.builder().name("victim").loopWaitStrategy(WaitStrategy.BLOCKING).build()) {
            QuicConnection bystander = peers.connect();
            CompletableFuture<EchoTransfer.Result> transfer = CompletableFuture.supplyAsync(
                    () -> new EchoTransfer().run(bystander, 4, 1 << 20, 3, Duration.ofSeconds(60), () -> "bystander"));
            QuicConnection victim = victimEngine.connect(peers.server.localAddress(), peers.clientConfig).awaitHandshake(Duration.ofSeconds(10));
            QuicStream poison = victim.openUnidirectionalStream();
            poison.write(new byte[] {1}, 0, 1, true, Duration.ofSeconds(5));
            CloseReason reason = victim.closeFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(reason.byPeer()).as("%s", reason).isTrue();
            assertThat(reason.application()).as("%s", reason).isFalse();
            assertThat(reason.errorCode()).as("INTERNAL_ERROR: %s", reason).isEqualTo(0x1);

            EchoTransfer.Result result = transfer.get();
            assertThat(result.exact()).as("the other connection's transfer").isTrue();
            assertThat(bystander.isEstablished()).isTrue();
            assertThat(peers.errors.all()).hasSize(1);
            ErrorLog.Report report = peers.errors.all().get(0);
            assertThat(report.error()).isSameAs(boom);
            assertThat(report.engine()).isEqualTo("server");
            assertThat(report.connection()).as("the report names the connection").isNotNull();
            assertThat(report.connection().remoteAddress().getPort()).isEqualTo(victim.localAddress().getPort());
            assertThat(report.context()).as("context").isNotBlank();
            QuicConnection newcomer = peers.connect();
            assertThat(new EchoTransfer().run(newcomer, 1, 4096, 1, Duration.ofSeconds(10), () -> "newcomer").exact()).isTrue();
            Wait.until(() -> peers.server.connectionCount() == 2, Duration.ofSeconds(5), () -> "bystander and newcomer only");
        }
    }
}
