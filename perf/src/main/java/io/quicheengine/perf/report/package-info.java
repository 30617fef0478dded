/**
 * The benchmark report: {@link io.quicheengine.perf.report.BenchMain} runs the end-to-end set
 * (raw quiche, plain UDP, our engine per wait strategy, Netty QUIC, the seed designs; in one JVM
 * and as two processes) and {@link io.quicheengine.perf.report.ReportWriter} writes
 * {@code results.json}, {@code report.md} and PNG charts, with the machine, JDK and libquiche
 * beside the figures and every target of issue 4 checked against them ({@link io.quicheengine.perf.report.Targets}).
 * Run it with {@code perf/run.sh}.
 */
package io.quicheengine.perf.report;
