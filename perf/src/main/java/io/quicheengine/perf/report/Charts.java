package io.quicheengine.perf.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report's PNG charts, drawn headless with JFreeChart: bulk throughput per system and wait
 * strategy beside the limits, and round-trip percentile curves on a "nines" axis. Stateless;
 * any thread (each call builds its own chart).
 */
public final class Charts {
    static final int WIDTH = 1200;
    static final int HEIGHT = 700;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /**
     * Bulk Mbit/s: one bar group per system (the engine once per client configuration and wait strategy, raw quiche,
     * Netty, the seed designs, and the plain-UDP blast as the kernel's one-datagram-per-syscall
     * limit), one bar per stream count and placement.
     */
    public static void throughput(BenchResults results, Path png) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (String category : throughputCategories(results)) {
            for (BulkRow row : results.bulk()) {
                if (series(row).equals(category)) {
                    data.addValue(row.mbitPerSecond(), row.streams() + (row.streams() == 1 ? " stream, " : " streams, ") + row.placement(),
                            category);
                }
            }
        }
        for (BlastRow blast : results.blast()) {
            data.addValue(blast.mbitPerSecond(), "1 stream, " + Labels.ONE_JVM, "plain-udp blast " + blast.datagramSize() + " B");
        }
        CategoryAxis x = new CategoryAxis();
        x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        NumberAxis y = new NumberAxis("Mbit/s (receiver's first to last byte)");
        BarRenderer bars = new BarRenderer();
        bars.setBarPainter(new StandardBarPainter());
        bars.setShadowVisible(false);
        bars.setItemMargin(0.02);
        CategoryPlot plot = new CategoryPlot(data, x, y, bars);
        plot.setOrientation(PlotOrientation.VERTICAL);
        style(plot);
        JFreeChart chart = new JFreeChart("Bulk throughput (" + mib(results) + ")", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.addSubtitle(subtitle(results));
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    }

    /**
     * Round-trip percentile curves (p50 .. p99.99) of every ping-pong row with {@code placement}:
     * x is 1 / (1 - percentile) on a log axis labelled in percentiles, y is microseconds on a log axis.
     */
    public static void latency(BenchResults results, String placement, Path png) throws IOException {
        Map<String, List<LatencyRow.Point>> curves = new LinkedHashMap<>();
        for (LatencyRow row : results.pingPong()) {
            if (row.placement().equals(placement) && row.count() > 0) {
                curves.put(series(row), row.curve());
            }
        }
        // The engine's app-thread clients dashed, so each strategy's two configurations read as a pair.
        percentileCurves("Ping-pong round trip, " + placement + " (64 B messages)", subtitle(results), curves,
                name -> name.contains(" " + Labels.APP_THREAD), png);
    }

    /**
     * Round-trip percentile curves (p50 .. p99.99), one per named series: x is 1 / (1 - percentile)
     * on a log axis labelled in percentiles, y is microseconds on a log axis. Series whose name
     * {@code dashed} accepts are drawn dashed.
     */
    public static void percentileCurves(String heading, String subtitle, Map<String, List<LatencyRow.Point>> curves,
                                        java.util.function.Predicate<String> dashed, Path png) throws IOException {
        TextTitle small = new TextTitle(subtitle);
        small.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        percentileCurves(heading, small, curves, dashed, png);
    }

