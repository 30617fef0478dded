package io.quicheengine.perf.orders;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.quicheengine.QuicEngine;
import io.quicheengine.WaitStrategy;
import io.quicheengine.perf.report.Charts;
import io.quicheengine.perf.report.Environment;
import io.quicheengine.perf.report.LatencyRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The order-entry ping-pong benchmark's command line:
 * {@code OrdersMain [--seconds N] [--warmup-seconds N] [--strategies busy-spin,yielding,backoff,blocking]
 * [--placements invoker,invoker-listener,loop-listener,app-thread] [--out DIR]}. Runs every placement with every
 * strategy it supports (a fresh server and client engine per row, one JVM, 127.0.0.1), prints a
 * progress line per row, and writes {@code orders.md} (the table), {@code orders.json} and
 * {@code orders.png} (percentile curves) into the output directory. Main thread only.
 */
public final class OrdersMain {
    private static final List<Placement> PLACEMENTS = List.of(new InvokerPlacement(), new InvokerListenerPlacement(), new ListenerPlacement(), new AppThreadPlacement());

    private OrdersMain() {
    }

    /** One row of the table. */
    record Row(String placement, String strategy, LatencyRow latency, double ordersPerSecond) {
    }

    public static void main(String[] args) throws Exception {
        Duration measure = Duration.ofSeconds(4);
        Duration warmup = Duration.ofSeconds(1);
        List<WaitStrategy> strategies = List.of(WaitStrategy.values());
        List<Placement> placements = PLACEMENTS;
        Path out = Path.of("perf/results/" + Instant.now().toString().replace(':', '-') + "-orders");
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            String value = i + 1 < args.length ? args[++i] : null;
            if (value == null) {
                throw new IllegalArgumentException("option " + option + " needs a value");
            }
            switch (option) {
                case "--seconds" -> measure = Duration.ofMillis(seconds(option, value));
                case "--warmup-seconds" -> warmup = Duration.ofMillis(seconds(option, value));
                case "--strategies" -> strategies = strategies(value);
                case "--placements" -> placements = placements(value);
                case "--out" -> out = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option '" + option
                        + "' (known: --seconds, --warmup-seconds, --strategies, --placements, --out)");
            }
        }
        OrdersSpec spec = new OrdersSpec(warmup, measure);
        Environment environment = Environment.collect();
        String library = QuicEngine.library().toString();
        System.out.println("orders: " + library + "; " + environment.nproc() + " CPUs; load " + Environment.loadAverage()
                + "; warm-up " + warmup.toMillis() + " ms + " + measure.toMillis() + " ms per row");
        List<Row> rows = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        int total = 0;
        for (Placement placement : placements) {
            for (WaitStrategy strategy : strategies) {
                total += placement.supports(strategy) ? 1 : 0;
            }
        }
        int done = 0;
        for (Placement placement : placements) {
            for (WaitStrategy strategy : strategies) {
                if (!placement.supports(strategy)) {
                    continue;
                }
                done++;
                String name = label(strategy);
                System.out.printf(Locale.ROOT, "orders: [%d/%d] %s %s ...%n", done, total, placement.label(), name);
                try (OrderServer server = new OrderServer(strategy)) {
                    RoundTrips trips = placement.run(server.address(), strategy, spec);
                    LatencyRow latency = LatencyRow.of("engine", placement.label(), name, "one JVM", OrderMessages.ORDER_BYTES,
                            trips.nanos().getTotalCount(), trips.nanos());
                    Row row = new Row(placement.label(), name, latency, trips.perSecond());
                    rows.add(row);
                    System.out.printf(Locale.ROOT, "orders: [%d/%d] %s %s: p50 %.1f us, p99 %.1f us, max %.1f us, %.0f orders/s%n", done, total,
                            placement.label(), name, latency.p50(), latency.p99(), latency.max(), row.ordersPerSecond());
                } catch (Exception e) {
                    String failure = placement.label() + " " + name + ": " + e;
                    failures.add(failure);
                    System.out.println("orders: [" + done + "/" + total + "] FAILED " + failure);
                }
            }
        }
        Files.createDirectories(out);
        String subtitle = environment.nproc() + " CPUs " + environment.cpuModel() + " | " + library + " | load after " + Environment.loadAverage();
        Files.writeString(out.resolve("orders.md"), markdown(rows, failures, placements, spec, library, environment));
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("orders.json").toFile(), rows);
        Map<String, List<LatencyRow.Point>> curves = new LinkedHashMap<>();
        for (Row row : rows) {
            if (row.latency().count() > 0) {
                curves.put(row.placement() + " " + row.strategy(), row.latency().curve());
            }
        }
        Charts.percentileCurves("Order entry: 64 B order, 32 B ack, round trip", subtitle, curves, n -> n.startsWith("app-thread"),
                out.resolve("orders.png"));
        System.out.println(table(rows));
        System.out.println("orders: wrote " + out.resolve("orders.md") + ", orders.json, orders.png");
        if (!failures.isEmpty()) {
            System.exit(1);
        }
    }

    static String markdown(List<Row> rows, List<String> failures, List<Placement> placements, OrdersSpec spec, String library,
                           Environment environment) {
        StringBuilder md = new StringBuilder("# Order entry ping-pong (64 B order, 32 B ack)\n\n");
        md.append("- ").append(environment.nproc()).append(" CPUs, ").append(environment.cpuModel()).append("; ").append(library).append('\n');
        md.append("- load average after: ").append(Environment.loadAverage()).append('\n');
        md.append("- per row: ").append(spec.warmup().toMillis()).append(" ms warm-up, ").append(spec.measure().toMillis())
                .append(" ms measured; one order in flight on one stream; client and server in one JVM over 127.0.0.1\n");
        md.append("- server (every row): a normal engine answering from a listener on its loop thread, idling by the row's strategy\n");
        for (Placement placement : placements) {
            md.append("- **").append(placement.label()).append("**: ").append(placement.description()).append('\n');
        }
        md.append('\n').append(table(rows)).append('\n');
        for (String failure : failures) {
            md.append("- FAILED: ").append(failure).append('\n');
        }
        md.append("\n![percentiles](orders.png)\n");
        return md.toString();
    }

    static String table(List<Row> rows) {
        StringBuilder md = new StringBuilder("| placement | wait | p50 us | p90 us | p99 us | p99.9 us | max us | orders/s | round trips |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            LatencyRow l = row.latency();
            md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f | %d |%n", row.placement(), row.strategy(),
                    l.p50(), l.p90(), l.p99(), l.p999(), l.max(), row.ordersPerSecond(), l.count()));
        }
        return md.toString();
    }

    private static String label(WaitStrategy strategy) {
        return strategy.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static long seconds(String option, String value) {
        try {
            double s = Double.parseDouble(value);
            if (s < 0 || s > 3600) {
                throw new IllegalArgumentException(option + " must be 0..3600 seconds, was " + value);
            }
            return Math.round(s * 1000);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a number of seconds, was '" + value + "'", e);
        }
    }

    private static List<WaitStrategy> strategies(String list) {
        List<WaitStrategy> result = new ArrayList<>();
        for (String name : list.split(",")) {
            String n = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            try {
                result.add(WaitStrategy.valueOf(n));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--strategies: unknown wait strategy '" + name + "' (busy-spin, yielding, backoff, blocking)", e);
            }
        }
        return result;
    }

    private static List<Placement> placements(String list) {
        List<Placement> result = new ArrayList<>();
        for (String name : list.split(",")) {
            Placement found = PLACEMENTS.stream().filter(p -> p.label().equals(name.trim())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("--placements: unknown placement '" + name + "' (invoker, loop-listener, app-thread)"));
            result.add(found);
        }
        return result;
    }
}
