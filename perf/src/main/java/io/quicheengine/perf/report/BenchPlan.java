package io.quicheengine.perf.report;

import io.quicheengine.perf.e2e.SeedSpec;
import java.time.Duration;

/**
 * How big one report run is. {@link #QUICK} fits a few minutes; {@link #FULL} moves at least
 * 1 GiB per bulk case and 10x more round trips. Immutable; any thread.
 *
 * @param bulkBytes        bytes per bulk case (every system but raw quiche)
 * @param warmupBulkBytes  an unrecorded bulk run per system first (JIT, allocation profile)
 * @param pingPongBudget   the most one engine ping-pong run may take (a pathological setting must not stall the report)
 */
public record BenchPlan(String name, long bulkBytes, long warmupBulkBytes, long rawBulkBytes, long rawWarmupBytes, int chunkSize,
                        int messageSize, int pingWarmup, int pingCount, int udpPingWarmup, int udpPingCount,
                        double blastWarmupSeconds, double blastSeconds, SeedSpec seed, Duration pingPongBudget) {

    public static final BenchPlan QUICK = new BenchPlan("quick", 128L << 20, 32L << 20, 256L << 20, 64L << 20, 16 * 1024,
            64, 2_000, 10_000, 5_000, 50_000, 0.5, 2, SeedSpec.DEFAULT, Duration.ofSeconds(20));

    public static final BenchPlan FULL = new BenchPlan("full", 1L << 30, 128L << 20, 1L << 30, 256L << 20, 16 * 1024,
            64, 10_000, 100_000, 20_000, 100_000, 0.5, 3, SeedSpec.DEFAULT, Duration.ofSeconds(60));

    public static BenchPlan named(String name) {
        return switch (name) {
            case "quick" -> QUICK;
            case "full" -> FULL;
            default -> throw new IllegalArgumentException("mode must be 'quick' or 'full', got '" + name + "'");
        };
    }

    public BenchPlan withBulkBytes(long bytes) {
        return new BenchPlan(name, bytes, warmupBulkBytes, rawBulkBytes, rawWarmupBytes, chunkSize, messageSize, pingWarmup, pingCount,
                udpPingWarmup, udpPingCount, blastWarmupSeconds, blastSeconds, seed, pingPongBudget);
    }

    public BenchPlan withPingCount(int count) {
        return new BenchPlan(name, bulkBytes, warmupBulkBytes, rawBulkBytes, rawWarmupBytes, chunkSize, messageSize, pingWarmup, count,
                udpPingWarmup, udpPingCount, blastWarmupSeconds, blastSeconds, seed, pingPongBudget);
    }

    public BenchPlan withSeed(SeedSpec spec) {
        return new BenchPlan(name, bulkBytes, warmupBulkBytes, rawBulkBytes, rawWarmupBytes, chunkSize, messageSize, pingWarmup, pingCount,
                udpPingWarmup, udpPingCount, blastWarmupSeconds, blastSeconds, spec, pingPongBudget);
    }
}
