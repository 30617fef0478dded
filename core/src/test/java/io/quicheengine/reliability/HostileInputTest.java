package io.quicheengine.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.quicheengine.EngineStats;
import io.quicheengine.QuicConnection;
import io.quicheengine.TransportSettings;
import io.quicheengine.testing.Direction;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * An attacker fires random and mutated datagrams at a server (from several source ports) while a
 * legitimate client keeps echoing data through it and newcomers keep handshaking. The corpus is real: the legitimate connection
 * runs through a recording {@link UdpTap}, which captures its Initial, Handshake and 1-RTT packets
 * in both directions; {@link PacketMutator} mutates them. The server must report no error, keep
 * every legitimate byte exact, and afterwards hold only the legitimate connection and no more
 * rings, chunks or streams than before. Seed: {@code -Dreliability.fuzz.seed=N} replays a run.
 */
class HostileInputTest {
    private static final int DATAGRAMS = ReliabilityScale.FUZZ_DATAGRAMS;
    private static final int ATTACKER_PORTS = 4;
    /** Datagrams per second the attacker aims at: about what the server's loop handles on two shared cores. */
    private static final int RATE = Integer.getInteger("reliability.fuzz.rate", 20_000);
    private static final Duration SERVER_IDLE = Duration.ofSeconds(3);

    @Test
    void serverSurvivesMutatedAndRandomDatagramsWhileServingALegitimateTransfer() throws Exception {
        long seed = Long.getLong("reliability.fuzz.seed", ThreadLocalRandom.current().nextLong());
        String replay = "fuzz seed " + seed + " (replay with -Dreliability.fuzz.seed=" + seed + ")";
        System.out.println(replay);
        TransportSettings serverTransport = TransportSettings.builder().idleTimeout(SERVER_IDLE).build();
        try (Peers peers = Peers.builder().serverTransport(serverTransport).build();
             UdpTap tap = UdpTap.forwarding(peers.server.localAddress())) {
            QuicConnection legit = peers.connect(tap.address(), Duration.ofSeconds(10));
            EchoTransfer.Result warmup = new EchoTransfer().run(legit, 2, 64 * 1024, seed, Duration.ofSeconds(30), () -> replay);
            assertThat(warmup.exact()).isTrue();
            List<byte[]> corpus = corpus(tap.captured());
            byte[] liveId = liveServerId(tap.captured());
            System.out.println("corpus: " + corpus.size() + " datagrams, " + census(corpus));
            assertThat(census(corpus)).as("the corpus has every packet kind").contains("Initial", "Handshake", "short");

            Wait.until(() -> peers.serverEngine.stats().liveStreams() == 0, Duration.ofSeconds(10),
                    () -> "warm-up streams collected: " + peers.serverEngine.stats());
            EngineStats before = peers.serverEngine.stats();
            int connectionsBefore = peers.server.connectionCount();

            AtomicBoolean attacking = new AtomicBoolean(true);
            AtomicLong legitBytes = new AtomicLong();
            AtomicLong legitRounds = new AtomicLong();
            AtomicLong handshakes = new AtomicLong();
            CompletableFuture<Void> legitimate = CompletableFuture.runAsync(() -> {
                while (attacking.get()) {
                    // A newcomer handshakes in the middle of the attack...
                    QuicConnection newcomer = peers.connect(peers.server.localAddress(), Duration.ofSeconds(30));
                    EchoTransfer.Result small = new EchoTransfer().run(newcomer, 1, 16 * 1024, seed, Duration.ofSeconds(60), () -> replay);
                    assertThat(small.exact()).as("newcomer %d byte-exact; %s", handshakes.get(), replay).isTrue();
                    newcomer.close();
                    handshakes.incrementAndGet();
                    // ...and the long-lived connection keeps moving data.
                    EchoTransfer.Result round = new EchoTransfer().run(legit, 4, 256 * 1024, seed + legitRounds.get(),
                            Duration.ofSeconds(120), () -> replay);
                    assertThat(round.exact()).as("legitimate round %d byte-exact; %s", legitRounds.get(), replay).isTrue();
                    legitBytes.addAndGet(round.bytesEchoed() + small.bytesEchoed());
                    legitRounds.incrementAndGet();
                }
            });

            PacketMutator mutator = new PacketMutator(corpus, liveId, seed);
            long[] kernelBefore = UdpKernelCounters.read();
            long sendStart = System.nanoTime();
            long sent = attack(peers.server.localAddress(), mutator, DATAGRAMS);
            long sendNanos = System.nanoTime() - sendStart;
            attacking.set(false);
            legitimate.get();
            double rate = sent / (sendNanos / 1e9);
            System.out.printf("fuzz: %d datagrams in %d ms = %.0f datagrams/s; kinds %s%n", sent, sendNanos / 1_000_000, rate, mutator.counts());
            long[] kernelAfter = UdpKernelCounters.read();
            System.out.println("kernel (whole machine, approximate): " + UdpKernelCounters.describe(kernelBefore, kernelAfter));
            System.out.println("legitimate: " + legitRounds.get() + " rounds, " + handshakes.get() + " newcomer handshakes, " + legitBytes.get()
                    + " bytes echoed byte-exact during the attack");
            System.out.println("server stats after the attack: " + peers.server.stats() + " engine " + peers.serverEngine.stats());

            assertThat(legitRounds.get()).as("at least one legitimate round ran during the attack").isPositive();
            assertThat(handshakes.get()).as("at least one newcomer handshook during the attack").isPositive();
            assertThat(peers.errors.all()).as("engine errors; %s", replay).isEmpty();
            assertThat(legit.isEstablished()).as("the legitimate connection is still up: %s", legit.closeReason()).isTrue();

            // Half-open connections the attack created must go away on their own (server idle timeout 3 s).
            Wait.until(() -> peers.server.connectionCount() == connectionsBefore, SERVER_IDLE.multipliedBy(4),
                    () -> "the server to hold only the legitimate connection again; it holds " + peers.server.connectionCount()
                            + " (" + peers.server.stats() + ", " + peers.serverEngine.stats() + "); " + replay);
            Wait.until(() -> peers.serverEngine.stats().liveStreams() == 0, Duration.ofSeconds(10),
                    () -> "legitimate streams collected: " + peers.serverEngine.stats());
            EngineStats after = peers.serverEngine.stats();
            assertThat(after.liveConnections()).as("%s", after).isEqualTo(before.liveConnections());
            assertThat(after.readRingsInUse()).as("%s", after).isEqualTo(before.readRingsInUse());
            assertThat(after.pendingChunksInUse()).as("%s", after).isEqualTo(before.pendingChunksInUse());
            assertThat(after.quicheConfigs()).as("%s", after).isEqualTo(before.quicheConfigs());

            // And the server still serves newcomers.
            QuicConnection newcomer = peers.connect();
            assertThat(new EchoTransfer().run(newcomer, 1, 64 * 1024, seed, Duration.ofSeconds(30), () -> replay).exact()).isTrue();
            newcomer.close();
            legit.close();
            assertThat(peers.errors.all()).as("engine errors; %s", replay).isEmpty();
        }
    }

