package io.quicheengine.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.quicheengine.ClientConfig;
import io.quicheengine.QuicConnection;
import io.quicheengine.QuicEngine;
import io.quicheengine.QuicStream;
import io.quicheengine.TransportSettings;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code quic pingpong}: round-trip latency against an echo server. One stream; each round trip
 * writes {@code --size} bytes and waits for all of them to come back (checked), timed with
 * {@link System#nanoTime()} into an HdrHistogram.
 *
 * <p>Runs on the main thread.
 */
@Command(name = "pingpong", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measures round-trip latency against an echo server (`quic server --mode",
                "echo`, or any other): on one stream, --count times, writes --size bytes",
                "and waits until all are back (checked). Prints min, p50, p90, p99, p99.9",
                "and max in microseconds (HdrHistogram). For the lowest latency use",
                "--wait-strategy BUSY_SPIN (it keeps two cores busy).",
                ""})
final class PingPongCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "HOST:PORT", description = "The echo server, e.g. 127.0.0.1:4433.")
    String server;

    @Option(names = "--alpn", paramLabel = "A", required = true, description = "The application protocol to offer; the server must accept it.")
    String alpn;

    @Option(names = "--size", paramLabel = "B", defaultValue = "64", converter = Units.BytesConverter.class,
            description = "Bytes per message, 1..65536. Default ${DEFAULT-VALUE}.")
    long size;

    @Option(names = "--count", paramLabel = "N", defaultValue = "10000", description = "Round trips measured. Default ${DEFAULT-VALUE}.")
    int count;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "1000", description = "Round trips before measuring (JIT, windows). Default ${DEFAULT-VALUE}.")
    int warmup;

    @Mixin
    TrustOptions trust;

    @Mixin
    LogOptions logs;

    @Option(names = "--timeout", paramLabel = "T", defaultValue = "5s", converter = Units.DurationConverter.class,
            description = "Handshake timeout, and the longest wait for one echo. Default ${DEFAULT-VALUE}.")
    Duration timeout;

    @Mixin
    EngineOptions engineOptions;

    @Option(names = "--json", description = "Print one JSON document with the result instead of the text report.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (size < 1 || size > TestData.MAX_SLICE) {
            throw new CliException("--size must be 1.." + TestData.MAX_SLICE + ", was " + size);
        }
        if (count < 1) {
            throw new CliException("--count must be at least 1, was " + count);
        }
        if (warmup < 0) {
            throw new CliException("--warmup must not be negative, was " + warmup);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new CliException("--timeout must be positive, was " + timeout);
        }
        HostPort target = ClientConnector.parse(server);
        InetSocketAddress address = target.resolve();
        ClientConfig config = ClientConnector.config(alpn, trust, logs, TransportSettings.DEFAULTS);
        PrintWriter out = spec.commandLine().getOut();
        int length = (int) size;
        try (QuicEngine engine = engineOptions.engine("quic-pingpong").build()) {
            QuicConnection connection = ClientConnector.connect(engine, target, address, config, timeout);
            if (!json) {
                out.println("quic pingpong: " + target + ", alpn '" + connection.applicationProtocol() + "', " + count + " round trips of "
                        + length + " bytes after " + warmup + " warm-up, wait strategy " + engineOptions.waitStrategy);
            }
            Histogram histogram = new Histogram(3);
            String failure;
            long started = System.nanoTime();
            try {
                failure = roundTrips(connection.openBidirectionalStream(timeout), length, histogram);
            } catch (RuntimeException e) {
                CliException closed = Failures.closed(connection.closeReason(), "server");
                throw closed != null ? closed : e instanceof io.quicheengine.QuicTimeoutException
                        ? new CliException("no echo from " + target + " within " + Units.duration(timeout) + " (is it an echo server?)")
                        : e;
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            TransferRun.close(connection, new StatsSampler());
            if (failure != null) {
                throw new CliException(failure);
            }
            if (json) {
                out.println(new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                        .writerWithDefaultPrettyPrinter().writeValueAsString(new Report("pingpong", target.toString(), alpn, length, count, warmup,
                                engineOptions.waitStrategy.name(), micros(histogram.getMinValue()), micros(histogram.getValueAtPercentile(50)),
                                micros(histogram.getValueAtPercentile(90)), micros(histogram.getValueAtPercentile(99)),
                                micros(histogram.getValueAtPercentile(99.9)), micros(histogram.getMaxValue()), histogram.getMean() / 1e3,
                                (count + warmup) / seconds)));
            } else {
                out.println(String.format(Locale.ROOT, "latency us: min %.1f  p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f  (mean %.1f)",
                        micros(histogram.getMinValue()), micros(histogram.getValueAtPercentile(50)), micros(histogram.getValueAtPercentile(90)),
                        micros(histogram.getValueAtPercentile(99)), micros(histogram.getValueAtPercentile(99.9)), micros(histogram.getMaxValue()),
                        histogram.getMean() / 1e3));
                out.println(String.format(Locale.ROOT, "%d round trips in %.2f s (%.0f per second)", count + warmup, seconds, (count + warmup) / seconds));
            }
            return 0;
        }
    }

    /** Runs warm-up and measured round trips; returns what went wrong with the echo, or null. */
    private String roundTrips(QuicStream stream, int length, Histogram histogram) {
        byte[] data = TestData.table();
        byte[] in = new byte[length];
        long position = 0;
        for (int i = 0; i < warmup + count; i++) {
            int offset = TestData.offsetOf(0, position);
            long start = System.nanoTime();
            stream.write(data, offset, length, false, timeout);
            int got = 0;
            while (got < length) {
                int n = stream.read(in, got, length - got, timeout);
                if (n < 0) {
                    return "the server ended the stream after " + i + " round trips";
                }
                got += n;
            }
            long elapsed = System.nanoTime() - start;
            if (i >= warmup) {
                histogram.recordValue(elapsed);
            }
            if (!Arrays.equals(in, 0, length, data, offset, offset + length)) {
                return "round trip " + i + " came back changed: is the server an echo server?";
            }
            position += length;
        }
        stream.finish(timeout);
        return null;
    }

    private static double micros(long nanos) {
        return nanos / 1e3;
    }

    /** The {@code --json} document (snake_case), latencies in microseconds. Immutable. */
    record Report(String command, String server, String alpn, int size, int count, int warmup, String waitStrategy,
                  double minMicros, double p50Micros, double p90Micros, double p99Micros, double p999Micros, double maxMicros,
                  double meanMicros, double roundTripsPerSecond) {
    }
}