    private static void percentileCurves(String heading, TextTitle subtitle, Map<String, List<LatencyRow.Point>> curves,
                                         java.util.function.Predicate<String> dashed, Path png) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        double low = Double.MAX_VALUE;
        double high = 0;
        for (Map.Entry<String, List<LatencyRow.Point>> curve : curves.entrySet()) {
            XYSeries series = new XYSeries(curve.getKey(), false, true);
            for (LatencyRow.Point p : curve.getValue()) {
                double micros = Math.max(p.micros(), 0.1);
                series.add(1 / (1 - p.percentile() / 100), micros);
                low = Math.min(low, micros);
                high = Math.max(high, micros);
            }
            data.addSeries(series);
        }
        LogAxis x = new LogAxis("percentile");
        x.setBase(10);
        x.setRange(1.8, 12_000);
        x.setTickUnit(new NumberTickUnit(1)); // one tick per nine: 90%, 99%, 99.9%, 99.99%
        x.setMinorTickCount(9);
        x.setMinorTickMarksVisible(true);
        x.setNumberFormatOverride(new PercentileFormat());
        LogAxis y = new LogAxis("round trip, us (log)");
        y.setBase(10);
        y.setSmallestValue(0.1);
        y.setNumberFormatOverride(NumberFormat.getNumberInstance(Locale.ROOT));
        if (low != Double.MAX_VALUE) {
            // Whole powers of ten around the data: the auto range of a log axis hugs it too tightly to read.
            y.setRange(Math.pow(10, Math.floor(Math.log10(Math.max(0.1, low)))), Math.pow(10, Math.ceil(Math.log10(Math.max(high, low * 10)))));
        }
        y.setTickUnit(new NumberTickUnit(1));
        y.setMinorTickCount(9);
        y.setMinorTickMarksVisible(true);
        XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            lines.setSeriesStroke(i, dashed.test(data.getSeriesKey(i).toString())
                    ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f)
                    : new BasicStroke(2f));
        }
        XYPlot plot = new XYPlot(data, x, y, lines);
        style(plot);
        JFreeChart chart = new JFreeChart(heading, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.addSubtitle(subtitle);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    }

    private static List<String> throughputCategories(BenchResults results) {
        Map<String, Boolean> ordered = new LinkedHashMap<>();
        ordered.put(Labels.RAW, true);
        for (String config : Labels.CONFIGS) {
            for (String s : Labels.STRATEGIES) {
                ordered.put(Labels.series(Labels.ENGINE, config, s), true);
            }
        }
        ordered.put(Labels.NETTY, true);
        ordered.put(Labels.SEED_GLOBAL_LOCK, true);
        ordered.put(Labels.SEED_QUEUE_MUTEX, true);
        for (BulkRow row : results.bulk()) {
            ordered.putIfAbsent(series(row), true);
        }
        List<String> present = new ArrayList<>();
        for (String category : ordered.keySet()) {
            if (results.bulk().stream().anyMatch(r -> series(r).equals(category))) {
                present.add(category);
            }
        }
        return present;
    }

    private static String series(BulkRow row) {
        return Labels.series(row.system(), row.config(), row.waitStrategy());
    }

    private static String series(LatencyRow row) {
        return Labels.series(row.system(), row.config(), row.waitStrategy());
    }

    private static String mib(BenchResults results) {
        OptionalLong most = results.bulk().stream().filter(r -> !r.system().equals(Labels.RAW)).mapToLong(BulkRow::bytes).max();
        return most.isPresent() ? (most.getAsLong() >> 20) + " MiB per case" : "no runs";
    }

    private static TextTitle subtitle(BenchResults results) {
        Environment e = results.environment();
        TextTitle title = new TextTitle(e.nproc() + " CPUs " + e.cpuModel() + " | " + e.libquiche() + " (" + e.libquicheBuild() + ") | "
                + results.mode() + " run " + results.startedAt());
        title.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        return title;
    }

    private static void style(org.jfree.chart.plot.Plot plot) {
        if (plot == null) {
            return;
        }
        plot.setBackgroundPaint(Color.WHITE);
        if (plot instanceof XYPlot xy) {
            xy.setDomainGridlinePaint(Color.LIGHT_GRAY);
            xy.setRangeGridlinePaint(Color.LIGHT_GRAY);
        } else if (plot instanceof CategoryPlot category) {
            category.setRangeGridlinePaint(Color.LIGHT_GRAY);
        }
    }

    /** Labels the "nines" axis: x = 1 / (1 - p) shown as p. */
    private static final class PercentileFormat extends NumberFormat {
        @Override
        public StringBuffer format(double x, StringBuffer to, FieldPosition pos) {
            double p = 100 * (1 - 1 / x);
            return to.append(p < 0.5 ? "0%" : String.format(Locale.ROOT, p >= 99.95 ? "%.2f%%" : p >= 99 ? "%.1f%%" : "%.0f%%", p));
        }

        @Override
        public StringBuffer format(long x, StringBuffer to, FieldPosition pos) {
            return format((double) x, to, pos);
        }

        @Override
        public Number parse(String source, ParsePosition pos) {
            return null;
        }
    }
}