    /** Sends {@code count} hostile datagrams round-robin from several ports; returns how many were sent. */
    private static long attack(InetSocketAddress server, PacketMutator mutator, int count) throws IOException {
        List<DatagramChannel> channels = new ArrayList<>();
        try {
            for (int i = 0; i < ATTACKER_PORTS; i++) {
                DatagramChannel channel = DatagramChannel.open();
                channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                channels.add(channel);
            }
            ByteBuffer buffer = ByteBuffer.allocateDirect(65_535);
            long start = System.nanoTime();
            long sent = 0;
            for (int i = 0; i < count; i++) {
                byte[] datagram = mutator.next();
                buffer.clear();
                buffer.put(datagram).flip();
                channels.get(i % ATTACKER_PORTS).send(buffer, server);
                sent++;
                if ((i & 63) == 63) {
                    // Paced, so that the server's loop (not the kernel's full socket buffer) meets most of them.
                    long due = start + (long) (sent * 1e9 / RATE);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                }
            }
            return sent;
        } finally {
            for (DatagramChannel channel : channels) {
                channel.close();
            }
        }
    }

    /** Every captured datagram, and each packet of the coalesced ones on its own. */
    private static List<byte[]> corpus(List<UdpTap.Datagram> captured) {
        List<byte[]> corpus = new ArrayList<>();
        for (UdpTap.Datagram d : captured) {
            corpus.add(d.bytes());
            List<byte[]> packets = QuicPackets.split(d.bytes());
            if (packets.size() > 1) {
                corpus.addAll(packets);
            }
        }
        return corpus;
    }

    /** The server's connection id as the legitimate client addresses it: bytes 1..16 of a client 1-RTT packet. */
    private static byte[] liveServerId(List<UdpTap.Datagram> captured) {
        for (UdpTap.Datagram d : captured) {
            if (d.direction() == Direction.CLIENT_TO_SERVER && !QuicPackets.isLongHeader(d.bytes()) && d.bytes().length > 17) {
                return Arrays.copyOfRange(d.bytes(), 1, 17);
            }
        }
        return null;
    }

    private static String census(List<byte[]> corpus) {
        java.util.Map<String, Integer> kinds = new java.util.TreeMap<>();
        for (byte[] p : corpus) {
            kinds.merge(QuicPackets.describe(p).replaceAll("\\(.*", ""), 1, Integer::sum);
        }
        return kinds.toString();
    }
}
