package io.quicheengine.perf.seed;

import io.quicheengine.ffi.QuicheLibrary;
import io.quicheengine.perf.e2e.BulkResult;
import io.quicheengine.perf.e2e.BulkSpec;
import io.quicheengine.perf.e2e.E2eSystem;
import io.quicheengine.perf.e2e.PingPongResult;
import io.quicheengine.perf.e2e.PingPongSpec;
import io.quicheengine.perf.e2e.SeedResult;
import io.quicheengine.perf.e2e.SeedSpec;
import java.util.List;

/**
 * Runs both seed designs once and prints their figures:
 * {@code SeedBaselineMain [bulkMiB [streams [chunkSize [pingPongCount [messageSize]]]]]}
 * (defaults 256 1 65536 10000 64), then the seed test with {@link SeedSpec#DEFAULT}. Main thread only.
 */
public final class SeedBaselineMain {

    private SeedBaselineMain() {
    }

    public static void main(String[] args) throws Exception {
        long bulkMiB = args.length > 0 ? Long.parseLong(args[0]) : 256;
        int streams = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int chunk = args.length > 2 ? Integer.parseInt(args[2]) : 65_536;
        int count = args.length > 3 ? Integer.parseInt(args[3]) : 10_000;
        int messageSize = args.length > 4 ? Integer.parseInt(args[4]) : 64;
        System.out.println("libquiche: " + QuicheLibrary.info());
        for (E2eSystem system : List.of(new SeedGlobalLockSystem(), new SeedQueueMutexSystem())) {
            BulkResult bulk = system.bulk(new BulkSpec(streams, bulkMiB << 20, chunk, "n/a"));
            System.out.printf("%-17s bulk %d MiB x%d streams: %.0f Mbit/s, cpu %.2f s, loop alloc %.0f B/MiB%n",
                    system.name(), bulkMiB, streams, bulk.mbitPerSecond(), bulk.cpuSeconds(), bulk.loopBytesAllocatedPerMiB());
            PingPongResult pp = system.pingPong(new PingPongSpec(messageSize, Math.max(100, count / 10), count, "n/a"));
            System.out.printf("%-17s ping-pong %d B x%d: p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us%n",
                    system.name(), messageSize, count, pp.percentileMicros(50), pp.percentileMicros(99), pp.percentileMicros(99.9),
                    pp.roundTripNanos().getMaxValue() / 1000.0);
            SeedResult seed = system.seed(SeedSpec.DEFAULT);
            System.out.printf("%-17s seed %s: completed %s, %d/%d B, throughput peak %.2f avg %.2f Mbit/s, "
                            + "rtt min/avg/max %.0f/%.0f/%.0f us, cwnd max %d B, packets sent %d recv %d lost %d%n",
                    system.name(), SeedSpec.DEFAULT, seed.completed(), seed.bytesEchoed(), seed.bytesSent(),
                    seed.throughputPeakMbit(), seed.throughputAvgMbit(), seed.rttMinMicros(), seed.rttAvgMicros(),
                    seed.rttMaxMicros(), seed.cwndMaxBytes(), seed.packetsSent(), seed.packetsReceived(), seed.packetsLost());
        }
    }
}
