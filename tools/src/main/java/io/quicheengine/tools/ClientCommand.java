package io.quicheengine.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.quicheengine.ClientConfig;
import io.quicheengine.ConnectionStats;
import io.quicheengine.QuicConnection;
import io.quicheengine.QuicEngine;
import io.quicheengine.TransportSettings;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code quic client}: an iperf3-style transfer against any QUIC server speaking the same ALPN,
 * with an interval line per second and a summary (or one JSON document with {@code --json}).
 *
 * <p>Runs on the main thread; each stream has its own worker thread.
 */
@Command(name = "client", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Moves data to or from any QUIC server that speaks --alpn, reporting like iperf3:",
                "one line per second, then a summary (or one JSON document with --json).",
                "Each of the -P streams is one bidirectional stream. Modes:",
                "  echo      sends, and checks that every byte comes back unchanged",
                "  upload    sends and ends the stream; the server discards. If it answers",
                "            with 8 bytes (big-endian count, as `quic server --mode sink`",
                "            does), the count is checked",
                "  download  sends an 8-byte big-endian byte count (0 with --duration:",
                "            until the client stops reading) and ends its side, then counts",
                "            what the server sends (`quic server --mode source`)",
                "--bytes is the total over all streams, --bytes-per-stream each stream's",
                "share; without either the run lasts --duration.",
                "--datagrams N sends N QUIC DATAGRAMs instead (at most 32 unanswered),",
                "to a `quic server --datagrams`, checks each echo and reports the",
                "counts and round-trip times; one not echoed within --timeout is lost.",
                "Exit codes: 0 done and checked; 1 data wrong or short; 2 bad input or a",
                "failed connection (one line on stderr says which).",
                ""})
