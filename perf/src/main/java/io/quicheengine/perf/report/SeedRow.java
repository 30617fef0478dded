package io.quicheengine.perf.report;

import io.quicheengine.perf.e2e.SeedResult;

/** One seed-scenario run in the report (the seed document's table). Immutable; any thread. */
public record SeedRow(String system, String waitStrategy, String placement, long bytesPerSecond, int seconds, boolean completed,
                      long bytesSent, long bytesEchoed, double throughputPeakMbit, double throughputAvgMbit,
                      double rttMinMicros, double rttAvgMicros, double rttMaxMicros, long cwndMaxBytes,
                      long packetsSent, long packetsReceived, long packetsLost) {

    public static SeedRow of(SeedResult r, String waitStrategy, String placement) {
        return new SeedRow(r.system(), waitStrategy, placement, r.spec().bytesPerSecond(), r.spec().seconds(), r.completed(),
                r.bytesSent(), r.bytesEchoed(), r.throughputPeakMbit(), r.throughputAvgMbit(), r.rttMinMicros(), r.rttAvgMicros(),
                r.rttMaxMicros(), r.cwndMaxBytes(), r.packetsSent(), r.packetsReceived(), r.packetsLost());
    }
}
