package io.quicheengine.perf.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes one run's {@code results.json}, {@code report.md} and charts ({@code throughput.png},
 * {@code latency-one-jvm.png}, {@code latency-two-processes.png} when there are two-process
 * rows) into a directory. Stateless; any thread.
 */
public final class ReportWriter {
    public static final String JSON_FILE = "results.json";
    public static final String MARKDOWN_FILE = "report.md";
    public static final String THROUGHPUT_PNG = "throughput.png";
    public static final String LATENCY_ONE_JVM_PNG = "latency-one-jvm.png";
    public static final String LATENCY_TWO_PROCESSES_PNG = "latency-two-processes.png";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportWriter() {
    }

    /** Writes everything into {@code dir} (created if missing); returns the markdown file. */
    public static Path write(BenchResults results, Path dir) throws IOException {
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve(JSON_FILE).toFile(), results);
        if (!results.bulk().isEmpty() || !results.blast().isEmpty()) {
            Charts.throughput(results, dir.resolve(THROUGHPUT_PNG));
        }
        boolean oneJvm = results.pingPong().stream().anyMatch(r -> r.placement().equals(Labels.ONE_JVM));
        boolean twoProcesses = results.pingPong().stream().anyMatch(r -> r.placement().equals(Labels.TWO_PROCESSES));
        if (oneJvm) {
            Charts.latency(results, Labels.ONE_JVM, dir.resolve(LATENCY_ONE_JVM_PNG));
        }
        if (twoProcesses) {
            Charts.latency(results, Labels.TWO_PROCESSES, dir.resolve(LATENCY_TWO_PROCESSES_PNG));
        }
        Path md = dir.resolve(MARKDOWN_FILE);
        Files.writeString(md, markdown(results, oneJvm, twoProcesses));
        return md;
    }

    /** Reads a {@code results.json} back. */
    public static BenchResults read(Path json) throws IOException {
        return JSON.readValue(json.toFile(), BenchResults.class);
    }

    static String markdown(BenchResults r, boolean oneJvmChart, boolean twoProcessChart) {
        StringBuilder md = new StringBuilder();
        Environment e = r.environment();
        md.append("# quiche-engine benchmark report (").append(r.mode()).append(" run, ").append(r.startedAt()).append(")\n\n");
        md.append("| | |\n|---|---|\n");
        row(md, "machine", e.nproc() + " CPUs, " + e.cpuModel());
        row(md, "kernel", e.kernel());
        row(md, "JDK", e.jdk());
        row(md, "libquiche (engine, raw, seed designs)", e.libquiche() + " - build: **" + e.libquicheBuild() + "**");
        row(md, "Netty QUIC", e.nettyQuic() + ", " + e.nettyQuiche());
        row(md, "load average (1/5/15 min) before / after", e.loadAverageBefore() + " / " + e.loadAverageAfter());
        row(md, "finished", r.finishedAt());
        md.append('\n');
        for (String note : r.notes()) {
            md.append("- ").append(note).append('\n');
        }
        md.append('\n');

        md.append("## Targets of issue 4\n\n");
        md.append("Ratios are measured over reference, both from this run. The comparisons with Netty and the limits judge our "
                + "engine's 'loop' clients (listeners on the client engine's loop thread, as Netty's clients are handlers on its event "
                + "loop); the 'app-thread' clients (one application thread more) are listed for reference.\n\n");
        md.append("| target | case | measured | reference | ratio | threshold | status |\n|---|---|---:|---:|---:|---|---|\n");
        List<TargetRow> targets = Targets.evaluate(r);
        for (TargetRow t : targets) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", t.target(), t.scenario(), t.measured(),
                    t.reference(), Double.isNaN(t.ratio()) ? "-" : String.format(Locale.ROOT, "%.2fx", t.ratio()), t.threshold(),
                    t.status().equals(TargetRow.MET) ? "**met**" : t.status()));
        }
        long met = targets.stream().filter(t -> t.status().equals(TargetRow.MET)).count();
        long notMet = targets.stream().filter(t -> t.status().equals(TargetRow.NOT_MET)).count();
        long notMeasured = targets.stream().filter(t -> t.status().equals(TargetRow.NOT_MEASURED)).count();
        md.append(String.format(Locale.ROOT, "%nMet %d, not met %d, not measured %d; %d listed for reference.%n%n", met, notMet, notMeasured,
                targets.size() - met - notMet - notMeasured));

        md.append("## Bulk transfer\n\n");
        md.append("| system | clients | wait strategy | placement | streams | MiB | Mbit/s | seconds | CPU s | CPU s per GiB "
                + "| loop alloc B/MiB | writer alloc B/MiB |\n");
        md.append("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (BulkRow b : r.bulk()) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %d | %d | %s | %s | %s | %s | %s | %s |%n", b.system(), b.config(),
                    b.waitStrategy(),
                    b.placement(), b.streams(), b.bytes() >> 20, n(b.mbitPerSecond()), n(b.seconds()), n(b.cpuSeconds()),
                    n(b.cpuSeconds() / (b.bytes() / (double) (1 << 30))), n(b.loopBytesPerMiB()), n(b.writerBytesPerMiB())));
        }
        for (BlastRow b : r.blast()) {
            md.append(String.format(Locale.ROOT, "%nPlain UDP blast (%d-byte datagrams, one per syscall, %.1f s): %s packets/s received = %s Mbit/s"
                            + " (%d received of %d sent).%n", b.datagramSize(), b.seconds(), n(b.packetsPerSecond()), n(b.mbitPerSecond()),
                    b.receivedPackets(), b.sentPackets()));
        }
        if (!r.bulk().isEmpty() || !r.blast().isEmpty()) {
            md.append("\n![bulk throughput](").append(THROUGHPUT_PNG).append(")\n\n");
        }

        md.append("## Ping-pong round trips (microseconds)\n\n");
        md.append("| system | clients | wait strategy | placement | bytes | n | p50 | p90 | p99 | p99.9 | p99.99 | max | mean |\n");
        md.append("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (LatencyRow l : r.pingPong()) {
            String count = l.count() < l.requested() ? l.count() + " of " + l.requested() + " (time budget)" : Long.toString(l.count());
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |%n", l.system(),
                    l.config(), l.waitStrategy(),
                    l.placement(), l.messageSize(), count, n(l.p50()), n(l.p90()), n(l.p99()), n(l.p999()), n(l.p9999()), n(l.max()),
                    n(l.mean())));
        }
        md.append('\n');
        if (oneJvmChart) {
            md.append("![latency, one JVM](").append(LATENCY_ONE_JVM_PNG).append(")\n\n");
        }
        if (twoProcessChart) {
            md.append("![latency, two processes](").append(LATENCY_TWO_PROCESSES_PNG).append(")\n\n");
        }

        engineClients(md, r);

        md.append("## Seed scenario (upload at a fixed rate, everything echoed back)\n\n");
        md.append("| system | wait strategy | placement | rate | completed | echoed / sent | Mbit/s peak / avg | RTT min / avg / max us | cwnd max B | packets sent / recv / lost |\n");
        md.append("|---|---|---|---|---|---|---|---|---:|---|\n");
        for (SeedRow s : r.seed()) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d B/s x %d s | %s | %d / %d | %s / %s | %s / %s / %s | %d | %d / %d / %d |%n",
                    s.system(), s.waitStrategy(), s.placement(), s.bytesPerSecond(), s.seconds(), s.completed() ? "yes" : "**NO**",
                    s.bytesEchoed(), s.bytesSent(), n(s.throughputPeakMbit()), n(s.throughputAvgMbit()), n(s.rttMinMicros()),
                    n(s.rttAvgMicros()), n(s.rttMaxMicros()), s.cwndMaxBytes(), s.packetsSent(), s.packetsReceived(), s.packetsLost()));
        }
        md.append('\n');

        md.append("## Microbenchmarks (JMH, -prof gc)\n\n");
        if (r.jmh().isEmpty()) {
            md.append("Not included in this run: `perf/run.sh jmh` runs them; the next report picks up the newest results.\n\n");
        } else {
            md.append("From `").append(r.jmhSource()).append("`.\n\n").append(JmhSummary.markdown(r.jmh()));
        }

        if (!r.failures().isEmpty()) {
            md.append("## Scenarios that failed\n\n| scenario | error |\n|---|---|\n");
            for (FailureRow f : r.failures()) {
                md.append("| ").append(f.scenario()).append(" | ").append(f.error().replace("|", "\\|").replace("\n", " ")).append(" |\n");
            }
            md.append('\n');
        }

        md.append("## How to reproduce\n\n");
        md.append("```\nperf/run.sh ").append(r.mode().equals("full") ? "full" : "quick").append("    # this report\n");
        md.append("perf/run.sh jmh     # the microbenchmarks\n```\n");
        return md.toString();
    }

    /** Our engine's two client configurations side by side, per placement and wait strategy (when both ran). */
    private static void engineClients(StringBuilder md, BenchResults r) {
        StringBuilder rows = new StringBuilder();
        for (String placement : List.of(Labels.ONE_JVM, Labels.TWO_PROCESSES)) {
            for (String strategy : Labels.STRATEGIES) {
                StringBuilder line = new StringBuilder("| " + placement + " | " + strategy + " |");
                boolean any = false;
                for (int streams : List.of(1, 16)) {
                    for (String config : Labels.CONFIGS) {
                        var row = Targets.bulk(r, Labels.ENGINE, config, strategy, placement, streams);
                        any |= row.isPresent();
                        line.append(' ').append(row.map(b -> n(b.mbitPerSecond())).orElse("-")).append(" |");
                    }
                }
                for (boolean p99 : new boolean[] {false, true}) {
                    for (String config : Labels.CONFIGS) {
                        var row = Targets.latency(r, Labels.ENGINE, config, strategy, placement);
                        any |= row.isPresent();
                        line.append(' ').append(row.map(l -> n(p99 ? l.p99() : l.p50())).orElse("-")).append(" |");
                    }
                }
                if (any) {
                    rows.append(line).append('\n');
                }
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        md.append("## Our engine's clients: loop vs app-thread\n\n");
        md.append("'loop': the clients are listeners on the client engine's loop thread (as Netty's are handlers on its event loop); "
                + "'app-thread': they run on an application thread beside the loop.\n\n");
        md.append("| placement | wait strategy | bulk 1 stream Mbit/s, loop | app-thread | bulk 16 streams Mbit/s, loop | app-thread "
                + "| ping-pong p50 us, loop | app-thread | p99 us, loop | app-thread |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        md.append(rows).append('\n');
    }

    private static void row(StringBuilder md, String key, String value) {
        md.append("| ").append(key).append(" | ").append(value == null ? "-" : value.replace("|", "\\|")).append(" |\n");
    }

    private static String n(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "-";
        }
        double abs = Math.abs(v);
        return abs >= 100 ? String.format(Locale.ROOT, "%.0f", v) : abs >= 10 ? String.format(Locale.ROOT, "%.1f", v)
                : String.format(Locale.ROOT, "%.2f", v);
    }
}