final class ClientCommand implements Callable<Integer> {
    private static final int UNLIMITED_CHUNK = 64 * 1024;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "HOST:PORT", description = "The server, e.g. 127.0.0.1:4433 or [::1]:4433.")
    String server;

    @Option(names = "--alpn", paramLabel = "A", required = true, description = "The application protocol to offer; the server must accept it.")
    String alpn;

    @Option(names = "--mode", paramLabel = "M", defaultValue = "echo", description = "echo, upload or download (see above). Default ${DEFAULT-VALUE}.")
    ClientMode mode;

    @ArgGroup(exclusive = true)
    Amount amount;

    /** A byte count (in total or per stream), a duration, or a number of datagrams. */
    static final class Amount {
        @Option(names = "--bytes", paramLabel = "N", converter = Units.BytesConverter.class,
                description = "Total bytes over all streams (1000, 10M, 1GiB).")
        Long bytes;

        @Option(names = "--bytes-per-stream", paramLabel = "N", converter = Units.BytesConverter.class,
                description = "Bytes on each of the -P streams (the total is N times -P).")
        Long bytesPerStream;

        @Option(names = "--datagrams", paramLabel = "N", description = "Echo N QUIC DATAGRAMs instead of streams (see above).")
        Integer datagrams;

        @Option(names = "--duration", paramLabel = "T", converter = Units.DurationConverter.class,
                description = "How long to run (10, 10s, 500ms, 1m). The default, 10 s, applies when neither is given.")
        Duration duration;
    }

    @Option(names = "--rate", paramLabel = "R", defaultValue = "0", converter = Units.RateConverter.class,
            description = "Send rate in total, bytes per second (200K, 10MB/s) or bits (100Mbit); 0 = as fast as possible. Default ${DEFAULT-VALUE}.")
    long rate;

    @Option(names = {"-P", "--parallel"}, paramLabel = "N", defaultValue = "1", description = "Parallel streams, 1..100. Default ${DEFAULT-VALUE}.")
    int parallel;

    @Mixin
    TrustOptions trust;

    @Option(names = "--timeout", paramLabel = "T", defaultValue = "5s", converter = Units.DurationConverter.class,
            description = "Handshake timeout; a stream with no progress for twice this long fails. Default ${DEFAULT-VALUE}.")
    Duration timeout;

    @Mixin
    EngineOptions engineOptions;

    @Option(names = "--datagram-size", paramLabel = "B", defaultValue = "64", converter = Units.BytesConverter.class,
            description = "Bytes per datagram with --datagrams, " + DatagramEcho.HEADER + " up to what the server accepts. Default ${DEFAULT-VALUE}.")
    long datagramSize;

    @Mixin
    LogOptions logs;

    @Option(names = "--json", description = "Print one JSON document with the result instead of the text report.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (parallel < 1 || parallel > 100) {
            throw new CliException("-P must be 1..100, was " + parallel);
        }
        if (rate < 0) {
            throw new CliException("--rate must not be negative, was " + rate);
        }
        if (amount != null && amount.datagrams != null) {
            return datagrams(amount.datagrams);
        }
        long bytes = amount != null && amount.bytes != null ? amount.bytes : -1;
        if (bytes == 0 || bytes < -1) {
            throw new CliException("--bytes must be positive, was " + bytes);
        }
        Long perStream = amount != null ? amount.bytesPerStream : null;
        if (perStream != null) {
            if (perStream < 1) {
                throw new CliException("--bytes-per-stream must be positive, was " + perStream);
            }
            if (perStream > Long.MAX_VALUE / parallel) {
                throw new CliException("--bytes-per-stream " + perStream + " times -P " + parallel + " is more than a long holds");
            }
            bytes = perStream * parallel; // TransferPlan splits a total evenly: exactly perStream each
        }
        Duration duration = amount != null && amount.duration != null ? amount.duration : bytes < 0 ? Duration.ofSeconds(10) : null;
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            throw new CliException("--duration must be positive, was " + duration);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new CliException("--timeout must be positive, was " + timeout);
        }
        HostPort target = ClientConnector.parse(server);
        InetSocketAddress address = target.resolve();
        ClientConfig config = ClientConnector.config(alpn, trust, logs, TransportSettings.DEFAULTS);
        int chunk = rate > 0 ? (int) Math.max(1000, Math.min(UNLIMITED_CHUNK, rate / parallel / 100)) : UNLIMITED_CHUNK;
        TransferPlan plan = new TransferPlan(mode, parallel, bytes, duration, rate, chunk, timeout.multipliedBy(2));
        PrintWriter out = spec.commandLine().getOut();

        try (QuicEngine engine = engineOptions.engine("quic-client").build()) {
            QuicConnection connection = ClientConnector.connect(engine, target, address, config, timeout);
            if (!json) {
                out.println("quic client: connected to " + target + ", alpn '" + connection.applicationProtocol()
                        + "', " + mode.name().toLowerCase(Locale.ROOT) + " on " + parallel + (parallel == 1 ? " stream" : " streams") + ", "
                        + (perStream != null ? Units.bytes(perStream) + " per stream" : bytes > 0 ? Units.bytes(bytes) : Units.duration(duration))
                        + (rate > 0 ? " at " + Units.byteRate(rate) : ""));
                out.println("[ interval   s]         sent      bitrate      received      bitrate       rtt       cwnd  lost");
            }
            TransferRun.Result result = TransferRun.run(connection, plan, engineOptions.waitStrategy, "server", interval -> {
                if (!json) {
                    out.println(line(interval));
                }
            });
            ConnectionStats stats = TransferRun.close(connection, result.sampler());
            if (result.connectionLost() != null) {
                throw result.connectionLost();
            }
            if (json) {
                out.println(new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                        .writerWithDefaultPrettyPrinter().writeValueAsString(report(target, result, stats)));
            } else {
                summary(out, result, stats);
            }
            return result.ok() ? 0 : 1;
        }
    }

    /** {@code --datagrams N}: the echo of N datagrams on one connection, no streams. */
    private int datagrams(int count) throws Exception {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        for (String option : List.of("--mode", "-P", "--rate")) {
            if (parsed.hasMatchedOption(option)) {
                throw new CliException(option + " does not apply to --datagrams (datagrams are echoed on the connection, not on streams)");
            }
        }
        if (count < 1) {
            throw new CliException("--datagrams must be positive, was " + count);
        }
        if (datagramSize < DatagramEcho.HEADER || datagramSize > 65_535) {
            throw new CliException("--datagram-size must be " + DatagramEcho.HEADER + "..65535, was " + datagramSize);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new CliException("--timeout must be positive, was " + timeout);
        }
        HostPort target = ClientConnector.parse(server);
        InetSocketAddress address = target.resolve();
        ClientConfig config = ClientConnector.config(alpn, trust, logs,
                TransportSettings.builder().datagrams(DatagramEcho.QUEUE_LENGTH).build());
        PrintWriter out = spec.commandLine().getOut();
        try (QuicEngine engine = engineOptions.engine("quic-client").build()) {
            QuicConnection connection = ClientConnector.connect(engine, target, address, config, timeout,
                    DatagramEcho.wakes(Thread.currentThread()));
            int max = connection.maxDatagramSize();
            if (max == 0) {
                connection.close();
                throw new CliException(target + " does not accept QUIC DATAGRAMs (start it with `quic server --datagrams`)");
            }
            if (datagramSize > max) {
                connection.close();
                throw new CliException("--datagram-size " + datagramSize + " is more than the " + max + " bytes " + target + " accepts");
            }
            if (!json) {
                out.println("quic client: connected to " + target + ", alpn '" + connection.applicationProtocol() + "', echo of " + count
                        + " datagrams of " + datagramSize + " bytes, at most " + DatagramEcho.WINDOW + " unanswered");
            }
            DatagramEcho.Result result = new DatagramEcho(connection, count, (int) datagramSize, timeout, engineOptions.waitStrategy).run();
            ConnectionStats stats = TransferRun.close(connection, new StatsSampler());
            if (result.echoed() == 0 && connection.closeReason() != null) {
                CliException lost = Failures.closed(connection.closeReason(), "server");
                if (lost != null) {
                    throw lost;
                }
            }
            Histogram rtt = result.rtt();
            DatagramReport.Rtt rttMicros = rtt.getTotalCount() == 0 ? null : new DatagramReport.Rtt(rtt.getMinValue() / 1e3,
                    rtt.getValueAtPercentile(50) / 1e3, rtt.getValueAtPercentile(99) / 1e3, rtt.getMaxValue() / 1e3);
            if (json) {
                out.println(new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).writerWithDefaultPrettyPrinter()
                        .writeValueAsString(new DatagramReport("client", target.toString(), alpn, "datagrams", result.ok(), result.seconds(),
                                count, result.size(), result.echoed(), result.lost(), result.wrong(), result.late(), rttMicros,
                                new Report.Packets(stats.packetsSent(), stats.packetsReceived(), stats.packetsLost()))));
            } else {
                out.println(String.format(Locale.ROOT, "datagrams: sent %d, echoed %d, lost %d, wrong %d in %.2f s (%.0f per second)", count,
                        result.echoed(), result.lost(), result.wrong(), result.seconds(), result.echoed() / Math.max(1e-9, result.seconds())));
                if (rttMicros != null) {
                    out.println(String.format(Locale.ROOT, "rtt us: min %.1f  p50 %.1f  p99 %.1f  max %.1f", rttMicros.min(), rttMicros.p50(),
                            rttMicros.p99(), rttMicros.max()));
                }
                out.println(result.ok() ? "OK: all " + count + " datagrams came back intact"
                        : "FAILED: " + result.lost() + " lost, " + result.wrong() + " came back wrong");
            }
            return result.ok() ? 0 : 1;
        }
    }

    /**
     * The {@code --json} document of a {@code --datagrams} run (snake_case). Immutable.
     *
     * @param rttMicros null when no echo came back
     */
    record DatagramReport(String command, String server, String alpn, String mode, boolean ok, double seconds, int datagrams, int size,
                          long echoed, long lost, long wrong, long late, Rtt rttMicros, Report.Packets packets) {

        /** Round-trip times of the echoed datagrams, microseconds. */
        record Rtt(double min, double p50, double p99, double max) {
        }
    }

    private static String line(Interval i) {
        return String.format(Locale.ROOT, "[%5.2f-%5.2f]  %11s  %11s  %12s  %11s  %8s  %9s  %4d",
                i.startSeconds(), i.endSeconds(), Units.bytes(i.sentBytes()), Units.bitRate(i.sentRate()),
                Units.bytes(i.receivedBytes()), Units.bitRate(i.receivedRate()), Units.time(Math.round(i.rttMicros() * 1e3)),
                Units.bytes(i.cwndBytes()), i.packetsLost());
    }

    private void summary(PrintWriter out, TransferRun.Result r, ConnectionStats stats) {
        StatsSampler s = r.sampler();
        out.println("- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -");
        out.println(String.format(Locale.ROOT, "[%5.2f-%5.2f]  %11s  %11s  %12s  %11s  total", 0.0, r.seconds(), Units.bytes(r.sent()),
                Units.bitRate(r.sent() / Math.max(1e-9, r.seconds())), Units.bytes(r.received()), Units.bitRate(r.received() / Math.max(1e-9, r.seconds()))));
        out.println("rtt min/avg/max " + Units.time(s.rttMinNanos()) + " / " + Units.time(s.rttAvgNanos()) + " / " + Units.time(s.rttMaxNanos())
                + ", cwnd max " + Units.bytes(s.cwndMaxBytes()) + ", packets sent " + stats.packetsSent() + ", received " + stats.packetsReceived()
                + ", lost " + stats.packetsLost());
        out.println(verdict(r));
        r.failures().forEach(f -> out.println("  " + f));
    }

    private String verdict(TransferRun.Result r) {
        if (!r.failures().isEmpty()) {
            return "FAILED: " + r.failures().size() + (r.failures().size() == 1 ? " stream" : " streams") + " went wrong";
        }
        return switch (mode) {
            case ECHO -> "OK: all " + r.received() + " bytes came back intact";
            case UPLOAD -> r.serverReceipts() >= 0 ? "OK: the server confirmed all " + r.serverReceipts() + " bytes"
                    : "OK: " + r.sent() + " bytes sent (the server sent no receipt)";
            case DOWNLOAD -> "OK: " + r.received() + " bytes received";
        };
    }

    private Report report(HostPort target, TransferRun.Result r, ConnectionStats stats) {
        StatsSampler s = r.sampler();
        double seconds = Math.max(1e-9, r.seconds());
        List<Report.IntervalReport> intervals = r.intervals().stream().map(i -> new Report.IntervalReport(i.startSeconds(), i.endSeconds(),
                i.sentBytes(), i.receivedBytes(), Units.mbit(i.sentRate()), Units.mbit(i.receivedRate()), i.rttMicros(), i.cwndBytes(),
                i.packetsLost())).toList();
        return new Report("client", target.toString(), alpn, mode.name().toLowerCase(Locale.ROOT), parallel, rate, r.ok(), r.seconds(),
                r.sent(), r.received(), Units.mbit(r.sent() / seconds), Units.mbit(r.received() / seconds),
                mode == ClientMode.ECHO ? r.failures().isEmpty() && r.received() == r.sent() : null,
                r.serverReceipts() >= 0 ? r.serverReceipts() : null,
                new Report.Rtt(s.rttMinNanos() / 1e3, s.rttAvgNanos() / 1e3, s.rttMaxNanos() / 1e3), s.cwndMaxBytes(),
                new Report.Packets(stats.packetsSent(), stats.packetsReceived(), stats.packetsLost()), intervals,
                r.perStream().stream().map(c -> new Report.StreamReport(c.streamId(), c.sent(), c.received(),
                        c.serverReceipt() >= 0 ? c.serverReceipt() : null)).toList(), r.failures());
    }

    /**
     * The {@code --json} document (snake_case). Immutable.
     *
     * @param verified       echo only: every byte came back intact (null for other modes)
     * @param serverReceipt  upload only: the byte count a sink server confirmed (null when none)
     */
    record Report(String command, String server, String alpn, String mode, int streams, long rateBytesPerSecond, boolean ok,
                  double seconds, long bytesSent, long bytesReceived, double sentMbitPerSecond, double receivedMbitPerSecond,
                  Boolean verified, Long serverReceipt, Rtt rttMicros, long cwndMaxBytes, Packets packets,
                  List<IntervalReport> intervals, List<StreamReport> perStream, List<String> failures) {

        /** Round-trip times in microseconds. */
        record Rtt(double min, double avg, double max) {
        }

        /** Client-side packet counters. */
        record Packets(long sent, long received, long lost) {
        }

        /** One stream's counts; {@code serverReceipt} is null unless a sink answered. */
        record StreamReport(long id, long bytesSent, long bytesReceived, Long serverReceipt) {
        }

        /** One second of the run. */
        record IntervalReport(double start, double end, long bytesSent, long bytesReceived, double sentMbitPerSecond,
                              double receivedMbitPerSecond, double rttMicros, long cwndBytes, long packetsLost) {
        }
    }
}
