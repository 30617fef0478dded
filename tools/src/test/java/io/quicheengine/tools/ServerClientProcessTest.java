package io.quicheengine.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quicheengine.ClientConfig;
import io.quicheengine.QuicConnection;
import io.quicheengine.QuicEngine;
import io.quicheengine.QuicStream;
import io.quicheengine.WaitStrategy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `quic server` and `quic client` as two separate JVMs, the way a user runs them. */
class ServerClientProcessTest {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern CA = Pattern.compile("clients trust it with --ca (\\S+)");

    /** Starts {@link QuicMain} in a new JVM with the engine's flags and this JVM's class path. */
    private static Process quic(Path stdout, Path stderr, String... args) throws IOException {
        return quic(Map.of(), stdout, stderr, args);
    }

    /** Starts {@link QuicMain} in a new JVM with {@code environment} added to this one's. */
    private static Process quic(Map<String, String> environment, Path stdout, Path stderr, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), QuicMain.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        builder.environment().putAll(environment);
        return builder.start();
    }

    private static Matcher awaitLine(Process process, Path output, Pattern pattern, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            Matcher m = pattern.matcher(Files.readString(output));
            if (m.find()) {
                return m;
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no line matching " + pattern + " in:\n" + Files.readString(output));
    }

    @Test
    void clientProcessVerifiesEchoFromServerProcess(@TempDir Path dir) throws Exception {
        Path serverOut = dir.resolve("server.out");
        Path serverErr = dir.resolve("server.err");
        Process server = quic(serverOut, serverErr, "server", "--listen", "127.0.0.1:0", "--alpn", "quic-test", "--mode", "echo");
        String ca = null;
        try {
            int port = Integer.parseInt(awaitLine(server, serverOut, LISTENING, 30_000).group(1));
            ca = awaitLine(server, serverOut, CA, 5_000).group(1);
            assertThat(Path.of(ca)).isReadable();

            Path clientOut = dir.resolve("client.out");
            Path clientErr = dir.resolve("client.err");
            // Real verification: the client trusts the server's printed certificate and checks its name.
            Process client = quic(clientOut, clientErr, "client", "127.0.0.1:" + port, "--alpn", "quic-test", "--mode", "echo",
                    "--bytes", "2M", "-P", "2", "--ca", ca, "--server-name", "localhost", "--json");
            assertThat(client.waitFor(30, TimeUnit.SECONDS)).as("client finished").isTrue();

            String report = Files.readString(clientOut);
            assertThat(client.exitValue()).as(report + Files.readString(clientErr)).isZero();
            JsonNode json = new ObjectMapper().readTree(report);
            assertThat(json.get("ok").asBoolean()).isTrue();
            assertThat(json.get("verified").asBoolean()).isTrue();
            assertThat(json.get("bytes_sent").asLong()).isEqualTo(2_000_000);
            assertThat(json.get("bytes_received").asLong()).isEqualTo(2_000_000);

            awaitLine(server, serverOut, Pattern.compile("connection from 127\\.0\\.0\\.1:\\d+ closed .*application error 0 \\(done\\)"), 10_000);
        } finally {
            server.destroy(); // SIGTERM: the server's shutdown hook closes the engine
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        assertThat(Files.readString(serverErr)).isEmpty();
        assertThat(Path.of(ca).getParent()).as("the self-signed key's directory, after SIGTERM").doesNotExist();
    }

    /** {@code --early-data}: a client resuming a session writes its request in 0-RTT and gets it echoed. */
    @Test
    void serverProcessWithEarlyDataAcceptsZeroRtt(@TempDir Path dir) throws Exception {
        Path serverOut = dir.resolve("server.out");
        Path serverErr = dir.resolve("server.err");
        Process server = quic(serverOut, serverErr, "server", "--listen", "127.0.0.1:0", "--alpn", "quic-test", "--mode", "echo", "--early-data");
        try (QuicEngine engine = QuicEngine.builder().name("client").loopWaitStrategy(WaitStrategy.BLOCKING)
                .appWaitStrategy(WaitStrategy.BLOCKING).build()) {
            int port = Integer.parseInt(awaitLine(server, serverOut, LISTENING, 30_000).group(1));
            String ca = awaitLine(server, serverOut, CA, 5_000).group(1);
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            ClientConfig config = ClientConfig.builder().alpn("quic-test").caFile(Path.of(ca)).serverName("localhost").earlyData(true).build();
            Duration timeout = Duration.ofSeconds(10);

            QuicConnection first = engine.connect(address, config).awaitHandshake(timeout);
            byte[] session = null;
            for (long deadline = System.nanoTime() + timeout.toNanos(); session == null && System.nanoTime() < deadline; ) {
                session = first.session();
                Thread.sleep(5);
            }
            assertThat(session).as("the server's session ticket").isNotNull();
            first.close();

            QuicConnection resumed = engine.connect(address, config, null, session);
            QuicStream stream = resumed.openBidirectionalStream(timeout);
            assertThat(resumed.isEarlyData()).as("the ticket allows 0-RTT").isTrue();
            byte[] request = "early".getBytes(StandardCharsets.US_ASCII);
            stream.write(request, 0, request.length, true, timeout);
            byte[] echoed = new byte[request.length];
            int n = 0;
            while (n < echoed.length) {
                n += stream.read(echoed, n, echoed.length - n, timeout);
            }
            assertThat(echoed).isEqualTo(request);
            resumed.awaitHandshake(timeout);
            assertThat(resumed.isResumed()).isTrue();
            resumed.close();
        } finally {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        assertThat(Files.readString(serverErr)).isEmpty();
    }

    /** {@code --datagrams} on both sides, and {@code --qlog-dir}/{@code --keylog} on both: the echo is counted, the traces are real. */
    @Test
    void datagramEchoBetweenProcessesLeavesQlogAndKeyLogOnBothSides(@TempDir Path dir) throws Exception {
        Path serverOut = dir.resolve("server.out");
        Path serverErr = dir.resolve("server.err");
        Path serverQlog = dir.resolve("server-qlog");
        Path clientQlog = dir.resolve("client-qlog");
        Path serverKeys = dir.resolve("server-keys.log");
        Path clientKeys = dir.resolve("client-keys.log");
        Process server = quic(serverOut, serverErr, "server", "--listen", "127.0.0.1:0", "--alpn", "quic-test", "--datagrams",
                "--qlog-dir", serverQlog.toString(), "--keylog", serverKeys.toString());
        try {
            int port = Integer.parseInt(awaitLine(server, serverOut, LISTENING, 30_000).group(1));
            String ca = awaitLine(server, serverOut, CA, 5_000).group(1);
            assertThat(Files.readString(serverOut)).contains("datagram echo", "qlog traces: " + serverQlog, "TLS key log: " + serverKeys);

            Cli.Run run = Cli.run("client", "127.0.0.1:" + port, "--alpn", "quic-test", "--datagrams", "500", "--datagram-size", "200",
                    "--ca", ca, "--server-name", "localhost", "--qlog-dir", clientQlog.toString(), "--keylog", clientKeys.toString(), "--json");

            assertThat(run.exitCode()).as(run.toString()).isZero();
            JsonNode json = new ObjectMapper().readTree(run.out());
            assertThat(json.get("ok").asBoolean()).isTrue();
            assertThat(json.get("datagrams").asInt()).isEqualTo(500);
            assertThat(json.get("echoed").asLong()).isEqualTo(500);
            assertThat(json.get("lost").asLong()).isZero();
            assertThat(json.get("wrong").asLong()).isZero();
            double p50 = json.get("rtt_micros").get("p50").asDouble();
            assertThat(p50).isPositive();
            assertThat(json.get("rtt_micros").get("max").asDouble()).isGreaterThanOrEqualTo(p50);
            awaitLine(server, serverOut, Pattern.compile("closed .*datagrams received 500, echoed 500"), 10_000);

            assertKeyLog(clientKeys);
            assertKeyLog(serverKeys);
            assertQlogTrace(clientQlog, "-client.sqlog", 1_000);
            assertQlogTrace(serverQlog, "-server.sqlog", 10_000); // the server frees the connection after its draining period
        } finally {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        assertThat(Files.readString(serverErr)).isEmpty();
    }

    /** Without {@code --keylog}, a client started with SSLKEYLOGFILE in its environment writes its secrets there, as curl does. */
    @Test
    void clientProcessHonoursSslKeyLogFile(@TempDir Path dir) throws Exception {
        Path keys = dir.resolve("env-keys.log");
        try (TestServer echo = new TestServer("quic-test", ServerMode.ECHO)) {
            Path clientOut = dir.resolve("client.out");
            Path clientErr = dir.resolve("client.err");
            Process client = quic(Map.of(LogOptions.KEYLOG_VARIABLE, keys.toString()), clientOut, clientErr, "client", echo.address(),
                    "--alpn", "quic-test", "--bytes", "10K", "--ca", echo.ca(), "--server-name", "localhost");
            assertThat(client.waitFor(30, TimeUnit.SECONDS)).as("client finished").isTrue();
            assertThat(client.exitValue()).as(Files.readString(clientOut) + Files.readString(clientErr)).isZero();
        }
        assertKeyLog(keys);
    }

    /** NSS key log lines: LABEL CLIENT_RANDOM SECRET, with the 1-RTT client secret among them. */
    private static void assertKeyLog(Path file) throws IOException {
        assertThat(file).exists();
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).anySatisfy(line -> assertThat(line).matches("CLIENT_TRAFFIC_SECRET_0 [0-9a-f]{64} [0-9a-f]{64,96}"));
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("CLIENT_HANDSHAKE_TRAFFIC_SECRET "));
    }

    /** One trace file ending in {@code suffix} in {@code directory}: JSON-SEQ, a qlog header first, then events. */
    private static void assertQlogTrace(Path directory, String suffix, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            try {
                List<Path> traces;
                try (var files = Files.list(directory)) {
                    traces = files.filter(f -> f.getFileName().toString().endsWith(suffix)).toList();
                }
                assertThat(traces).as("trace files in " + directory).hasSize(1);
                byte[] bytes = Files.readAllBytes(traces.get(0));
                assertThat(bytes).as("a JSON-SEQ record starts with RS (0x1E)").isNotEmpty().startsWith((byte) 0x1E);
                List<String> records = Arrays.stream(new String(bytes, StandardCharsets.UTF_8).split("\u001e")).filter(r -> !r.isBlank()).toList();
                ObjectMapper mapper = new ObjectMapper();
                var header = mapper.readTree(records.get(0));
                // quiche 0.24 writes qlog 0.3 (qlog_version); 0.29 the IETF draft's sequential schema (file_schema).
                assertThat(header.has("qlog_version") || header.path("file_schema").asText().contains("qlog:file:sequential")).as(records.get(0)).isTrue();
                assertThat(records.size()).as("events after the header").isGreaterThan(10);
                for (String record : records) {
                    assertThat(mapper.readTree(record).isObject()).as(record).isTrue();
                }
                return;
            } catch (AssertionError | IOException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
