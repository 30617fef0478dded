package io.quicheengine.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.quicheengine.ClientConfig;
import io.quicheengine.ClosedException;
import io.quicheengine.QuicConnection;
import io.quicheengine.QuicEngine;
import io.quicheengine.QuicException;
import io.quicheengine.QuicListener;
import io.quicheengine.QuicServer;
import io.quicheengine.QuicStream;
import io.quicheengine.QuicTimeoutException;
import io.quicheengine.ServerConfig;
import io.quicheengine.StreamResetException;
import io.quicheengine.TransportSettings;
import io.quicheengine.WaitStrategy;
import io.quicheengine.testing.TestCertificate;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * Misuse of every public entry point of core, as a table: each row is one wrong call and the
 * specific exception it must raise, with words its message must contain (the argument or the state
 * at fault). Rows run in order against one pair of engines; the last rows prove the same engines
 * still carry a normal transfer and logged no error. Rows marked FAILS in their name show engine
 * bugs (the comment of the method that lists the group says which and why).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiMisuseTest {
    private static final Duration SECONDS_5 = Duration.ofSeconds(5);

    private Peers peers;
    /** A second server on the server engine, in polling mode: gives the test the server's side of streams. */
    private QuicServer pollingServer;
    /** client -> echo server */
    private QuicConnection connection;
    /** client -> polling server, and its server side */
    private QuicConnection toPolling;
    private QuicConnection serverSide;
    private final byte[] ten = new byte[10];

    @BeforeAll
    void start() {
        peers = Peers.builder().build();
        pollingServer = peers.serverEngine.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), peers.serverConfig, null);
        connection = peers.connect();
        toPolling = peers.connect(pollingServer.localAddress(), SECONDS_5);
        serverSide = Wait.forValue(pollingServer::accept, SECONDS_5, "the polling server's connection");
    }

    @AfterAll
    void stop() {
        if (peers != null) {
            peers.close();
        }
    }

    /** One row: a call, the exception type it must throw, and fragments its message must contain. */
    private record Row(String name, ThrowingCallable call, Class<? extends Throwable> type, String... fragments) {
    }

    private static Row row(String name, Class<? extends Throwable> type, ThrowingCallable call, String... fragments) {
        return new Row(name, call, type, fragments);
    }

    /** A row for a call that must be harmless (double close and the like). */
    private static Row harmless(String name, ThrowingCallable call) {
        return new Row(name, call, null);
    }

    @TestFactory
    List<DynamicTest> everyMisuseGetsASpecificExceptionNamingTheProblem() {
        List<Row> rows = new ArrayList<>();
        rows.addAll(engineBuilderRows());
        rows.addAll(engineRows());
        rows.addAll(clientConfigRows());
        rows.addAll(serverConfigRows());
        rows.addAll(transportRows());
        rows.addAll(connectionRows());
        rows.addAll(serverRows());
        rows.addAll(streamArgumentRows());
        rows.addAll(streamStateRows());
        rows.addAll(engineClosedRows());
        List<DynamicTest> tests = new ArrayList<>();
        for (Row r : rows) {
            tests.add(DynamicTest.dynamicTest(r.name(), () -> check(r)));
        }
        tests.add(DynamicTest.dynamicTest("afterwards a normal transfer on the same engines still works", this::normalTransferStillWorks));
        return tests;
    }

    private static void check(Row r) {
        if (r.type() == null) {
            assertThatCode(r.call()).as(r.name()).doesNotThrowAnyException();
            return;
        }
        Throwable thrown = catchThrowable(r.call());
        if (thrown == null) {
            throw new AssertionError(r.name() + ": expected " + r.type().getSimpleName() + " but the call was accepted");
        }
        assertThat(thrown).as(r.name()).isInstanceOf(r.type());
        for (String fragment : r.fragments()) {
            assertThat(thrown.getMessage()).as("message of %s", r.name()).containsIgnoringCase(fragment);
        }
    }

    // ------------------------------------------------------------------ QuicEngine.Builder

    private List<Row> engineBuilderRows() {
        return List.of(
                row("engine name null", NullPointerException.class, () -> QuicEngine.builder().name(null), "name"),
                row("engine name blank", IllegalArgumentException.class, () -> QuicEngine.builder().name("  "), "name", "blank"),
                row("loopWaitStrategy null", NullPointerException.class, () -> QuicEngine.builder().loopWaitStrategy(null), "loopWaitStrategy"),
                row("appWaitStrategy null", NullPointerException.class, () -> QuicEngine.builder().appWaitStrategy(null), "appWaitStrategy"),
                row("commandRingSize not a power of two", IllegalArgumentException.class, () -> QuicEngine.builder().commandRingSize(100),
                        "commandRingSize", "100"),
                row("commandRingSize too small", IllegalArgumentException.class, () -> QuicEngine.builder().commandRingSize(32), "commandRingSize", "32"),
                row("slotSize too small", IllegalArgumentException.class, () -> QuicEngine.builder().slotSize(63), "slotSize", "63"),
                row("slotSize too large", IllegalArgumentException.class, () -> QuicEngine.builder().slotSize((1 << 20) + 1), "slotSize"),
                row("readRingCapacity not a power of two", IllegalArgumentException.class, () -> QuicEngine.builder().readRingCapacity(5000),
                        "readRingCapacity", "5000"),
                row("readRingCapacity negative", IllegalArgumentException.class, () -> QuicEngine.builder().readRingCapacity(-4096), "readRingCapacity"),
                row("maxReadRings zero", IllegalArgumentException.class, () -> QuicEngine.builder().maxReadRings(0), "maxReadRings", "0"),
                row("streamWriteBound zero", IllegalArgumentException.class, () -> QuicEngine.builder().streamWriteBound(0), "streamWriteBound"),
                row("connectionWriteBound negative", IllegalArgumentException.class, () -> QuicEngine.builder().connectionWriteBound(-1),
                        "connectionWriteBound", "-1"),
                row("closeTimeout null", NullPointerException.class, () -> QuicEngine.builder().closeTimeout(null), "closeTimeout"),
                row("closeTimeout negative", IllegalArgumentException.class, () -> QuicEngine.builder().closeTimeout(Duration.ofSeconds(-1)),
                        "closeTimeout"),
                row("statsInterval zero", IllegalArgumentException.class, () -> QuicEngine.builder().statsInterval(Duration.ZERO), "statsInterval"),
                row("errorHandler null", NullPointerException.class, () -> QuicEngine.builder().errorHandler(null), "errorHandler"));
    }

    // ------------------------------------------------------------------ QuicEngine

    private List<Row> engineRows() {
        InetSocketAddress server = peers.server.localAddress();
        InetSocketAddress loopbackAny = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        return List.of(
                row("connect to null", NullPointerException.class, () -> peers.clientEngine.connect(null, peers.clientConfig), "remote"),
                row("connect with null config", NullPointerException.class, () -> peers.clientEngine.connect(server, null), "config"),
                row("connect to an unresolved host", IllegalArgumentException.class,
                        () -> peers.clientEngine.connect(InetSocketAddress.createUnresolved("no-such-host.invalid", 443), peers.clientConfig),
                        "unresolved"),
                row("connect to port 0", IllegalArgumentException.class,
                        () -> peers.clientEngine.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), peers.clientConfig), "port 0"),
                row("bind null", NullPointerException.class, () -> peers.serverEngine.bind(null, peers.serverConfig), "local"),
                row("bind with null config", NullPointerException.class, () -> peers.serverEngine.bind(loopbackAny, null), "config"),
                row("bind an unresolved address", IllegalArgumentException.class,
                        () -> peers.serverEngine.bind(InetSocketAddress.createUnresolved("no-such-host.invalid", 0), peers.serverConfig), "unresolved"),
                row("bind a port in use", QuicException.class, () -> peers.serverEngine.bind(server, peers.serverConfig),
                        String.valueOf(server.getPort()), "in use"),
                row("bind with a key that is not a key", QuicException.class,
                        () -> peers.serverEngine.bind(loopbackAny, Peers.serverConfigBuilder(TransportSettings.DEFAULTS)
                                .privateKey(TestCertificate.certificate()).build()), "key"));
    }

    // ------------------------------------------------------------------ ClientConfig.Builder

    private List<Row> clientConfigRows() {
        Path missing = Path.of("/nonexistent/ca.pem");
        return List.of(
                row("client alpn null", NullPointerException.class, () -> ClientConfig.builder().alpn((String[]) null), "alpn"),
                row("client alpn empty string", IllegalArgumentException.class, () -> ClientConfig.builder().alpn(""), "ALPN", "1 to 255"),
                row("client alpn with a space", IllegalArgumentException.class, () -> ClientConfig.builder().alpn("h 3"), "ALPN", "index 1"),
                row("client alpn 256 characters", IllegalArgumentException.class, () -> ClientConfig.builder().alpn("x".repeat(256)), "ALPN", "256"),
                row("client without alpn", IllegalArgumentException.class, () -> ClientConfig.builder().build(), "alpn"),
                row("serverName blank", IllegalArgumentException.class, () -> ClientConfig.builder().serverName(" "), "serverName"),
                row("serverName 254 characters", IllegalArgumentException.class, () -> ClientConfig.builder().serverName("a".repeat(254)), "serverName"),
                row("caFile null", NullPointerException.class, () -> ClientConfig.builder().caFile(null), "caFile"),
                row("caFile missing", IllegalArgumentException.class, () -> ClientConfig.builder().caFile(missing), "caFile", "does not exist"),
                row("caFile a directory", IllegalArgumentException.class, () -> ClientConfig.builder().caFile(Path.of("/tmp")), "caFile", "not a file"),
                row("client transport null", NullPointerException.class, () -> ClientConfig.builder().transport(null), "transport"),
                row("caFile and trustAll together", IllegalArgumentException.class,
                        () -> ClientConfig.builder().alpn("x").caFile(TestCertificate.certificate()).trustAllCertificatesInsecurely().build(),
                        "caFile", "trustAllCertificatesInsecurely"));
    }

    // ------------------------------------------------------------------ ServerConfig.Builder

    private List<Row> serverConfigRows() {
        Path cert = TestCertificate.certificate();
        Path key = TestCertificate.privateKey();
        return List.of(
                row("certificateChain null", NullPointerException.class, () -> ServerConfig.builder().certificateChain(null), "certificateChain"),
                row("certificateChain missing", IllegalArgumentException.class,
                        () -> ServerConfig.builder().certificateChain(Path.of("/nonexistent/cert.pem")), "certificateChain", "does not exist"),
                row("privateKey missing", IllegalArgumentException.class, () -> ServerConfig.builder().privateKey(Path.of("/nonexistent/key.pem")),
                        "privateKey", "does not exist"),
                row("server without certificate", IllegalArgumentException.class, () -> ServerConfig.builder().privateKey(key).alpn("x").build(),
                        "certificateChain"),
                row("server without key", IllegalArgumentException.class, () -> ServerConfig.builder().certificateChain(cert).alpn("x").build(),
                        "privateKey"),
                row("server without alpn", IllegalArgumentException.class,
                        () -> ServerConfig.builder().certificateChain(cert).privateKey(key).build(), "alpn"),
                row("server alpn null", NullPointerException.class, () -> ServerConfig.builder().alpn((String[]) null), "alpn"),
                row("server transport null", NullPointerException.class, () -> ServerConfig.builder().transport(null), "transport"),
                row("retryTokenLifetime null", NullPointerException.class, () -> ServerConfig.builder().retryTokenLifetime(null), "retryTokenLifetime"),
                row("retryTokenLifetime zero", IllegalArgumentException.class, () -> ServerConfig.builder().retryTokenLifetime(Duration.ZERO),
                        "retryTokenLifetime"),
                row("retryTokenLifetime two hours", IllegalArgumentException.class,
                        () -> ServerConfig.builder().retryTokenLifetime(Duration.ofHours(2)), "retryTokenLifetime"),
                row("maxConnections zero", IllegalArgumentException.class, () -> ServerConfig.builder().maxConnections(0), "maxConnections", "0"));
    }

    // ------------------------------------------------------------------ TransportSettings.Builder

    /**
     * The last four rows FAIL today: values beyond QUIC's limits (varints end at 2^62-1; stream
     * counts at 2^60, RFC 9000 sections 16 and 4.6) are accepted, and the first connect or accept
     * with them makes quiche panic inside {@code quiche_connect}/{@code quiche_accept}
     * (octets {@code varint_len}: unreachable), which aborts the whole JVM (SIGABRT, checked by hand
     * with initialMaxData = 2^62 and max idle timeout = 2^62 ms).
     */
    private List<Row> transportRows() {
        return List.of(
                row("idleTimeout null", NullPointerException.class, () -> TransportSettings.builder().idleTimeout(null), "idleTimeout"),
                row("idleTimeout negative", IllegalArgumentException.class, () -> TransportSettings.builder().idleTimeout(Duration.ofMillis(-1)),
                        "idleTimeout"),
                row("maxUdpPayloadSize below 1200", IllegalArgumentException.class, () -> TransportSettings.builder().maxUdpPayloadSize(1199),
                        "maxUdpPayloadSize", "1199"),
                row("maxUdpPayloadSize above 65527", IllegalArgumentException.class, () -> TransportSettings.builder().maxUdpPayloadSize(65528),
                        "maxUdpPayloadSize", "65528"),
                row("initialMaxData negative", IllegalArgumentException.class, () -> TransportSettings.builder().initialMaxData(-1), "initialMaxData"),
                row("initialMaxStreamData negative", IllegalArgumentException.class, () -> TransportSettings.builder().initialMaxStreamData(-1),
                        "initialMaxStreamData"),
                row("initialMaxStreamDataBidiLocal negative", IllegalArgumentException.class,
                        () -> TransportSettings.builder().initialMaxStreamDataBidiLocal(-1), "initialMaxStreamDataBidiLocal"),
                row("initialMaxStreamDataBidiRemote negative", IllegalArgumentException.class,
                        () -> TransportSettings.builder().initialMaxStreamDataBidiRemote(-1), "initialMaxStreamDataBidiRemote"),
                row("initialMaxStreamDataUni negative", IllegalArgumentException.class,
                        () -> TransportSettings.builder().initialMaxStreamDataUni(-1), "initialMaxStreamDataUni"),
                row("initialMaxStreamsBidi negative", IllegalArgumentException.class, () -> TransportSettings.builder().initialMaxStreamsBidi(-1),
                        "initialMaxStreamsBidi"),
                row("initialMaxStreamsUni negative", IllegalArgumentException.class, () -> TransportSettings.builder().initialMaxStreamsUni(-1),
                        "initialMaxStreamsUni"),
                row("maxConnectionWindow negative", IllegalArgumentException.class, () -> TransportSettings.builder().maxConnectionWindow(-1),
                        "maxConnectionWindow"),
                row("maxStreamWindow negative", IllegalArgumentException.class, () -> TransportSettings.builder().maxStreamWindow(-1),
                        "maxStreamWindow"),
                row("congestionControl null", NullPointerException.class, () -> TransportSettings.builder().congestionControl(null),
                        "congestionControl"),
                row("initialCongestionWindowPackets zero", IllegalArgumentException.class,
                        () -> TransportSettings.builder().initialCongestionWindowPackets(0), "initialCongestionWindowPackets"),
                row("maxAckDelay null", NullPointerException.class, () -> TransportSettings.builder().maxAckDelay(null), "maxAckDelay"),
                row("maxAckDelay 2^14 ms", IllegalArgumentException.class, () -> TransportSettings.builder().maxAckDelay(Duration.ofMillis(1 << 14)),
                        "maxAckDelay"),
                row("datagrams negative", IllegalArgumentException.class, () -> TransportSettings.builder().datagrams(-1), "datagram"),
                row("FAILS: initialMaxData 2^62 (beyond a QUIC varint)", IllegalArgumentException.class,
                        () -> TransportSettings.builder().initialMaxData(1L << 62), "initialMaxData"),
                row("FAILS: initialMaxStreamData 2^62 (beyond a QUIC varint)", IllegalArgumentException.class,
                        () -> TransportSettings.builder().initialMaxStreamData(1L << 62), "initialMaxStreamData"),
                row("FAILS: initialMaxStreamsBidi 2^60+1 (beyond QUIC's stream limit)", IllegalArgumentException.class,
                        () -> TransportSettings.builder().initialMaxStreamsBidi((1L << 60) + 1), "initialMaxStreamsBidi"),
                row("FAILS: idleTimeout 2^62 ms (beyond a QUIC varint)", IllegalArgumentException.class,
                        () -> TransportSettings.builder().idleTimeout(Duration.ofMillis(1L << 62)), "idleTimeout"));
    }

    // ------------------------------------------------------------------ QuicConnection

    private List<Row> connectionRows() {
        return List.of(
                row("awaitHandshake null", NullPointerException.class, () -> connection.awaitHandshake(null), "timeout"),
                row("openBidirectionalStream null timeout", NullPointerException.class, () -> connection.openBidirectionalStream(null), "timeout"),
                row("openUnidirectionalStream negative timeout", IllegalArgumentException.class,
                        () -> connection.openUnidirectionalStream(Duration.ofMillis(-1)), "timeout", "negative"),
                row("close with a negative error code", IllegalArgumentException.class, () -> connection.close(-1, ""), "error code", "-1"),
                row("close with an error code beyond 2^62-1", IllegalArgumentException.class, () -> connection.close(1L << 62, ""), "error code"),
                row("close with a null reason", NullPointerException.class, () -> connection.close(0, null), "reason"),
                row("close with a 1001-character reason", IllegalArgumentException.class, () -> connection.close(0, "r".repeat(1001)),
                        "reason", "1000"),
                row("close with a null flush timeout", NullPointerException.class, () -> connection.close(0, "", null), "flushTimeout"),
                row("close with a negative flush timeout", IllegalArgumentException.class,
                        () -> connection.closeGracefully(Duration.ofMillis(-1)), "flushTimeout", "negative"),
                row("acceptStream on a connection with a listener", IllegalStateException.class, () -> {
                    QuicConnection withListener = peers.clientEngine.connect(peers.server.localAddress(), peers.clientConfig, new QuicListener() { });
                    try {
                        withListener.acceptStream();
                    } finally {
                        withListener.close();
                    }
                }, "listener"),
                row("open a stream before the handshake", IllegalStateException.class, () -> withSilentPeer(c -> c.openBidirectionalStream()),
                        "handshake"),
                row("open a stream waiting for a handshake that never comes", QuicTimeoutException.class,
                        () -> withSilentPeer(c -> c.openBidirectionalStream(Duration.ofMillis(200))), "handshake", "in time"),
                row("open a stream on a closed connection", ClosedException.class, () -> closedConnection().openBidirectionalStream(), "closed"),
                harmless("close a closed connection again", () -> closedConnection().close()),
                row("blocking write on the loop thread (inside a listener)", IllegalStateException.class, this::blockingWriteInListener,
                        "loop thread"));
    }

    private void withSilentPeer(java.util.function.Consumer<QuicConnection> action) throws Exception {
        try (DatagramChannel silent = DatagramChannel.open()) {
            silent.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            QuicConnection c = peers.clientEngine.connect((InetSocketAddress) silent.getLocalAddress(), peers.clientConfig);
            try {
                action.accept(c);
            } finally {
                c.close();
            }
        }
    }

    private QuicConnection closedConnection() {
        QuicConnection c = peers.connect();
        c.close();
        c.closeFuture().join();
        return c;
    }

    private void blockingWriteInListener() throws Throwable {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        QuicConnection c = peers.clientEngine.connect(peers.server.localAddress(), peers.clientConfig, new QuicListener() {
            @Override
            public void onHandshakeComplete(QuicConnection connection) {
                try {
                    connection.openBidirectionalStream().write(new byte[1], 0, 1, true, SECONDS_5);
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            }
        });
        try {
            Throwable t = outcome.get(10, TimeUnit.SECONDS);
            if (t != null) {
                throw t;
            }
        } finally {
            c.close();
        }
    }

    // ------------------------------------------------------------------ QuicServer

    private List<Row> serverRows() {
        return List.of(
                row("accept on a server with a listener", IllegalStateException.class, () -> peers.server.accept(), "listener"),
                harmless("close a server twice", () -> {
                    QuicServer extra = peers.serverEngine.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), peers.serverConfig);
                    extra.close();
                    extra.closeFuture().get(5, TimeUnit.SECONDS);
                    extra.close();
                }));
    }

    // ------------------------------------------------------------------ QuicStream: arguments

    private List<Row> streamArgumentRows() {
        return List.of(
                row("offer null array", NullPointerException.class, () -> stream().offer((byte[]) null, 0, 1, false), "source"),
                row("offer negative offset", IndexOutOfBoundsException.class, () -> stream().offer(ten, -1, 1, false), "-1", "10"),
                row("offer range beyond the array", IndexOutOfBoundsException.class, () -> stream().offer(ten, 5, 10, false), "5", "10"),
                row("offer negative length", IndexOutOfBoundsException.class, () -> stream().offer(ten, 0, -3, false), "-3"),
                row("offer null ByteBuffer", NullPointerException.class, () -> stream().offer((ByteBuffer) null, false), "source"),
                row("offer null DirectBuffer", NullPointerException.class, () -> stream().offer((UnsafeBuffer) null, 0, 1, false), "source"),
                row("offer DirectBuffer range beyond it", IndexOutOfBoundsException.class,
                        () -> stream().offer(new UnsafeBuffer(new byte[8]), 4, 8, false), "4", "8"),
                row("offerMessage null", NullPointerException.class, () -> stream().offerMessage((byte[]) null, 0, 1, false), "source"),
                row("offerMessage larger than any atomic write", IllegalArgumentException.class,
                        () -> stream().offerMessage(new byte[(2 << 20)], 0, 2 << 20, false), "larger than the largest atomic write"),
                row("write null array", NullPointerException.class, () -> stream().write((byte[]) null, 0, 1, false, SECONDS_5), "source"),
                row("write null timeout", NullPointerException.class, () -> stream().write(ten, 0, 1, false, null), "timeout"),
                row("write negative timeout", IllegalArgumentException.class, () -> stream().write(ten, 0, 1, false, Duration.ofSeconds(-1)),
                        "timeout"),
                row("write range beyond the array", IndexOutOfBoundsException.class, () -> stream().write(ten, 8, 3, false, SECONDS_5), "8", "10"),
                row("finish null timeout", NullPointerException.class, () -> stream().finish(null), "timeout"),
                row("read null array", NullPointerException.class, () -> stream().read(null, 0, 1), "destination"),
                row("read range beyond the array", IndexOutOfBoundsException.class, () -> stream().read(ten, 0, 11), "11", "10"),
                row("read null ByteBuffer", NullPointerException.class, () -> stream().read((ByteBuffer) null), "destination"),
                row("blocking read null timeout", NullPointerException.class, () -> stream().read(ten, 0, 1, null), "timeout"),
                row("poll null handler", NullPointerException.class, () -> stream().poll(null, 1), "handler"),
                row("poll fragmentLimit 0", IllegalArgumentException.class, () -> stream().poll((b, i, l) -> { }, 0), "fragmentLimit", "0"),
                row("reset with a negative code", IllegalArgumentException.class, () -> stream().reset(-5), "error code", "-5"),
                row("shutdownRead with a code beyond 2^62-1", IllegalArgumentException.class, () -> stream().shutdownRead(1L << 62), "error code"));
    }

    private QuicStream stream() {
        return connection.openBidirectionalStream(SECONDS_5);
    }

    // ------------------------------------------------------------------ QuicStream: state

    /**
     * "FAILS: write on the peer's unidirectional stream" expects {@link IllegalStateException}: it is
     * a usage error, as the engine itself treats reading our own unidirectional stream or resetting the
     * peer's. Today it is a {@link ClosedException} ("... it cannot be written"), which an
     * application's close handling would mistake for an ordinary close.
     */
    private List<Row> streamStateRows() {
        return List.of(
                row("read our own unidirectional stream", IllegalStateException.class,
                        () -> connection.openUnidirectionalStream().read(ten, 0, 1), "unidirectional", "cannot be read"),
                row("poll our own unidirectional stream", IllegalStateException.class,
                        () -> connection.openUnidirectionalStream().poll((b, i, l) -> { }, 1), "unidirectional"),
                row("shutdownRead on our own unidirectional stream", IllegalStateException.class,
                        () -> connection.openUnidirectionalStream().shutdownRead(0), "unidirectional", "no receive side"),
                row("FAILS: write on the peer's unidirectional stream", IllegalStateException.class,
                        () -> peerUnidirectionalStream().offer(ten, 0, 1, false), "unidirectional", "cannot be written"),
                row("reset the peer's unidirectional stream", IllegalStateException.class, () -> peerUnidirectionalStream().reset(0),
                        "unidirectional", "no send side"),
                row("write after fin", ClosedException.class, () -> {
                    QuicStream s = stream();
                    s.write(ten, 0, 10, true, SECONDS_5);
                    s.offer(ten, 0, 1, false);
                }, "already finished"),
                row("bytes with a fin after finish (a second finish alone is harmless)", ClosedException.class, () -> {
                    QuicStream s = stream();
                    s.finish(SECONDS_5);
                    s.finish(SECONDS_5);
                    s.offerFin();
                    s.offer(ten, 0, 1, true);
                }, "already finished"),
                row("write after our reset", ClosedException.class, () -> {
                    QuicStream s = stream();
                    s.reset(3);
                    s.offer(ten, 0, 1, false);
                }, "reset by this side"),
                harmless("reset twice", () -> {
                    QuicStream s = stream();
                    s.reset(3);
                    s.reset(4);
                }),
                harmless("shutdownRead twice", () -> {
                    QuicStream s = stream();
                    s.shutdownRead(1);
                    s.shutdownRead(2);
                }),
                row("write after the peer stopped the stream (STOP_SENDING)", ClosedException.class, this::writeAfterPeerStopped,
                        "STOP_SENDING", "9"),
                row("read after the peer reset the stream", StreamResetException.class, this::readAfterPeerReset, "reset by the peer", "11"),
                row("write after the connection closed", ClosedException.class, () -> {
                    QuicConnection c = peers.connect();
                    QuicStream s = c.openBidirectionalStream();
                    c.close();
                    c.closeFuture().join();
                    s.offer(ten, 0, 1, false);
                }, "closed"),
                row("read after the connection closed", ClosedException.class, () -> {
                    QuicConnection c = peers.connect();
                    QuicStream s = c.openBidirectionalStream();
                    s.offer(ten, 0, 1, false);
                    c.close();
                    c.closeFuture().join();
                    s.read(ten, 0, 10);
                }, "cannot be read", "closed"),
                row("two threads reading one stream", IllegalStateException.class, this::twoReaders, "being read by another thread"));
    }

    private QuicStream peerUnidirectionalStream() throws Exception {
        QuicStream fromServer = serverSide.openUnidirectionalStream();
        fromServer.write(ten, 0, 1, false, SECONDS_5);
        return Wait.forValue(toPolling::acceptStream, SECONDS_5, "the server's unidirectional stream");
    }

    private void writeAfterPeerStopped() throws Exception {
        QuicStream s = toPolling.openBidirectionalStream(SECONDS_5);
        s.write(ten, 0, 1, false, SECONDS_5);
        QuicStream atServer = Wait.forValue(serverSide::acceptStream, SECONDS_5, "the stream at the server");
        atServer.shutdownRead(9);
        long deadline = System.nanoTime() + SECONDS_5.toNanos();
        while (System.nanoTime() < deadline) {
            s.offer(ten, 0, 1, false); // throws once STOP_SENDING arrived
            Thread.sleep(2);
        }
    }

    private void readAfterPeerReset() throws Exception {
        QuicStream s = toPolling.openBidirectionalStream(SECONDS_5);
        s.write(ten, 0, 1, false, SECONDS_5);
        QuicStream atServer = Wait.forValue(serverSide::acceptStream, SECONDS_5, "the stream at the server");
        atServer.reset(11);
        s.read(ten, 0, 10, SECONDS_5); // nothing was sent before the reset: the read fails at once the reset arrives
    }

    /** A poll whose handler waits holds the stream's reader lease; a second thread's read then meets it. */
    private void twoReaders() throws Exception {
        QuicStream s = stream();
        s.write(ten, 0, 10, true, SECONDS_5);
        Wait.until(() -> s.stats().bytesReceived() > 0, SECONDS_5, () -> "the echo to arrive");
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread first = Thread.ofPlatform().start(() -> s.poll((buffer, index, length) -> {
            inHandler.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, 1));
        try {
            assertThat(inHandler.await(5, TimeUnit.SECONDS)).isTrue();
            s.read(ten, 0, 10);
        } finally {
            release.countDown();
            first.join(5_000);
        }
    }

    // ------------------------------------------------------------------ use after engine close

    private List<Row> engineClosedRows() {
        QuicEngine closed = QuicEngine.builder().name("closed-engine").loopWaitStrategy(WaitStrategy.BLOCKING).build();
        QuicConnection before = closed.connect(peers.server.localAddress(), peers.clientConfig).awaitHandshake(SECONDS_5);
        QuicStream stream = before.openBidirectionalStream();
        closed.close();
        return List.of(
                row("connect on a closed engine", ClosedException.class, () -> closed.connect(peers.server.localAddress(), peers.clientConfig),
                        "closed-engine", "closed"),
                row("bind on a closed engine", ClosedException.class,
                        () -> closed.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), peers.serverConfig), "closed-engine", "closed"),
                row("open a stream after the engine closed", ClosedException.class, before::openBidirectionalStream, "closed"),
                row("write after the engine closed", ClosedException.class, () -> stream.offer(ten, 0, 1, false), "closed"),
                row("read after the engine closed", ClosedException.class, () -> stream.read(ten, 0, 1), "closed"),
                harmless("close a closed engine again", closed::close),
                harmless("close a connection of a closed engine", before::close),
                harmless("nothing native left after the engine closed",
                        () -> assertThat(closed.stats().nothingAllocated()).as("%s", closed.stats()).isTrue()));
    }

    // ------------------------------------------------------------------ afterwards

    private void normalTransferStillWorks() {
        QuicConnection fresh = peers.connect();
        EchoTransfer.Result result = new EchoTransfer().run(fresh, 4, 256 * 1024, 42, Duration.ofSeconds(30), () -> "after misuse");
        assertThat(result.exact()).isTrue();
        EchoTransfer.Result onOld = new EchoTransfer().run(connection, 2, 64 * 1024, 43, Duration.ofSeconds(30), () -> "after misuse");
        assertThat(onOld.exact()).as("the connection the misuse ran on still works").isTrue();
        fresh.close();
        // The misuse rows reset and stop streams on purpose; nothing else may have reached the error handler.
        assertThat(peers.errors.all()).isEmpty();
    }
}
