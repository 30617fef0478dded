package io.quicheengine.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.quicheengine.QuicConnection;
import io.quicheengine.QuicListener;
import io.quicheengine.QuicStream;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every mistake a user can make ends in exit code 2 and one line on stderr that says what to do. */
class BadInputTest {
    private static TestServer server;

    @BeforeAll
    static void startServer() {
        server = new TestServer("right", ServerMode.ECHO);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private static void assertOneLineError(Cli.Run run, String... fragments) {
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err().lines()).as(run.toString()).hasSize(1);
        assertThat(run.err()).as(run.toString()).contains(fragments);
    }

    @Test
    void datagramMistakes(@TempDir Path dir) {
        assertOneLineError(Cli.run("client", server.address(), "--alpn", "right", "--datagrams", "10", "--insecure"),
                "does not accept QUIC DATAGRAMs", "quic server --datagrams");
        assertOneLineError(Cli.run("client", server.address(), "--alpn", "right", "--datagrams", "10", "--mode", "upload", "--insecure"),
                "--mode does not apply to --datagrams");
        assertOneLineError(Cli.run("client", server.address(), "--alpn", "right", "--datagrams", "10", "--bytes", "1000"),
                "mutually exclusive");
        assertOneLineError(Cli.run("client", server.address(), "--alpn", "right", "--bytes-per-stream", "0"),
                "--bytes-per-stream must be positive");
        assertOneLineError(Cli.run("client", server.address(), "--alpn", "right", "--bytes", "1000", "--keylog", dir.resolve("no/such/keys.log").toString()),
                "--keylog", "not a file in an existing directory");
    }

    @Test
    void unknownHost() {
        assertOneLineError(Cli.run("client", "nosuch.invalid:4433", "--alpn", "right", "--bytes", "1000"),
                "quic client: unknown host 'nosuch.invalid'");
        assertOneLineError(Cli.run("pingpong", "nosuch.invalid:4433", "--alpn", "right"), "quic pingpong: unknown host 'nosuch.invalid'");
    }

    @Test
    void portInUse() throws IOException {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            assertOneLineError(Cli.run("server", "--listen", "127.0.0.1:" + taken.getLocalPort(), "--alpn", "right"),
                    "quic server: cannot listen on 127.0.0.1:" + taken.getLocalPort(), "already in use");
        }
    }

    @Test
    void unreadableCertificateOrKey(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("missing.pem");
        assertOneLineError(Cli.run("server", "--listen", "127.0.0.1:0", "--alpn", "right", "--cert", missing.toString(), "--key", server.key()),
                "cannot read --cert " + missing, "no such file");
        assertOneLineError(Cli.run("server", "--listen", "127.0.0.1:0", "--alpn", "right", "--cert", server.ca(), "--key", dir.toString()),
                "cannot read --key " + dir, "not a readable file");
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "this is not a certificate\n");
        assertOneLineError(Cli.run("server", "--listen", "127.0.0.1:0", "--alpn", "right", "--cert", garbage.toString(), "--key", server.key()),
                "cannot load the certificate or key (--cert " + garbage);
        assertOneLineError(Cli.run("server", "--listen", "127.0.0.1:0", "--alpn", "right", "--cert", server.ca()),
                "give both --cert and --key");
    }

    @Test
    void alpnMismatch() {
        assertOneLineError(Cli.run("client", server.address(), "--alpn", "wrong", "--insecure", "--bytes", "1000"),
                "ALPN mismatch", "does not accept --alpn 'wrong'", "no_application_protocol");
    }

    @Test
    void certificateVerificationFailedSaysHowToTrustIt() {
        assertOneLineError(Cli.run("client", server.address(), "--alpn", "right", "--bytes", "1000"),
                "certificate verification failed for " + server.address(), "--ca FILE", "--insecure");
        assertOneLineError(Cli.run("pingpong", server.address(), "--alpn", "right", "--ca", server.ca()),
                "certificate verification failed", "--server-name");
    }

    @Test
    void handshakeTimeoutWhenNoServerAnswers() throws IOException {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            assertOneLineError(Cli.run("client", "127.0.0.1:" + silent.getLocalPort(), "--alpn", "right", "--insecure", "--timeout", "1s"),
                    "handshake with 127.0.0.1:" + silent.getLocalPort() + " timed out after 1 s", "no QUIC server answered");
        }
    }

    @Test
    void nothingListeningFailsAtOnce() throws IOException {
        int port;
        try (DatagramSocket released = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            port = released.getLocalPort();
        }
        long start = System.nanoTime();
        Cli.Run run = Cli.run("client", "127.0.0.1:" + port, "--alpn", "right", "--insecure", "--timeout", "20s");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertOneLineError(run, "no QUIC server at 127.0.0.1:" + port, "nothing listens on that UDP port");
        assertThat(millis).as("the CLI failing against a dead port, including engine start and stop").isLessThan(5_000);
    }

    @Test
    void peerClosingWithAnErrorCode() {
        QuicListener rude = new QuicListener() {
            @Override
            public void onStreamOpened(QuicStream stream) {
                QuicConnection connection = stream.connection();
                connection.close(7, "go away");
            }
        };
        try (TestServer closing = new TestServer("right", rude)) {
            assertOneLineError(Cli.run("client", closing.address(), "--alpn", "right", "--insecure", "--bytes", "1M"),
                    "the server closed the connection with application error 7 (go away)");
        }
    }

    @Test
    void badArgumentsNameTheOption() {
        assertOneLineError(Cli.run("client", server.address()), "Missing required option: '--alpn=A'", "quic client --help");
        assertOneLineError(Cli.run("client", server.address(), "--alpn", "right", "--rate", "fast"), "--rate", "not a rate");
        assertOneLineError(Cli.run("client", server.address(), "--alpn", "right", "--bytes", "1M", "--duration", "1s"), "mutually exclusive");
        assertOneLineError(Cli.run("client", server.address(), "--alpn", "right", "--ca", server.ca(), "--insecure"), "mutually exclusive");
        assertOneLineError(Cli.run("client", "localhost", "--alpn", "right"), "'localhost' is not HOST:PORT");
        assertOneLineError(Cli.run("server", "--listen", "127.0.0.1:4433", "--alpn", "right", "--mode", "mirror"), "--mode", "mirror");
        assertOneLineError(Cli.run("demo", "--streams", "0"), "--streams must be 1..100");
        assertOneLineError(Cli.run(), "choose a command");
    }

    @Test
    void helpWorksOnEveryCommand() {
        for (String command : new String[] {"demo", "server", "client", "pingpong"}) {
            Cli.Run run = Cli.run(command, "--help");
            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(run.out()).as(run.toString()).startsWith("Usage: quic " + command).contains("--wait-strategy");
        }
        assertThat(Cli.run("--help").out()).contains("demo", "server", "client", "pingpong");
    }
}
