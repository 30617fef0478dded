package io.quicheengine.perf.report;

import java.util.List;

/**
 * Everything one benchmark run measured, as written to {@code results.json}. Immutable; any thread.
 *
 * @param mode      "quick", "full", or a test's name
 * @param jmhSource where the JMH rows came from (a results directory), or null when none were included
 */
public record BenchResults(String startedAt, String finishedAt, String mode, Environment environment, List<BulkRow> bulk,
                           List<LatencyRow> pingPong, List<SeedRow> seed, List<BlastRow> blast, List<JmhRow> jmh,
                           String jmhSource, List<FailureRow> failures, List<String> notes) {
}
