package io.quicheengine.tools;

import io.quicheengine.ClientConfig;
import io.quicheengine.ConnectionStats;
import io.quicheengine.QuicConnection;
import io.quicheengine.QuicEngine;
import io.quicheengine.QuicServer;
import io.quicheengine.ServerConfig;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quic demo}: the seed document's test in one process. An echo server on 127.0.0.1 with a
 * certificate made on the fly, a client (its own engine) that uploads at a steady rate on one
 * stream and checks every echoed byte, a live line per second and the seed's summary table.
 *
 * <p>Runs on the main thread; the engines and stream workers have their own threads.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The seed document's test in one process: an echo server on 127.0.0.1",
                "(ephemeral port, a self-signed certificate made on the fly) and a client",
                "that uploads at --rate for --duration on one stream (default 200 KB/s for",
                "5 s = 1 MB) and checks every echoed byte. Prints one line per second",
                "(bytes sent/echoed, rate, RTT, cwnd, packets) and a summary table;",
                "exits 0 only when every byte came back intact.",
                ""})
final class DemoCommand implements Callable<Integer> {
    private static final String ALPN = "quic-demo";
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration STALL = Duration.ofSeconds(10);

    @Spec
    CommandSpec spec;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "200K", converter = Units.RateConverter.class,
            description = "Upload rate, bytes per second in total (200K = 200 KB/s; K/M/G are decimal, KiB/MiB binary; 100Mbit counts bits). Default ${DEFAULT-VALUE}.")
    long rate;

    @Option(names = "--duration", paramLabel = "T", defaultValue = "5s", converter = Units.DurationConverter.class,
            description = "How long to upload (5, 5s, 500ms, 1m); the total is rate x duration. Default ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(names = "--streams", paramLabel = "N", defaultValue = "1",
            description = "Streams sharing the rate and the total, 1..100. Default ${DEFAULT-VALUE}.")
    int streams;

    @Option(names = "--message-size", paramLabel = "B", defaultValue = "1000", converter = Units.BytesConverter.class,
            description = "Bytes per write, 1..65536. Default ${DEFAULT-VALUE}.")
    long messageSize;

    @Mixin
    EngineOptions engineOptions;

    @Override
    public Integer call() {
        if (rate <= 0) {
            throw new CliException("--rate must be positive for the demo (the total is rate x duration), was " + rate);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new CliException("--duration must be positive, was " + duration);
        }
        if (streams < 1 || streams > 100) {
            throw new CliException("--streams must be 1..100, was " + streams);
        }
        if (messageSize < 1 || messageSize > TestData.MAX_SLICE) {
            throw new CliException("--message-size must be 1.." + TestData.MAX_SLICE + ", was " + messageSize);
        }
        long total = Math.round(rate * (duration.toNanos() / 1e9));
        if (total < 1) {
            throw new CliException("--rate x --duration is less than one byte");
        }
        PrintWriter out = spec.commandLine().getOut();
        SelfSignedCertificate certificate = SelfSignedCertificate.generate();
        try (QuicEngine serverEngine = engineOptions.engine("demo-server").build();
             QuicEngine clientEngine = engineOptions.engine("demo-client").build()) {
            ServerConfig serverConfig = ServerConfig.builder().certificateChain(certificate.certificate()).privateKey(certificate.privateKey())
                    .alpn(ALPN).build();
            QuicServer server = serverEngine.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), serverConfig,
                    new ServerListener(ServerMode.ECHO, line -> { }));
            InetSocketAddress address = server.localAddress();
            out.println("quic demo: the seed test in one process");
            out.println("  engine    " + QuicEngine.library() + "; wait strategy " + engineOptions.waitStrategy);
            HostPort peer = HostPort.of(address, "server");
            out.println("  server    echo on " + peer
                    + " (self-signed certificate, SHA-256 " + certificate.sha256Fingerprint() + ")");
            out.println("  client    uploads " + Units.bytes(total) + " at " + Units.byteRate(rate) + " for " + Units.duration(duration)
                    + " on " + streams + (streams == 1 ? " stream" : " streams") + " in " + messageSize
                    + "-byte messages; checks every echoed byte");
            out.println();

            // The client trusts the made-up certificate as its CA: verification stays on, for real.
            ClientConfig clientConfig = ClientConfig.builder().alpn(ALPN).caFile(certificate.certificate()).serverName("localhost").build();
            QuicConnection connection = ClientConnector.connect(clientEngine, peer, address, clientConfig, HANDSHAKE_TIMEOUT);
            TransferPlan plan = new TransferPlan(ClientMode.ECHO, streams, total, null, rate, (int) messageSize, STALL);
            TransferRun.Result result = TransferRun.run(connection, plan, engineOptions.waitStrategy, "server", interval -> liveLine(out, interval));
            ConnectionStats stats = TransferRun.close(connection, result.sampler());
            if (result.connectionLost() != null) {
                throw result.connectionLost();
            }
            boolean intact = result.failures().isEmpty() && result.received() == total;
            summary(out, result, stats, total, intact);
            return intact ? 0 : 1;
        } finally {
            certificate.delete();
        }
    }

    private static void liveLine(PrintWriter out, Interval i) {
        out.println(String.format(Locale.ROOT, "[%5.1f s]  sent %10s  echoed %10s  rate %13s  rtt %8s  cwnd %9s  packets sent %5d received %5d lost %d",
                i.endSeconds(), Units.bytes(i.totalSent()), Units.bytes(i.totalReceived()), Units.bitRate(i.receivedRate()),
                Units.time(Math.round(i.rttMicros() * 1e3)), Units.bytes(i.cwndBytes()), i.packetsSent(), i.packetsReceived(), i.packetsLost()));
    }

    private static void summary(PrintWriter out, TransferRun.Result result, ConnectionStats stats, long total, boolean intact) {
        StatsSampler s = result.sampler();
        double peak = result.intervals().stream().filter(i -> i.seconds() >= 0.5).mapToDouble(Interval::receivedRate).max()
                .orElse(result.received() / Math.max(1e-9, result.seconds()));
        double average = result.received() / Math.max(1e-9, result.seconds());
        double percent = 100.0 * result.received() / total;
        out.println();
        out.println("Summary");
        out.println(row("Throughput", "peak " + Units.bitRate(peak) + ", avg " + Units.bitRate(average) + " (echoed bytes, per second)"));
        out.println(row("Delivery rate", "peak " + Units.bitRate(s.deliveryRateMax()) + " (quiche's estimate)"));
        out.println(row("RTT", "min " + Units.time(s.rttMinNanos()) + ", avg " + Units.time(s.rttAvgNanos()) + ", max " + Units.time(s.rttMaxNanos())
                + " (smoothed, every 100 ms after the first 0.5 s)"));
        out.println(row("CWND", "max " + Units.bytes(s.cwndMaxBytes())));
        out.println(row("Packets", "sent " + stats.packetsSent() + ", received " + stats.packetsReceived() + ", lost " + stats.packetsLost()
                + " (client side)"));
        String completion = String.format(Locale.ROOT, "%.0f%% (%d of %d bytes echoed intact in %.2f s)", Math.floor(percent), result.received(),
                total, result.seconds());
        out.println(row("Completion", completion + (intact ? "  PASS" : "  FAIL")));
        for (String failure : result.failures()) {
            out.println("  " + failure);
        }
    }

    private static String row(String label, String value) {
        return String.format(Locale.ROOT, "  %-14s %s", label, value);
    }
}
