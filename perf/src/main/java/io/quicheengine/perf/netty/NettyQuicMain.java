package io.quicheengine.perf.netty;

import io.quicheengine.perf.e2e.BulkResult;
import io.quicheengine.perf.e2e.BulkSpec;
import io.quicheengine.perf.e2e.PingPongResult;
import io.quicheengine.perf.e2e.PingPongSpec;
import io.quicheengine.perf.e2e.SeedResult;
import io.quicheengine.perf.e2e.SeedSpec;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;

import static io.quicheengine.perf.e2e.CliValues.address;
import static io.quicheengine.perf.e2e.CliValues.commaList;

/**
 * Runs the three Netty QUIC scenarios once with small defaults and prints the results. Options
 * (all optional): {@code --bulk-mib 64 --streams 1,16 --chunk 16384 --message 64 --warmup 2000
 * --pings 10000 --seed-bps 200000 --seed-seconds 5 --sink host:port --echo host:port}
 * ({@code --sink}/{@code --echo}: use servers started with {@link NettyQuicServerMain}). Called
 * from the main thread only.
 */
public final class NettyQuicMain {
    private NettyQuicMain() {
    }

    /** Runs bulk (for each stream count), ping-pong and seed once each and prints one line per run. */
    public static void main(String[] args) throws Exception {
        long bulkMiB = 64;
        List<Integer> streams = List.of(1, 16);
        int chunk = 16 * 1024;
        int message = 64;
        int warmup = 2_000;
        int pings = 10_000;
        long seedBps = SeedSpec.DEFAULT.bytesPerSecond();
        int seedSeconds = SeedSpec.DEFAULT.seconds();
        InetSocketAddress sink = null;
        InetSocketAddress echo = null;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            String v = args[i + 1];
            switch (args[i]) {
                case "--bulk-mib" -> bulkMiB = Long.parseLong(v);
                case "--streams" -> streams = commaList(v, Integer::parseInt);
                case "--chunk" -> chunk = Integer.parseInt(v);
                case "--message" -> message = Integer.parseInt(v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--pings" -> pings = Integer.parseInt(v);
                case "--seed-bps" -> seedBps = Long.parseLong(v);
                case "--seed-seconds" -> seedSeconds = Integer.parseInt(v);
                case "--sink" -> sink = address(v);
                case "--echo" -> echo = address(v);
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }

        NettyQuicSystem system = new NettyQuicSystem();
        for (int n : streams) {
            BulkResult r = system.bulk(new BulkSpec(n, bulkMiB << 20, chunk, "n/a"), sink);
            System.out.printf(Locale.ROOT, "bulk      %-10s streams=%-3d %d MiB: %.0f Mbit/s in %.3f s, cpu %.2f s, loop alloc %.0f B/MiB%n",
                    system.name(), n, bulkMiB, r.mbitPerSecond(), r.nanos() / 1e9, r.cpuSeconds(), r.loopBytesAllocatedPerMiB());
        }
        PingPongResult p = system.pingPong(new PingPongSpec(message, warmup, pings, "n/a"), echo);
        System.out.printf(Locale.ROOT, "pingpong  %-10s %d B x %d: p50 %.1f us, p90 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us%n",
                system.name(), message, pings, p.percentileMicros(50), p.percentileMicros(90), p.percentileMicros(99),
                p.percentileMicros(99.9), p.roundTripNanos().getMaxValue() / 1000.0);
        SeedResult s = system.seed(new SeedSpec(seedBps, seedSeconds), echo);
        System.out.printf(Locale.ROOT, "seed      %-10s %d B/s x %d s: completed=%s sent=%d echoed=%d throughput peak %.2f avg %.2f Mbit/s,"
                        + " rtt min/avg/max %.0f/%.0f/%.0f us, cwnd max %d B, packets sent %d recv %d lost %d%n",
                system.name(), seedBps, seedSeconds, s.completed(), s.bytesSent(), s.bytesEchoed(),
                s.throughputPeakMbit(), s.throughputAvgMbit(), s.rttMinMicros(), s.rttAvgMicros(), s.rttMaxMicros(),
                s.cwndMaxBytes(), s.packetsSent(), s.packetsReceived(), s.packetsLost());
    }
}
