package io.quicheengine.perf.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads JMH's JSON result files ({@code -rf json}) into {@link JmhRow}s with normalised units, and
 * writes them as markdown tables: command handoff, read path, downcalls, then anything else.
 * Stateless; any thread.
 */
public final class JmhSummary {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double MIB = 1 << 20;

    private JmhSummary() {
    }

    /** Every {@code *.json} file directly in {@code dir} that holds JMH results, in file-name order. */
    public static List<JmhRow> readDirectory(Path dir) throws IOException {
        List<JmhRow> rows = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
                JsonNode root = JSON.readTree(file.toFile());
                if (root.isArray() && !root.isEmpty() && root.get(0).has("benchmark")) {
                    rows.addAll(read(root));
                }
            }
        }
        return rows;
    }

    /** The rows of one JMH JSON array. */
    public static List<JmhRow> read(JsonNode array) {
        List<JmhRow> rows = new ArrayList<>();
        for (JsonNode n : array) {
            String benchmark = shortName(n.path("benchmark").asText());
            String mode = n.path("mode").asText();
            int threads = n.path("threads").asInt(1);
            Map<String, String> params = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : n.path("params").properties()) {
                params.put(e.getKey(), e.getValue().asText());
            }
            JsonNode primary = n.path("primaryMetric");
            double score = primary.path("score").asDouble(Double.NaN);
            String unit = primary.path("scoreUnit").asText();
            double perSecond = mode.equals("thrpt") ? score * perSecondFactor(unit) : Double.NaN;
            double nanosPerOp = mode.equals("avgt") ? score * nanosFactor(unit) : Double.NaN;
            JsonNode secondary = n.path("secondaryMetrics");
            double bytesPerOp = secondary.path("gc.alloc.rate.norm").path("score").asDouble(Double.NaN);
            double allocRate = secondary.path("gc.alloc.rate").path("score").asDouble(Double.NaN);
            Map<String, Double> counters = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : secondary.properties()) {
                String u = e.getValue().path("scoreUnit").asText();
                if (!e.getKey().startsWith("gc.") && u.startsWith("ops/")) {
                    counters.put(e.getKey(), e.getValue().path("score").asDouble(Double.NaN) * perSecondFactor(u));
                }
            }
            rows.add(new JmhRow(benchmark, mode, threads, params, perSecond, nanosPerOp, bytesPerOp, allocRate, counters));
        }
        return rows;
    }

    /** Allocation (all threads, JMH's own included) per MiB the read-path consumer received; NaN when unknown. */
    public static double allocatedBytesPerMiBMoved(JmhRow row) {
        Double bytes = row.counters().get("bytes");
        if (bytes == null || bytes <= 0 || Double.isNaN(row.allocMiBPerSecond())) {
            return Double.NaN;
        }
        return row.allocMiBPerSecond() * MIB / (bytes / MIB);
    }

    /** Markdown tables of all rows. */
    public static String markdown(List<JmhRow> rows) {
        StringBuilder md = new StringBuilder();
        List<JmhRow> handoff = rows.stream().filter(r -> r.benchmark().contains("JmhCommandHandoffBenchmark")).toList();
        List<JmhRow> read = rows.stream().filter(r -> r.benchmark().contains("JmhReadPathBenchmark")).toList();
        List<JmhRow> other = rows.stream().filter(r -> !handoff.contains(r) && !read.contains(r)).toList();
        if (!handoff.isEmpty()) {
            md.append("### Command handoff, application thread -> loop thread (one busy consumer)\n\n");
            md.append("| impl | producers | Mops/s | ns per op (avgt) | B/op |\n|---|---:|---:|---:|---:|\n");
            Map<String, JmhRow[]> byKey = new LinkedHashMap<>();
            for (JmhRow r : handoff) {
                JmhRow[] pair = byKey.computeIfAbsent(r.params().getOrDefault("impl", "?") + "/" + r.threads(), k -> new JmhRow[2]);
                pair[r.mode().equals("thrpt") ? 0 : 1] = r;
            }
            byKey.entrySet().stream().sorted(Comparator.comparing((Map.Entry<String, JmhRow[]> e) -> e.getKey().split("/")[0])
                            .thenComparing(e -> Integer.parseInt(e.getKey().split("/")[1])))
                    .forEach(e -> {
                        JmhRow t = e.getValue()[0];
                        JmhRow a = e.getValue()[1];
                        JmhRow any = t != null ? t : a;
                        md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s |%n", any.params().getOrDefault("impl", "?"),
                                any.threads(), t == null ? "-" : num(t.perSecond() / 1e6), a == null ? "-" : num(a.nanosPerOp()),
                                num(t != null ? t.bytesPerOp() : a.bytesPerOp())));
                    });
            md.append('\n');
            for (int threads : List.of(1, 2, 4)) {
                double d = find(handoff, "disruptor", threads);
                double m = find(handoff, "mutexQueue", threads);
                if (!Double.isNaN(d) && !Double.isNaN(m)) {
                    md.append(String.format(Locale.ROOT, "Disruptor / mutex queue with %d producer(s): %.2fx%n%n", threads, d / m));
                }
            }
        }
        if (!read.isEmpty()) {
            md.append("### Read path, loop thread -> reading thread (one producer, one consumer)\n\n");
            md.append("| impl | chunk B | MB/s moved | allocated B per MiB moved | B/op (per call) |\n|---|---:|---:|---:|---:|\n");
            for (JmhRow r : read) {
                Double bytes = r.counters().get("bytes");
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", r.benchmark().substring(r.benchmark().lastIndexOf('.') + 1),
                        r.params().getOrDefault("chunk", "?"), bytes == null ? "-" : num(bytes / 1e6), num(allocatedBytesPerMiBMoved(r)),
                        num(r.bytesPerOp())));
            }
            md.append('\n');
        }
        if (!other.isEmpty()) {
            md.append("### Other microbenchmarks\n\n| benchmark | mode | threads | params | score | B/op |\n|---|---|---:|---|---:|---:|\n");
            for (JmhRow r : other) {
                String score = r.mode().equals("thrpt") ? num(r.perSecond() / 1e6) + " Mops/s" : num(r.nanosPerOp()) + " ns/op";
                md.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s |%n", r.benchmark(), r.mode(), r.threads(),
                        r.params().isEmpty() ? "" : r.params().toString(), score, num(r.bytesPerOp())));
            }
            md.append('\n');
        }
        return md.toString();
    }

    private static double find(List<JmhRow> rows, String impl, int threads) {
        return rows.stream().filter(r -> r.mode().equals("thrpt") && r.threads() == threads && impl.equals(r.params().get("impl")))
                .mapToDouble(JmhRow::perSecond).findFirst().orElse(Double.NaN);
    }

    private static String num(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        double abs = Math.abs(v);
        return abs >= 100 ? String.format(Locale.ROOT, "%.0f", v) : abs >= 1 ? String.format(Locale.ROOT, "%.2f", v)
                : String.format(Locale.ROOT, "%.3g", v);
    }

    private static String shortName(String benchmark) {
        String[] parts = benchmark.split("\\.");
        return parts.length >= 2 ? parts[parts.length - 2] + "." + parts[parts.length - 1] : benchmark;
    }

    private static double perSecondFactor(String unit) {
        return switch (unit) {
            case "ops/ns" -> 1e9;
            case "ops/us" -> 1e6;
            case "ops/ms" -> 1e3;
            case "ops/s" -> 1;
            case "ops/min" -> 1 / 60.0;
            default -> Double.NaN;
        };
    }

    private static double nanosFactor(String unit) {
        return switch (unit) {
            case "ns/op" -> 1;
            case "us/op" -> 1e3;
            case "ms/op" -> 1e6;
            case "s/op" -> 1e9;
            default -> Double.NaN;
        };
    }
}
