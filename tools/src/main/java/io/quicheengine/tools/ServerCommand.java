package io.quicheengine.tools;

import io.quicheengine.QuicEngine;
import io.quicheengine.QuicException;
import io.quicheengine.QuicServer;
import io.quicheengine.ServerConfig;
import io.quicheengine.TransportSettings;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quic server}: serves echo, sink or source on one UDP port until interrupted (Ctrl-C or
 * SIGTERM closes every connection cleanly). Without {@code --cert/--key} it makes a self-signed
 * certificate and prints where it is and its fingerprint, so clients can trust it with {@code --ca}.
 *
 * <p>The main thread prints connection events that the engine's loop queues; the loop serves.
 */
@Command(name = "server", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serves QUIC on --listen until interrupted (Ctrl-C closes connections cleanly),",
                "doing --mode on every bidirectional stream a client opens:",
                "  echo    sends every byte back; ends its side when the client ends its",
                "  sink    discards; when the client ends the stream, answers with the",
                "          number of bytes received (8 bytes, big-endian) and ends its side",
                "  source  reads the client's first 8 bytes (big-endian byte count), sends",
                "          that many bytes and ends its side. 0, or a stream ended before 8",
                "          bytes, means: until the client stops reading (STOP_SENDING)",
                "Streams the client opens one-way are read and discarded in every mode.",
                "With --datagrams it also sends every QUIC DATAGRAM back as it came",
                "(`quic client --datagrams N` measures that echo).",
                "Without --cert/--key it makes a self-signed certificate for localhost,",
                "127.0.0.1 and ::1 in a private temporary directory, deleted when the",
                "server exits, and prints its path and SHA-256 fingerprint; clients trust",
                "it with --ca FILE --server-name localhost, or skip the check with",
                "--insecure. `quic cert` makes a pair that stays.",
                ""})
final class ServerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT", required = true,
            description = "Where to listen, e.g. 127.0.0.1:4433, 0.0.0.0:4433, [::1]:4433; port 0 picks a free port.")
    String listen;

    @Option(names = "--cert", paramLabel = "FILE", description = "The certificate chain, PEM (with --key).")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "The certificate's private key, PEM (with --cert).")
    Path key;

    @Option(names = "--alpn", paramLabel = "A", required = true, description = "The application protocol clients must offer, e.g. perf.")
    String alpn;

    @Option(names = "--mode", paramLabel = "M", defaultValue = "echo",
            description = "echo, sink or source (see above). Default ${DEFAULT-VALUE}.")
    ServerMode mode;

    @Mixin
    EngineOptions engineOptions;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "10000",
            description = "Connections beyond this many are refused (CONNECTION_REFUSED). Default ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(names = "--retry", description = "Stateless retry: clients must prove their address with a token first.")
    boolean retry;

    @Option(names = "--datagrams", description = "Accept QUIC DATAGRAMs (RFC 9221) and echo each one back.")
    boolean datagrams;

    @Mixin
    LogOptions logs;

    @Option(names = "--early-data", description = "Accept 0-RTT data from clients resuming a session. Such data can be replayed by an attacker:"
            + " only for idempotent requests.")
    boolean earlyData;

    @Override
    public Integer call() throws InterruptedException {
        HostPort where = parse();
        if (maxConnections < 1) {
            throw new CliException("--max-connections must be at least 1, was " + maxConnections);
        }
        if ((cert == null) != (key == null)) {
            throw new CliException("give both --cert and --key, or neither (then a self-signed certificate is made)");
        }
        if (cert != null) {
            requireReadable("--cert", cert);
            requireReadable("--key", key);
        }
        InetSocketAddress address = where.resolve();
        SelfSignedCertificate selfSigned = cert == null ? SelfSignedCertificate.generate() : null;
        try {
            return serve(address, where, selfSigned);
        } finally {
            if (selfSigned != null) {
                selfSigned.delete();
            }
        }
    }

    private int serve(InetSocketAddress address, HostPort where, SelfSignedCertificate selfSigned) throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        Path certFile = selfSigned != null ? selfSigned.certificate() : cert;
        Path keyFile = selfSigned != null ? selfSigned.privateKey() : key;
        ServerConfig.Builder builder = ServerConfig.builder();
        try {
            builder.alpn(alpn);
        } catch (IllegalArgumentException e) {
            throw new CliException("--alpn '" + alpn + "': " + e.getMessage());
        }
        if (datagrams) {
            builder.transport(TransportSettings.builder().datagrams(DatagramEcho.QUEUE_LENGTH).build());
        }
        logs.apply(builder);
        ServerConfig config = builder.certificateChain(certFile).privateKey(keyFile).maxConnections(maxConnections).retry(retry)
                .earlyData(earlyData).build();

        ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
        QuicEngine engine = engineOptions.engine("quic-server").build();
        try {
            QuicServer server;
            try {
                server = engine.bind(address, config, new ServerListener(mode, events::add));
            } catch (QuicException e) {
                if (selfSigned == null && !causedBy(e, java.net.BindException.class)) {
                    throw new CliException("cannot load the certificate or key (--cert " + cert + ", --key " + key + "): " + rootMessage(e));
                }
                throw Failures.bind(where, e);
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                engine.close(); // closes every connection with CONNECTION_CLOSE before the JVM goes
                printEvents(events, out);
                if (selfSigned != null) {
                    selfSigned.delete(); // the main thread may not get to its finally before the JVM halts
                }
                stopped.countDown();
            }, "quic-server-shutdown"));

            InetSocketAddress bound = server.localAddress();
            out.println("quic server: listening on " + HostPort.of(bound, "--listen")
                    + " (UDP), alpn '" + alpn + "', mode " + mode.name().toLowerCase(Locale.ROOT) + ", wait strategy "
                    + engineOptions.waitStrategy + (retry ? ", stateless retry" : "") + (datagrams ? ", datagram echo" : ""));
            out.println("  " + QuicEngine.library());
            if (selfSigned != null) {
                out.println("  certificate: self-signed " + selfSigned.certificate() + " (SHA-256 " + selfSigned.sha256Fingerprint() + ")");
                out.println("  clients trust it with --ca " + selfSigned.certificate() + " --server-name localhost (or --insecure)");
            } else {
                out.println("  certificate: " + cert.toAbsolutePath());
            }
            LogOptions.describe(config.qlogDirectory(), config.keyLogFile(), out);
            out.flush();
            while (!stopped.await(100, TimeUnit.MILLISECONDS)) {
                printEvents(events, out);
            }
        } finally {
            engine.close();
        }
        return 0;
    }

    /** Prints the connection events the loop queued; the main thread and the shutdown hook both call it. */
    private static synchronized void printEvents(ConcurrentLinkedQueue<String> events, PrintWriter out) {
        String line;
        while ((line = events.poll()) != null) {
            out.println(line);
        }
        out.flush();
    }

    private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private HostPort parse() {
        try {
            return HostPort.parse(listen, "--listen", true);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
    }

    private static void requireReadable(String option, Path file) {
        if (!Files.exists(file)) {
            throw new CliException("cannot read " + option + " " + file.toAbsolutePath() + ": no such file");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new CliException("cannot read " + option + " " + file.toAbsolutePath() + ": not a readable file");
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }
}
