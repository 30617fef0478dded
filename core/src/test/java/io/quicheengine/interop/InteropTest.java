package io.quicheengine.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.quicheengine.ClientConfig;
import io.quicheengine.QuicConnection;
import io.quicheengine.QuicEngine;
import io.quicheengine.QuicException;
import io.quicheengine.QuicServer;
import io.quicheengine.QuicTimeoutException;
import io.quicheengine.ServerConfig;
import io.quicheengine.TransportSettings;
import io.quicheengine.WaitStrategy;
import io.quicheengine.interop.EngineClientTransfers.Mode;
import io.quicheengine.interop.InteropPeers.Stack;
import io.quicheengine.testing.TestCertificate;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The engine against independent QUIC stacks (quic-go and quinn, our peer programs in
 * {@code src/test/interop}, built by {@code build-peers.sh}), in both directions on 127.0.0.1:
 * peer clients against an engine server, and the engine's client against peer servers. Every
 * transfer checks its bytes exactly; every wait has a deadline; peers are killed after each case.
 * A case is one method over {@link Stack}; {@link #report} prints which passed against which stack.
 */
class InteropTest {
    private static final String ALPN = "interop";
    private static final Duration CASE_TIMEOUT = Duration.ofSeconds(30);
    private static final long BULK = 4L << 20;
    private static final int MANY_STREAMS = 64;
    private static final long PER_STREAM = 64 * 1024;
    private static final Map<String, Map<Stack, String>> RESULTS = new ConcurrentHashMap<>();
    private static final List<String> ORDER = new ArrayList<>();
    /** The engine client's connections of the running case, closed when it ends. */
    private static final List<QuicConnection> CONNECTIONS = new ArrayList<>();

    private static QuicEngine serverEngine;
    private static QuicEngine clientEngine;

    @BeforeAll
    static void start() {
        // BLOCKING: the peers and both engines share two cores with the rest of the build.
        serverEngine = QuicEngine.builder().name("interop-server").loopWaitStrategy(WaitStrategy.BLOCKING).appWaitStrategy(WaitStrategy.BLOCKING).build();
        clientEngine = QuicEngine.builder().name("interop-client").loopWaitStrategy(WaitStrategy.BLOCKING).appWaitStrategy(WaitStrategy.BLOCKING).build();
    }

    @AfterAll
    static void report() throws IOException {
        try {
            if (clientEngine != null) {
                clientEngine.close();
            }
        } finally {
            if (serverEngine != null) {
                serverEngine.close();
            }
        }
        StringBuilder table = new StringBuilder(String.format("%-42s %-12s %-12s%n", "interop case", Stack.QUIC_GO, Stack.QUINN));
        synchronized (ORDER) {
            for (String name : ORDER.stream().sorted().toList()) {
                Map<Stack, String> row = RESULTS.get(name);
                table.append(String.format("%-42s %-12s %-12s%n", name, row.getOrDefault(Stack.QUIC_GO, "-"), row.getOrDefault(Stack.QUINN, "-")));
            }
        }
        System.out.print(table);
        Path target = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target");
        if (Files.isDirectory(target)) {
            Files.writeString(target.resolve("interop-results.txt"), table);
        }
    }

    // ------------------------------------------------------------------ peer clients, engine server

    @ParameterizedTest
    @EnumSource(Stack.class)
    void peerClientEchoesThroughEngineServer(Stack stack) {
        record("peer client -> engine server: echo 4 MiB", stack, () ->
                withEngineServer(EngineServerListener.Mode.ECHO, b -> { }, server ->
                        runPeerClient(stack, server, "--mode", "echo", "--bytes", Long.toString(BULK))));
    }

    @ParameterizedTest
    @EnumSource(Stack.class)
    void peerClientUploadsToEngineSink(Stack stack) {
        record("peer client -> engine server: sink 4 MiB", stack, () ->
                withEngineServer(EngineServerListener.Mode.SINK, b -> { }, server ->
                        runPeerClient(stack, server, "--mode", "upload", "--bytes", Long.toString(BULK))));
    }

    @ParameterizedTest
    @EnumSource(Stack.class)
    void peerClientDownloadsFromEngineSource(Stack stack) {
        record("peer client -> engine server: source 4 MiB", stack, () ->
                withEngineServer(EngineServerListener.Mode.SOURCE, b -> { }, server ->
                        runPeerClient(stack, server, "--mode", "download", "--bytes", Long.toString(BULK))));
    }

    @ParameterizedTest
    @EnumSource(Stack.class)
    void peerClientEchoesOn64Streams(Stack stack) {
        record("peer client -> engine server: 64 streams", stack, () ->
                withEngineServer(EngineServerListener.Mode.ECHO, b -> { }, server ->
                        runPeerClient(stack, server, "--mode", "echo", "--streams", Integer.toString(MANY_STREAMS), "--bytes", Long.toString(PER_STREAM))));
    }

    @ParameterizedTest
    @EnumSource(Stack.class)
    void peerClientPassesEngineRetry(Stack stack) {
        record("peer client -> engine server: retry", stack, () ->
                withEngineServer(EngineServerListener.Mode.ECHO, b -> b.retry(true), server -> {
                    runPeerClient(stack, server, "--mode", "echo", "--bytes", Long.toString(PER_STREAM));
                    assertThat(server.stats().retriesSent()).as("Retry packets the engine sent").isGreaterThanOrEqualTo(1);
                }));
    }

    @ParameterizedTest
    @EnumSource(Stack.class)
    void peerClientWithWrongAlpnFailsClearly(Stack stack) {
        record("peer client -> engine server: wrong ALPN", stack, () ->
                withEngineServer(EngineServerListener.Mode.ECHO, b -> { }, server -> {
                    long started = System.nanoTime();
                    try (PeerProcess client = PeerProcess.start(InteropPeers.binary(stack), List.of("client",
                            "--connect", "127.0.0.1:" + server.localAddress().getPort(), "--alpn", "not-" + ALPN, "--mode", "handshake"))) {
                        assertThat(client.awaitExit(CASE_TIMEOUT)).as("%s exit code; output %s", stack, client.output()).isEqualTo(1);
                        // TLS alert 120 (no_application_protocol) is CRYPTO_ERROR 0x178.
                        assertThat(client.awaitLine("FAIL", Duration.ofSeconds(1))).containsAnyOf("0x178", "120", "application protocol");
                    }
                    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("time to fail").isLessThan(Duration.ofSeconds(5));
                    awaitNoConnections(server);
                }));
    }

    @ParameterizedTest
    @EnumSource(Stack.class)
    void peerClientResumesEngineSession(Stack stack) {
        record("peer client -> engine server: resumption", stack, () ->
                withEngineServer(EngineServerListener.Mode.ECHO, b -> { }, server -> {
                    String ok = runPeerClient(stack, server, "--mode", "echo", "--bytes", "1000", "--resume");
                    assertThat(ok).contains("resumed=true");
                }));
    }

    @ParameterizedTest
    @EnumSource(Stack.class)
    void peerClientSendsZeroRttToEngine(Stack stack) {
        record("peer client -> engine server: 0-RTT", stack, () ->
                withEngineServer(EngineServerListener.Mode.ECHO, b -> b.earlyData(true), server -> {
                    String ok = runPeerClient(stack, server, "--mode", "echo", "--bytes", "1000", "--resume", "--early");
                    assertThat(ok).contains("resumed=true", "early=true");
                }));
    }

    @ParameterizedTest
    @EnumSource(Stack.class)
    void peerClientDatagramsEchoedByEngine(Stack stack) {
        record("peer client -> engine server: datagrams", stack, () ->
                withEngineServer(EngineServerListener.Mode.ECHO, b -> b.transport(TransportSettings.builder().datagrams(256).build()), server ->
                        runPeerClient(stack, server, "--mode", "datagrams", "--datagrams", "--count", "100")));
    }

    // ------------------------------------------------------------------ engine client, peer servers

    @ParameterizedTest
    @EnumSource(Stack.class)
    void engineClientEchoesThroughPeerServer(Stack stack) {
        record("engine client -> peer server: echo 4 MiB", stack, () ->
                withPeerServer(stack, "echo", List.of(), (peer, port) ->
                        EngineClientTransfers.run(connect(port, b -> { }), Mode.ECHO, 1, BULK, CASE_TIMEOUT)));
    }

    @ParameterizedTest
    @EnumSource(Stack.class)
    void engineClientUploadsToPeerSink(Stack stack) {
        record("engine client -> peer server: sink 4 MiB", stack, () ->
                withPeerServer(stack, "sink", List.of(), (peer, port) ->
                        EngineClientTransfers.run(connect(port, b -> { }), Mode.UPLOAD, 1, BULK, CASE_TIMEOUT)));
    }

    @ParameterizedTest
    @EnumSource(Stack.class)
    void engineClientDownloadsFromPeerSource(Stack stack) {
        record("engine client -> peer server: source 4 MiB", stack, () ->
                withPeerServer(stack, "source", List.of(), (peer, port) ->
                        EngineClientTransfers.run(connect(port, b -> { }), Mode.DOWNLOAD, 1, BULK, CASE_TIMEOUT)));
    }

    @ParameterizedTest
    @EnumSource(Stack.class)
    void engineClientEchoesOn64Streams(Stack stack) {
        record("engine client -> peer server: 64 streams", stack, () ->
                withPeerServer(stack, "echo", List.of(), (peer, port) ->
                        EngineClientTransfers.run(connect(port, b -> { }), Mode.ECHO, MANY_STREAMS, PER_STREAM, CASE_TIMEOUT)));
    }

    @ParameterizedTest
    @EnumSource(Stack.class)
    void engineClientPassesPeerRetry(Stack stack) {
        record("engine client -> peer server: retry", stack, () ->
                withPeerServer(stack, "echo", List.of("--retry"), (peer, port) -> {
                    EngineClientTransfers.run(connect(port, b -> { }), Mode.ECHO, 1, PER_STREAM, CASE_TIMEOUT);
                    peer.awaitLine("RETRY-SENT", CASE_TIMEOUT); // the peer sent a Retry (its output may lag the transfer: wait for the line)
                    peer.awaitLine("ACCEPTED", CASE_TIMEOUT); // and accepted the connection after it
                }));
    }

    @ParameterizedTest
    @EnumSource(Stack.class)
    void engineClientResumesPeerSession(Stack stack) {
        record("engine client -> peer server: resumption", stack, () ->
                withPeerServer(stack, "echo", List.of(), (peer, port) -> {
                    QuicConnection first = connect(port, b -> { });
                    EngineClientTransfers.run(first, Mode.ECHO, 1, 1000, CASE_TIMEOUT);
                    byte[] session = awaitSession(first);
                    first.close();
                    QuicConnection second = connect(port, b -> { }, session);
                    assertThat(second.isResumed()).as("the engine resumed the peer's session; peer output %s", peer.output()).isTrue();
                    EngineClientTransfers.run(second, Mode.ECHO, 1, 1000, CASE_TIMEOUT);
                    if (stack == Stack.QUIC_GO) {
                        peer.awaitLine("ACCEPTED resumed=true", CASE_TIMEOUT); // quic-go saw the resumption (it prints after the handshake: wait for the line)
                    }
                }));
    }

    @ParameterizedTest
    @EnumSource(Stack.class)
    void engineClientSendsZeroRttToPeer(Stack stack) {
        record("engine client -> peer server: 0-RTT", stack, () ->
                withPeerServer(stack, "echo", List.of("--early"), (peer, port) -> {
                    QuicConnection first = connect(port, b -> b.earlyData(true));
                    EngineClientTransfers.run(first, Mode.ECHO, 1, 1000, CASE_TIMEOUT);
                    byte[] session = awaitSession(first);
                    first.close();
                    QuicConnection second = start(port, b -> b.earlyData(true), session);
                    // The transfer opens its stream and writes before the handshake completes.
                    EngineClientTransfers.run(second, Mode.ECHO, 1, 1000, CASE_TIMEOUT);
                    second.awaitHandshake(CASE_TIMEOUT);
                    assertThat(second.isResumed()).as("resumed; peer output %s", peer.output()).isTrue();
                    assertThat(second.isEarlyData()).as("the engine sent early data").isTrue();
                    // quiche does not tell a client whether its early data was taken, and quinn tells only
                    // its clients: the server's side of acceptance is checked where the stack says it.
                    if (stack == Stack.QUIC_GO) {
                        peer.awaitLine("ACCEPTED resumed=true early=true", CASE_TIMEOUT); // quic-go took the early data
                    }
                }));
    }

    @ParameterizedTest
    @EnumSource(Stack.class)
    void engineClientFollowsPeerKeyUpdate(Stack stack) {
        // quinn updates when told (--key-update: 5 ms into the connection); quic-go by itself after 100 packets.
        record("engine client -> peer server: key update", stack, () ->
                withPeerServer(stack, "sink", List.of("--key-update"), (peer, port) ->
                        EngineClientTransfers.run(connect(port, b -> { }), Mode.UPLOAD, 1, BULK, Duration.ofSeconds(10))));
    }

    @ParameterizedTest
    @EnumSource(Stack.class)
    void engineClientWithWrongAlpnFailsClearly(Stack stack) {
        record("engine client -> peer server: wrong ALPN", stack, () ->
                withPeerServer(stack, "echo", List.of(), (peer, port) -> {
                    long started = System.nanoTime();
                    QuicException failure = null;
                    try {
                        connect(port, b -> b.alpn("not-" + ALPN));
                    } catch (QuicException e) {
                        failure = e;
                    }
                    Duration took = Duration.ofNanos(System.nanoTime() - started);
                    assertThat(failure).as("the handshake with a wrong ALPN must fail").isNotNull().isNotInstanceOf(QuicTimeoutException.class);
                    assertThat(took).as("time to fail (%s)", failure.getMessage()).isLessThan(Duration.ofSeconds(5));
                    assertThat(failure.getMessage()).as("the engine's failure names the TLS alert").containsAnyOf("0x178", "120", "ALPN", "alpn", "application protocol");
                    assertThat(peer.printed("ACCEPTED")).as("the peer must not accept it; its output: %s", peer.output()).isFalse();
                }));
    }

    @ParameterizedTest
    @EnumSource(Stack.class)
    void engineClientDatagramsEchoedByPeer(Stack stack) {
        record("engine client -> peer server: datagrams", stack, () ->
                withPeerServer(stack, "echo", List.of("--datagrams"), (peer, port) ->
                        EngineClientTransfers.pingDatagrams(connect(port, b -> b.transport(TransportSettings.builder().datagrams(256).build())), 100)));
    }

    // ------------------------------------------------------------------ plumbing

    private interface PeerServerCase {
        void run(PeerProcess peer, int port);
    }

    private interface EngineServerCase {
        void run(QuicServer server);
    }

    private static void record(String name, Stack stack, Runnable body) {
        synchronized (ORDER) {
            if (!ORDER.contains(name)) {
                ORDER.add(name);
            }
        }
        long started = System.nanoTime();
        String outcome = "FAIL";
        try {
            body.run();
            outcome = "pass";
        } finally {
            RESULTS.computeIfAbsent(name, n -> new ConcurrentHashMap<>())
                    .put(stack, outcome + " " + Duration.ofNanos(System.nanoTime() - started).toMillis() + "ms");
        }
    }

    private static void withEngineServer(EngineServerListener.Mode mode, Consumer<ServerConfig.Builder> tune, EngineServerCase body) {
        ServerConfig.Builder config = ServerConfig.builder().certificateChain(TestCertificate.certificate()).privateKey(TestCertificate.privateKey()).alpn(ALPN);
        tune.accept(config);
        try (QuicServer server = serverEngine.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), config.build(), new EngineServerListener(mode))) {
            body.run(server);
        }
    }

    /** Runs a peer client against {@code server} and returns its OK line; fails with its output otherwise. */
    private static String runPeerClient(Stack stack, QuicServer server, String... arguments) {
        List<String> command = new ArrayList<>(List.of("client", "--connect", "127.0.0.1:" + server.localAddress().getPort(), "--alpn", ALPN));
        command.addAll(List.of(arguments));
        try (PeerProcess client = PeerProcess.start(InteropPeers.binary(stack), command)) {
            int exit = client.awaitExit(CASE_TIMEOUT);
            assertThat(exit).as("%s client %s: exit code; output %s; engine server %s", stack, command, client.output(), server.stats()).isZero();
            return client.awaitLine("OK", Duration.ofSeconds(1));
        }
    }

    private static void withPeerServer(Stack stack, String mode, List<String> options, PeerServerCase body) {
        List<String> command = new ArrayList<>(List.of("server", "--listen", "127.0.0.1:0", "--cert", TestCertificate.certificate().toString(),
                "--key", TestCertificate.privateKey().toString(), "--alpn", ALPN, "--mode", mode));
        command.addAll(options);
        try (PeerProcess server = PeerProcess.start(InteropPeers.binary(stack), command)) {
            int port = server.awaitListeningPort(CASE_TIMEOUT);
            try {
                body.run(server, port);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; " + stack + " server output: " + server.output(), e);
            }
        } finally {
            synchronized (CONNECTIONS) {
                CONNECTIONS.forEach(QuicConnection::close);
                CONNECTIONS.clear();
            }
        }
    }

    /** The peer's session ticket arrives after the handshake, usually within a round trip. */
    private static byte[] awaitSession(QuicConnection connection) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        byte[] session;
        while ((session = connection.session()) == null) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no session ticket from the peer within 5 s on " + connection);
            }
            LockSupport.parkNanos(1_000_000);
        }
        return session;
    }

    /** A connection that failed its handshake is gone once its draining period (a few PTOs) has passed. */
    private static void awaitNoConnections(QuicServer server) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (server.connectionCount() > 0) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("the engine server still holds " + server.connectionCount() + " connection(s) 5 s after the failed handshake: " + server.stats());
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static ClientConfig clientConfig(Consumer<ClientConfig.Builder> tune) {
        // The engine verifies the peer for real: the peers serve the checked-in test certificate.
        ClientConfig.Builder config = ClientConfig.builder().alpn(ALPN).caFile(TestCertificate.certificate()).serverName("localhost");
        tune.accept(config);
        return config.build();
    }

    private static QuicConnection connect(int port, Consumer<ClientConfig.Builder> tune) {
        return connect(port, tune, null);
    }

    private static QuicConnection connect(int port, Consumer<ClientConfig.Builder> tune, byte[] session) {
        return start(port, tune, session).awaitHandshake(CASE_TIMEOUT);
    }

    /** Starts a connection without waiting for its handshake; closed when the case ends. */
    private static QuicConnection start(int port, Consumer<ClientConfig.Builder> tune, byte[] session) {
        QuicConnection connection = clientEngine.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), clientConfig(tune), null, session);
        synchronized (CONNECTIONS) {
            CONNECTIONS.add(connection);
        }
        return connection;
    }
}
