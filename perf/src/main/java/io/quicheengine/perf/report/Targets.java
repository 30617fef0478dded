package io.quicheengine.perf.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Checks every target of issue 4 against the rows of one run, so each claim is a ratio measured
 * side by side with its baseline in the same run. Targets whose inputs are missing (a failed
 * scenario, no JMH results) are listed as "not measured" rather than dropped. The comparisons with
 * Netty and with the limits judge the engine's {@link Labels#LOOP} clients, whose threading model is
 * Netty's (client logic on the loop thread); the {@link Labels#APP_THREAD} figures are listed beside
 * them "for reference". Stateless; any thread.
 */
public final class Targets {
    /** "~0" allocation: below one byte per 16 KiB write, i.e. 64 bytes per MiB moved. */
    static final double NEAR_ZERO_BYTES_PER_MIB = 64;
    /** JMH's own infrastructure shows as a tiny fraction of a byte per operation. */
    static final double ZERO_BYTES_PER_OP = 0.5;

    private Targets() {
    }

    public static List<TargetRow> evaluate(BenchResults r) {
        List<TargetRow> rows = new ArrayList<>();
        aheadOfNettyBulk(r, rows);
        aheadOfNettyLatency(r, rows);
        bulkVersusRaw(r, rows);
        pingPongVersusLimits(r, rows);
        handoff(r, rows);
        hotPathAllocation(r, rows);
        return rows;
    }

    private static void aheadOfNettyBulk(BenchResults r, List<TargetRow> rows) {
        String target = "Ahead of Netty QUIC: bulk Mbit/s (engine / Netty >= 1.0x)";
        for (String placement : List.of(Labels.ONE_JVM, Labels.TWO_PROCESSES)) {
            for (int streams : List.of(1, 16)) {
                Optional<BulkRow> netty = bulk(r, Labels.NETTY, Labels.NO_CONFIG, Labels.NO_STRATEGY, placement, streams);
                for (String strategy : Labels.STRATEGIES) {
                    for (String config : Labels.CONFIGS) {
                        Optional<BulkRow> engine = bulk(r, Labels.ENGINE, config, strategy, placement, streams);
                        String scenario = "bulk " + streams + (streams == 1 ? " stream, " : " streams, ") + placement + ", " + strategy
                                + ", " + config;
                        rows.add(ratioRow(target, scenario, engine.map(BulkRow::mbitPerSecond), netty.map(BulkRow::mbitPerSecond),
                                "Mbit/s", ">= 1.0x", ratio -> ratio >= 1.0, judged(config)));
                    }
                }
            }
        }
    }

    private static void aheadOfNettyLatency(BenchResults r, List<TargetRow> rows) {
        for (String placement : List.of(Labels.ONE_JVM, Labels.TWO_PROCESSES)) {
            Optional<LatencyRow> netty = latency(r, Labels.NETTY, Labels.NO_CONFIG, Labels.NO_STRATEGY, placement);
            for (String strategy : Labels.STRATEGIES) {
                for (String config : Labels.CONFIGS) {
                    Optional<LatencyRow> engine = latency(r, Labels.ENGINE, config, strategy, placement);
                    String scenario = "ping-pong 64 B, " + placement + ", " + strategy + ", " + config;
                    rows.add(ratioRow("Ahead of Netty QUIC: ping-pong p50 (engine / Netty <= 1.0x)", scenario,
                            engine.map(LatencyRow::p50), netty.map(LatencyRow::p50), "us", "<= 1.0x", ratio -> ratio <= 1.0, judged(config)));
                    rows.add(ratioRow("Ahead of Netty QUIC: ping-pong p99 (engine / Netty <= 1.0x)", scenario,
                            engine.map(LatencyRow::p99), netty.map(LatencyRow::p99), "us", "<= 1.0x", ratio -> ratio <= 1.0, judged(config)));
                }
            }
        }
    }

    private static void bulkVersusRaw(BenchResults r, List<TargetRow> rows) {
        Optional<BulkRow> raw = bulk(r, Labels.RAW, Labels.NO_CONFIG, Labels.NO_STRATEGY, Labels.ONE_JVM, 1);
        for (String placement : List.of(Labels.ONE_JVM, Labels.TWO_PROCESSES)) {
            for (String config : Labels.CONFIGS) {
                Optional<BulkRow> engine = bulk(r, Labels.ENGINE, config, "busy-spin", placement, 1);
                rows.add(ratioRow("Bulk 1 stream, BUSY_SPIN >= 1.0x raw in-memory quiche bulk", "bulk 1 stream, " + placement + ", busy-spin, "
                        + config, engine.map(BulkRow::mbitPerSecond), raw.map(BulkRow::mbitPerSecond), "Mbit/s", ">= 1.0x",
                        ratio -> ratio >= 1.0, judged(config)));
            }
        }
    }

