package io.quicheengine.perf.report;

import java.util.Map;

/**
 * One JMH result, units normalised: throughput in operations per second, average time in
 * nanoseconds per operation. Immutable; any thread.
 *
 * @param benchmark   the method or group, e.g. {@code JmhCommandHandoffBenchmark.handoff}
 * @param params      JMH parameters, e.g. impl=disruptor
 * @param perSecond   throughput mode: operations per second (NaN in average-time mode)
 * @param nanosPerOp  average-time mode: nanoseconds per operation (NaN in throughput mode)
 * @param bytesPerOp  gc.alloc.rate.norm (NaN without -prof gc)
 * @param allocMiBPerSecond gc.alloc.rate in MiB/s (NaN without -prof gc)
 * @param counters    secondary results per second (JMH aux counters such as "bytes"), by name
 */
public record JmhRow(String benchmark, String mode, int threads, Map<String, String> params, double perSecond, double nanosPerOp,
                     double bytesPerOp, double allocMiBPerSecond, Map<String, Double> counters) {
}
