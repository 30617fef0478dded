package io.quicheengine.perf.engine;

import io.quicheengine.QuicEngine;
import io.quicheengine.WaitStrategy;
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
 * Runs the engine's scenarios once per wait strategy and prints one line per run: the quick way to
 * reproduce one figure while working on the engine. Options (all optional): {@code --bulk-mib 64
 * --streams 1,16 --chunk 16384 --strategies busy-spin,yielding,backoff,blocking --message 64
 * --warmup 2000 --pings 10000 --seed-bps 200000 --seed-seconds 5 --skip bulk,pingpong,seed
 * --clients loop,app-thread --sink host:port --echo host:port} ({@code --clients}: where the bulk
 * and ping-pong clients run, {@link ClientThreading}; {@code --sink}/{@code --echo}: servers started
 * with {@link EngineServerMain}, whose wait strategy should match). Main thread only.
 */
public final class EngineMain {
    private EngineMain() {
    }

    public static void main(String[] args) throws Exception {
        long bulkMiB = 64;
        List<Integer> streams = List.of(1, 16);
        int chunk = 16 * 1024;
        List<WaitStrategy> strategies = List.of(WaitStrategy.values());
        int message = 64;
        int warmup = 2_000;
        int pings = 10_000;
        long seedBps = SeedSpec.DEFAULT.bytesPerSecond();
        int seedSeconds = SeedSpec.DEFAULT.seconds();
        String skip = "";
        InetSocketAddress sink = null;
        InetSocketAddress echo = null;
        List<ClientThreading> clients = List.of(ClientThreading.values());
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            String v = args[i + 1];
            switch (args[i]) {
                case "--bulk-mib" -> bulkMiB = Long.parseLong(v);
                case "--streams" -> streams = commaList(v, Integer::parseInt);
                case "--chunk" -> chunk = Integer.parseInt(v);
                case "--strategies" -> strategies = commaList(v, WaitStrategies::parse);
                case "--message" -> message = Integer.parseInt(v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--pings" -> pings = Integer.parseInt(v);
                case "--seed-bps" -> seedBps = Long.parseLong(v);
                case "--seed-seconds" -> seedSeconds = Integer.parseInt(v);
                case "--skip" -> skip = v;
                case "--clients" -> clients = commaList(v, ClientThreading::parse);
                case "--sink" -> sink = address(v);
                case "--echo" -> echo = address(v);
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        System.out.println(QuicEngine.library());
        for (WaitStrategy strategy : strategies) {
            String label = WaitStrategies.label(strategy);
            for (ClientThreading threading : clients) {
                EngineSystem system = new EngineSystem(strategy, null, threading);
                String config = String.format(Locale.ROOT, "%-10s %-10s", label, threading.label());
                if (!skip.contains("bulk")) {
                    for (int n : streams) {
                        BulkResult r = system.bulk(new BulkSpec(n, bulkMiB << 20, chunk, label), sink);
                        System.out.printf(Locale.ROOT, "bulk      %s streams=%-3d %d MiB: %.0f Mbit/s in %.3f s, cpu %.2f s,"
                                        + " loop alloc %.0f B/MiB, writer alloc %.0f B/MiB%n",
                                config, n, bulkMiB, r.mbitPerSecond(), r.nanos() / 1e9, r.cpuSeconds(), r.loopBytesAllocatedPerMiB(),
                                system.lastWriterBytesPerMiB());
                    }
                }
                if (!skip.contains("pingpong")) {
                    PingPongResult p = system.pingPong(new PingPongSpec(message, warmup, pings, label), echo);
                    System.out.printf(Locale.ROOT, "pingpong  %s %d B x %d: p50 %.1f us, p90 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us%n",
                            config, message, pings, p.percentileMicros(50), p.percentileMicros(90), p.percentileMicros(99),
                            p.percentileMicros(99.9), p.roundTripNanos().getMaxValue() / 1000.0);
                }
            }
            if (!skip.contains("seed")) {
                // Paced: always on the application thread (see EngineSystem#seed).
                SeedResult s = new EngineSystem(strategy, null).seed(new SeedSpec(seedBps, seedSeconds), echo);
                System.out.printf(Locale.ROOT, "seed      %-10s %d B/s x %d s: completed=%s echoed=%d/%d, throughput peak %.2f avg %.2f Mbit/s,"
                                + " rtt min/avg/max %.0f/%.0f/%.0f us, cwnd max %d B, packets sent %d recv %d lost %d%n",
                        label, seedBps, seedSeconds, s.completed(), s.bytesEchoed(), s.bytesSent(),
                        s.throughputPeakMbit(), s.throughputAvgMbit(), s.rttMinMicros(), s.rttAvgMicros(), s.rttMaxMicros(),
                        s.cwndMaxBytes(), s.packetsSent(), s.packetsReceived(), s.packetsLost());
            }
        }
    }
}
