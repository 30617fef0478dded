package io.quicheengine.perf.jmh;

import io.quicheengine.perf.report.JmhRow;
import io.quicheengine.perf.report.JmhSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH set with {@code -prof gc} and writes one JSON file per run plus {@code jmh.md}
 * into a directory (what {@code perf/run.sh jmh} calls):
 * <pre>
 * JmhMain --out DIR [--quick] [--only handoff,read,downcall]
 * </pre>
 * The command handoff benchmark runs with 1, 2 and 4 producer threads
 * ({@code jmh-handoff-t1.json} ...), then the read path ({@code jmh-readpath.json}) and the FFM
 * downcalls ({@code jmh-downcall.json}). {@code --quick} measures 2 x 1 s after 1 x 1 s of
 * warm-up instead of the benchmarks' own 3 x 1 s after 2 x 1 s. Main thread only.
 */
public final class JmhMain {
    private JmhMain() {
    }

    public static void main(String[] args) throws Exception {
        Path out = null;
        boolean quick = false;
        List<String> only = List.of("handoff", "read", "downcall");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(value(args, ++i, "--out"));
                case "--quick" -> quick = true;
                case "--only" -> only = List.of(value(args, ++i, "--only").split(","));
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'; usage: --out DIR [--quick] [--only handoff,read,downcall]");
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("--out DIR is required");
        }
        Files.createDirectories(out);
        if (only.contains("handoff")) {
            for (int threads : new int[] {1, 2, 4}) {
                run(options(quick, "io\\.quicheengine\\.perf\\.jmh\\.JmhCommandHandoffBenchmark", out.resolve("jmh-handoff-t" + threads + ".json"))
                        .threads(threads));
            }
            // The offer path's own cost on one thread (offer + the loop's bookkeeping), beside the handoff.
            run(options(quick, Pattern.quote(JmhStreamOfferBenchmark.class.getName()), out.resolve("jmh-stream-offer.json")));
        }
        if (only.contains("read")) {
            run(options(quick, "io\\.quicheengine\\.perf\\.jmh\\.JmhReadPathBenchmark", out.resolve("jmh-readpath.json")));
        }
        if (only.contains("downcall")) {
            run(options(quick, Pattern.quote(DowncallBenchmark.class.getName()), out.resolve("jmh-downcall.json")));
        }
        List<JmhRow> rows = new ArrayList<>(JmhSummary.readDirectory(out));
        String md = "# JMH microbenchmarks (-prof gc)\n\n" + JmhSummary.markdown(rows);
        Files.writeString(out.resolve("jmh.md"), md);
        System.out.println();
        System.out.println(md);
        System.out.println("Written to " + out.toAbsolutePath());
    }

    private static ChainedOptionsBuilder options(boolean quick, String include, Path result) {
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include(include)
                .addProfiler(GCProfiler.class)
                .resultFormat(ResultFormatType.JSON)
                .result(result.toString())
                .shouldFailOnError(true);
        if (quick) {
            b.warmupIterations(1).warmupTime(TimeValue.seconds(1)).measurementIterations(2).measurementTime(TimeValue.seconds(1));
        }
        return b;
    }

    private static void run(ChainedOptionsBuilder options) throws Exception {
        new Runner(options.build()).run();
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }
}