    private static void pingPongVersusLimits(BenchResults r, List<TargetRow> rows) {
        Optional<Double> limit = latency(r, Labels.RAW, Labels.NO_CONFIG, Labels.NO_STRATEGY, Labels.ONE_JVM).map(LatencyRow::p50)
                .flatMap(raw -> latency(r, Labels.UDP, Labels.NO_CONFIG, Labels.NO_STRATEGY, Labels.ONE_JVM).map(udp -> raw + udp.p50()));
        for (String placement : List.of(Labels.ONE_JVM, Labels.TWO_PROCESSES)) {
            for (String config : Labels.CONFIGS) {
                Optional<LatencyRow> engine = latency(r, Labels.ENGINE, config, "busy-spin", placement);
                String scenario = "ping-pong 64 B, " + placement + ", busy-spin, " + config;
                rows.add(ratioRow("Ping-pong p50, BUSY_SPIN <= 1.2x (raw quiche p50 + plain UDP p50)", scenario,
                        engine.map(LatencyRow::p50), limit, "us", "<= 1.2x", ratio -> ratio <= 1.2, judged(config)));
                rows.add(ratioRow("Ping-pong p99.9 <= 3x p50 (BUSY_SPIN)", scenario,
                        engine.map(LatencyRow::p999), engine.map(LatencyRow::p50), "us", "<= 3.0x", ratio -> ratio <= 3.0, judged(config)));
            }
        }
    }

    /** The comparisons with Netty and the limits judge the 'loop' clients (Netty's threading model); 'app-thread' is listed for reference. */
    private static boolean judged(String config) {
        return config.equals(Labels.LOOP);
    }

    private static void handoff(BenchResults r, List<TargetRow> rows) {
        String bench = "JmhCommandHandoffBenchmark.handoff";
        Optional<JmhRow> disruptor = jmh(r, bench, "thrpt", 2, "disruptor");
        Optional<JmhRow> mutex = jmh(r, bench, "thrpt", 2, "mutexQueue");
        rows.add(ratioRow("Command handoff: Disruptor >= 3x mutex-guarded queue throughput, 2 producers (JMH)", "2 producer threads",
                disruptor.map(JmhRow::perSecond), mutex.map(JmhRow::perSecond), "ops/s", ">= 3.0x", ratio -> ratio >= 3.0));
        for (int threads : List.of(1, 2, 4)) {
            Optional<Double> bytes = jmh(r, bench, "thrpt", threads, "disruptor").map(JmhRow::bytesPerOp);
            rows.add(absoluteRow("Command handoff through the Disruptor: 0 B/op (JMH -prof gc)", threads + " producer thread(s)",
                    bytes, "B/op", "~0 (< " + ZERO_BYTES_PER_OP + " B/op)", v -> v < ZERO_BYTES_PER_OP));
        }
    }

    private static void hotPathAllocation(BenchResults r, List<TargetRow> rows) {
        for (String group : List.of("ring_copy", "ring_inPlace")) {
            for (String chunk : List.of("64", "1024", "65536")) {
                Optional<Double> perMiB = r.jmh().stream()
                        .filter(j -> j.benchmark().endsWith("JmhReadPathBenchmark." + group) && chunk.equals(j.params().get("chunk")))
                        .findFirst().map(JmhSummary::allocatedBytesPerMiBMoved);
                rows.add(absoluteRow("Read hot path: ~0 allocation per MiB moved (JMH read ring, -prof gc; includes JMH's own background)",
                        group + ", " + chunk + " B chunks", perMiB, "B/MiB", "~0 (<= " + (int) NEAR_ZERO_BYTES_PER_MIB + " B/MiB)",
                        v -> v <= NEAR_ZERO_BYTES_PER_MIB));
            }
        }
        // Both configurations judged: these are absolute figures of the engine, not comparisons.
        // With 'loop' clients the writer is the client's loop, so its writing counts in the loop figure.
        for (String strategy : Labels.STRATEGIES) {
            for (int streams : List.of(1, 16)) {
                String scenario = "bulk " + streams + (streams == 1 ? " stream, " : " streams, ") + strategy;
                Optional<BulkRow> appThread = bulk(r, Labels.ENGINE, Labels.APP_THREAD, strategy, Labels.ONE_JVM, streams);
                rows.add(absoluteRow("Write hot path: application writer thread allocation per MiB ~0 (end to end)",
                        scenario + ", " + Labels.APP_THREAD, appThread.map(BulkRow::writerBytesPerMiB), "B/MiB",
                        "~0 (<= " + (int) NEAR_ZERO_BYTES_PER_MIB + " B/MiB)", v -> v <= NEAR_ZERO_BYTES_PER_MIB));
                for (String config : Labels.CONFIGS) {
                    Optional<BulkRow> engine = bulk(r, Labels.ENGINE, config, strategy, Labels.ONE_JVM, streams);
                    rows.add(absoluteRow("Loop-thread allocation per MiB moved ~0 after warm-up (both loops, end to end)",
                            scenario + ", " + config, engine.map(BulkRow::loopBytesPerMiB), "B/MiB",
                            "~0 (<= " + (int) NEAR_ZERO_BYTES_PER_MIB + " B/MiB)", v -> v <= NEAR_ZERO_BYTES_PER_MIB));
                }
            }
        }
    }

    // ---- helpers ----

    private static TargetRow ratioRow(String target, String scenario, Optional<Double> measured, Optional<Double> reference,
                                      String unit, String threshold, Predicate<Double> met) {
        return ratioRow(target, scenario, measured, reference, unit, threshold, met, true);
    }

    /** @param judged false: the ratio is shown with status {@link TargetRow#FOR_REFERENCE}, not met or not met */
    private static TargetRow ratioRow(String target, String scenario, Optional<Double> measured, Optional<Double> reference,
                                      String unit, String threshold, Predicate<Double> met, boolean judged) {
        if (measured.isEmpty() || reference.isEmpty() || measured.get().isNaN() || reference.get().isNaN() || reference.get() == 0) {
            return new TargetRow(target, scenario, measured.map(v -> format(v, unit)).orElse("-"),
                    reference.map(v -> format(v, unit)).orElse("-"), Double.NaN, threshold, TargetRow.NOT_MEASURED);
        }
        double ratio = measured.get() / reference.get();
        return new TargetRow(target, scenario, format(measured.get(), unit), format(reference.get(), unit), ratio, threshold,
                !judged ? TargetRow.FOR_REFERENCE : met.test(ratio) ? TargetRow.MET : TargetRow.NOT_MET);
    }

    private static TargetRow absoluteRow(String target, String scenario, Optional<Double> measured, String unit, String threshold,
                                         Predicate<Double> met) {
        if (measured.isEmpty() || measured.get().isNaN()) {
            return new TargetRow(target, scenario, "-", "-", Double.NaN, threshold, TargetRow.NOT_MEASURED);
        }
        return new TargetRow(target, scenario, format(measured.get(), unit), "0", Double.NaN, threshold,
                met.test(measured.get()) ? TargetRow.MET : TargetRow.NOT_MET);
    }

    static String format(double value, String unit) {
        if (Double.isNaN(value)) {
            return "-";
        }
        double abs = Math.abs(value);
        String number = abs >= 1e7 ? String.format(Locale.ROOT, "%.3g", value)
                : abs >= 100 ? String.format(Locale.ROOT, "%.0f", value)
                : abs >= 1 ? String.format(Locale.ROOT, "%.2f", value)
                : String.format(Locale.ROOT, "%.3g", value);
        return number + " " + unit;
    }

    static Optional<BulkRow> bulk(BenchResults r, String system, String config, String strategy, String placement, int streams) {
        return r.bulk().stream().filter(b -> b.system().equals(system) && config.equals(b.config()) && b.waitStrategy().equals(strategy)
                && b.placement().equals(placement) && b.streams() == streams).findFirst();
    }

    static Optional<LatencyRow> latency(BenchResults r, String system, String config, String strategy, String placement) {
        return r.pingPong().stream().filter(l -> l.system().equals(system) && config.equals(l.config()) && l.waitStrategy().equals(strategy)
                && l.placement().equals(placement)).findFirst();
    }

    private static Optional<JmhRow> jmh(BenchResults r, String benchmark, String mode, int threads, String impl) {
        return r.jmh().stream().filter(j -> j.benchmark().endsWith(benchmark) && j.mode().equals(mode) && j.threads() == threads
                && impl.equals(j.params().get("impl"))).findFirst();
    }
}
