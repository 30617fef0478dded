package io.quicheengine.testing;

import static io.quicheengine.testing.Direction.CLIENT_TO_SERVER;
import static io.quicheengine.testing.Direction.SERVER_TO_CLIENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FaultInjectingRelayTest {
    private static final Duration WAIT = Duration.ofSeconds(3);

    @RegisterExtension
    final RelaySeedReporter seeds = new RelaySeedReporter();

    @Test
    void cleanProfileForwardsEveryDatagramBothWaysByteExact() throws Exception {
        Random random = new Random(1);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            int size = i == 500 ? 65_507 : i % 100 == 0 ? 0 : 4 + random.nextInt(1400);
            sent.add(datagram(i, size, random));
        }
        try (UdpPeer server = UdpPeer.echo();
             FaultInjectingRelay relay = seeds.track(FaultInjectingRelay.builder().target(server.address()).build());
             UdpPeer client = UdpPeer.sink()) {
            for (int from = 0; from < sent.size(); from += 32) {
                int to = Math.min(sent.size(), from + 32);
                for (int i = from; i < to; i++) {
                    client.send(relay.address(), sent.get(i));
                }
                assertThat(client.awaitCount(to, WAIT)).as(relay.describe()).isTrue();
            }

            RelayCounters s2c = relay.counters(SERVER_TO_CLIENT);
            assertThat(UdpPeer.await(() -> s2c.received() == 1000 && s2c.unaccounted() == 0, WAIT)).isTrue();
            assertThat(buffers(client.received())).as(relay.describe()).isEqualTo(buffers(sent));
            assertThat(buffers(server.received())).as(relay.describe()).isEqualTo(buffers(sent));
            for (Direction d : Direction.values()) {
                RelayCounters c = relay.counters(d);
                assertThat(c.received()).as(relay.describe()).isEqualTo(1000);
                assertThat(c.forwarded()).as(relay.describe()).isEqualTo(1000);
                assertThat(c.dropped() + c.duplicated() + c.reordered() + c.corrupted() + c.clamped()
                        + c.blackholed() + c.failed() + c.held()).as(relay.describe()).isZero();
            }
            assertThat(relay.clients()).isEqualTo(1);
        }
    }

    @Test
    void dropThirtyPercentDropsAboutThirtyPercentAndCountersAddUp() throws Exception {
        try (UdpPeer server = UdpPeer.sink();
             FaultInjectingRelay relay = seeds.track(FaultInjectingRelay.builder()
                     .target(server.address())
                     .clientToServer(FaultProfile.builder().drop(0.3).build())
                     .build());
             UdpPeer client = UdpPeer.sink()) {
            List<byte[]> sent = sendPaced(client, relay, server, 3000, 100, i -> datagram(i, 100, null));

            RelayCounters c = relay.counters(CLIENT_TO_SERVER);
            assertThat(c.received()).as(relay.describe()).isEqualTo(sent.size());
            assertThat((double) c.dropped() / c.received()).as(relay.describe()).isBetween(0.25, 0.35);
            assertThat(c.forwarded() + c.dropped()).as(relay.describe()).isEqualTo(c.received());
            assertThat(c.unaccounted()).isZero();
            assertThat(server.count()).as(relay.describe()).isEqualTo(c.forwarded());
            assertThat(relay.counters(SERVER_TO_CLIENT).received()).isZero();
        }
    }

    @Test
    void duplicationSendsExtraCopiesRightAfterTheOriginal() throws Exception {
        try (UdpPeer server = UdpPeer.sink();
             FaultInjectingRelay relay = seeds.track(FaultInjectingRelay.builder()
                     .target(server.address())
                     .clientToServer(FaultProfile.builder().duplicate(0.2).build())
                     .build());
             UdpPeer client = UdpPeer.sink()) {
            sendPaced(client, relay, server, 1000, 50, i -> datagram(i, 64, null));

            RelayCounters c = relay.counters(CLIENT_TO_SERVER);
            List<byte[]> got = server.received();
            Map<Integer, Integer> copies = new HashMap<>();
            for (byte[] d : got) {
                copies.merge(sequence(d), 1, Integer::sum);
            }
            long twice = copies.values().stream().filter(n -> n == 2).count();
            assertThat(copies).as(relay.describe()).hasSize(1000);
            assertThat(copies.values()).as(relay.describe()).allMatch(n -> n == 1 || n == 2);
            assertThat(twice).as(relay.describe()).isEqualTo(c.duplicated());
            assertThat(c.duplicated()).as(relay.describe()).isBetween(120L, 280L);
            assertThat(got).as(relay.describe()).hasSize((int) (c.forwarded() + c.duplicated()));
            assertThat(c.forwarded()).isEqualTo(1000);
            for (int i = 1; i < got.size(); i++) { // a copy follows its original directly
                assertThat(sequence(got.get(i))).isGreaterThanOrEqualTo(sequence(got.get(i - 1)));
            }
        }
    }

    @Test
    void reorderLetsLaterDatagramsOvertakeHeldOnes() throws Exception {
        try (UdpPeer server = UdpPeer.sink();
             FaultInjectingRelay relay = seeds.track(FaultInjectingRelay.builder()
                     .target(server.address())
                     .clientToServer(FaultProfile.builder().reorder(0.1, Duration.ofMillis(20)).build())
                     .build());
             UdpPeer client = UdpPeer.sink()) {
            RelayCounters c = relay.counters(CLIENT_TO_SERVER);
            for (int i = 0; i < 500; i++) {
                client.send(relay.address(), datagram(i, 64, null));
                if (i % 25 == 24) {
                    int sentSoFar = i + 1;
                    UdpPeer.await(() -> c.received() >= sentSoFar, WAIT);
                }
            }
            assertThat(UdpPeer.await(settled(relay, server, 500), WAIT)).as(relay.describe()).isTrue();

            List<Integer> order = server.received().stream().map(FaultInjectingRelayTest::sequence).toList();
            int overtaken = 0;
            int highest = -1;
            for (int seq : order) {
                if (seq < highest) {
                    overtaken++;
                }
                highest = Math.max(highest, seq);
            }
            assertThat(new HashSet<>(order)).as(relay.describe()).hasSize(500);
            assertThat(overtaken).as(relay.describe()).isPositive();
            assertThat(c.reordered()).as(relay.describe()).isBetween(20L, 90L);
            assertThat(overtaken).as(relay.describe()).isLessThanOrEqualTo((int) c.reordered());
            assertThat(c.forwarded()).isEqualTo(500);
            assertThat(c.held()).isZero();
            assertThat(c.unaccounted()).isZero();
        }
    }

    @Test
    void corruptionFlipsOneToMaxBitsButNeverChangesLength() throws Exception {
        try (UdpPeer server = UdpPeer.sink();
             FaultInjectingRelay relay = seeds.track(FaultInjectingRelay.builder()
                     .target(server.address())
                     .clientToServer(FaultProfile.builder().corrupt(0.2, 3).build())
                     .build());
             UdpPeer client = UdpPeer.sink()) {
            Random random = new Random(2);
            List<byte[]> sent = sendPaced(client, relay, server, 1000, 50, i -> datagram(i, 1 + random.nextInt(300), random));

            RelayCounters c = relay.counters(CLIENT_TO_SERVER);
            List<byte[]> got = server.received();
            assertThat(got).as(relay.describe()).hasSameSizeAs(sent);
            int changed = 0;
            for (int i = 0; i < sent.size(); i++) {
                assertThat(got.get(i)).as("length of datagram %d", i).hasSameSizeAs(sent.get(i));
                int flipped = bitDistance(sent.get(i), got.get(i));
                assertThat(flipped).as("bits flipped in datagram %d", i).isBetween(0, 3);
                if (flipped > 0) {
                    changed++;
                }
            }
            assertThat(changed).as(relay.describe()).isEqualTo((int) c.corrupted());
            assertThat(c.corrupted()).as(relay.describe()).isBetween(140L, 260L);
            assertThat(c.forwarded()).isEqualTo(1000);
        }
    }

    @Test
    void maxDatagramSizeDropsOnlyLargerDatagramsInEachDirection() throws Exception {
        int[] sizes = {100, 1200, 1201, 1500, 9000};
        try (UdpPeer server = UdpPeer.sink();
             FaultInjectingRelay relay = seeds.track(FaultInjectingRelay.builder()
                     .target(server.address())
                     .clientToServer(FaultProfile.builder().maxDatagramSize(1200).build())
                     .build());
             UdpPeer client = UdpPeer.sink()) {
            List<byte[]> sent = sendPaced(client, relay, server, 200, 50, i -> datagram(i, sizes[i % sizes.length], null));

            List<ByteBuffer> small = buffers(sent.stream().filter(d -> d.length <= 1200).toList());
            assertThat(buffers(server.received())).as(relay.describe()).isEqualTo(small);
            assertThat(relay.counters(CLIENT_TO_SERVER).clamped()).as(relay.describe()).isEqualTo(120);
        }
        try (UdpPeer server = UdpPeer.echo();
             FaultInjectingRelay relay = seeds.track(FaultInjectingRelay.builder()
                     .target(server.address())
                     .serverToClient(FaultProfile.builder().maxDatagramSize(1200).build())
                     .build());
             UdpPeer client = UdpPeer.sink()) {
            client.send(relay.address(), datagram(1, 1201, null));
            client.send(relay.address(), datagram(2, 1200, null));
            assertThat(server.awaitCount(2, WAIT)).as(relay.describe()).isTrue();
            assertThat(client.awaitCount(1, WAIT)).as(relay.describe()).isTrue();
            RelayCounters s2c = relay.counters(SERVER_TO_CLIENT);
            assertThat(UdpPeer.await(() -> s2c.received() == 2 && s2c.unaccounted() == 0, WAIT)).isTrue();
            assertThat(client.received()).singleElement().extracting(d -> d.length).isEqualTo(1200);
            assertThat(relay.counters(SERVER_TO_CLIENT).clamped()).as(relay.describe()).isEqualTo(1);
        }
    }

    @Test
    void blackholeWindowDropsEverythingThenForwardingResumes() throws Exception {
        try (UdpPeer server = UdpPeer.echo();
             FaultInjectingRelay relay = seeds.track(FaultInjectingRelay.builder().target(server.address()).build());
             UdpPeer client = UdpPeer.sink()) {
            client.send(relay.address(), datagram(0, 32, null));
            assertThat(client.awaitCount(1, WAIT)).as(relay.describe()).isTrue();

            Duration window = Duration.ofMillis(600);
            long start = System.nanoTime();
            relay.blackhole(window);
            for (int i = 1; i <= 20; i++) {
                client.send(relay.address(), datagram(i, 32, null));
            }
            RelayCounters c2s = relay.counters(CLIENT_TO_SERVER);
            assertThat(UdpPeer.await(() -> c2s.received() == 21 && c2s.unaccounted() == 0, WAIT))
                    .as(relay.describe()).isTrue();
            long consumedAfterMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(consumedAfterMillis).as("machine too slow for this test's window").isLessThan(500);
            assertThat(c2s.blackholed()).as(relay.describe()).isEqualTo(20);
            assertThat(server.count()).as(relay.describe()).isEqualTo(1);

            Thread.sleep(Math.max(0, window.toMillis() + 20 - (System.nanoTime() - start) / 1_000_000));
            client.send(relay.address(), datagram(21, 32, null));
            assertThat(client.awaitCount(2, WAIT)).as(relay.describe()).isTrue();
            assertThat(sequence(client.received().get(1))).isEqualTo(21);
            assertThat(c2s.forwarded()).isEqualTo(2);
            assertThat(relay.counters(SERVER_TO_CLIENT).blackholed()).isZero();
        }
    }

    @Test
    void blackholeSwitchOnOneDirectionLetsRequestsThroughButNotReplies() throws Exception {
        try (UdpPeer server = UdpPeer.echo();
             FaultInjectingRelay relay = seeds.track(FaultInjectingRelay.builder().target(server.address()).build());
             UdpPeer client = UdpPeer.sink()) {
            relay.setBlackhole(SERVER_TO_CLIENT, true);
            for (int i = 0; i < 5; i++) {
                client.send(relay.address(), datagram(i, 32, null));
            }
            assertThat(server.awaitCount(5, WAIT)).as(relay.describe()).isTrue();
            assertThat(UdpPeer.await(() -> relay.counters(SERVER_TO_CLIENT).blackholed() == 5, WAIT))
                    .as(relay.describe()).isTrue();
            assertThat(client.count()).isZero();

            relay.setBlackhole(SERVER_TO_CLIENT, false);
            client.send(relay.address(), datagram(5, 32, null));
            assertThat(client.awaitCount(1, WAIT)).as(relay.describe()).isTrue();
            assertThat(sequence(client.received().getFirst())).isEqualTo(5);
        }
    }

    @Test
    void setProfileChangesTheFaultsOfLaterDatagrams() throws Exception {
        try (UdpPeer server = UdpPeer.sink();
             FaultInjectingRelay relay = seeds.track(FaultInjectingRelay.builder().target(server.address()).build());
             UdpPeer client = UdpPeer.sink()) {
            sendPaced(client, relay, server, 10, 10, i -> datagram(i, 32, null));
            assertThat(server.count()).isEqualTo(10);

            relay.setProfile(CLIENT_TO_SERVER, FaultProfile.builder().drop(1.0).build());
            assertThat(relay.profile(CLIENT_TO_SERVER).drop()).isEqualTo(1.0);
            sendPaced(client, relay, server, 10, 10, i -> datagram(10 + i, 32, null));
            assertThat(UdpPeer.await(settled(relay, server, 20), WAIT)).as(relay.describe()).isTrue();

            assertThat(server.count()).as(relay.describe()).isEqualTo(10);
            assertThat(relay.counters(CLIENT_TO_SERVER).dropped()).as(relay.describe()).isEqualTo(10);
        }
    }

    @Test
    void sameSeedAndInputGiveTheSameDecisionsAndAnotherSeedDoesNot() throws Exception {
        FaultProfile profile = FaultProfile.builder().drop(0.3).duplicate(0.1).corrupt(0.1, 4).build();
        try (UdpPeer sinkA = UdpPeer.sink();
             UdpPeer sinkB = UdpPeer.sink();
             UdpPeer sinkC = UdpPeer.sink();
             FaultInjectingRelay a = seeds.track(relay(sinkA, profile, 7));
             FaultInjectingRelay b = seeds.track(relay(sinkB, profile, 7));
             FaultInjectingRelay other = seeds.track(relay(sinkC, profile, 8));
             UdpPeer client = UdpPeer.sink()) {
            Random random = new Random(3);
            for (int i = 0; i < 1000; i++) {
                byte[] d = datagram(i, 16 + random.nextInt(200), random);
                client.send(a.address(), d);
                client.send(b.address(), d);
                client.send(other.address(), d);
                if (i % 50 == 49) {
                    assertThat(UdpPeer.await(settled(a, sinkA, i + 1), WAIT)).as(a.describe()).isTrue();
                    assertThat(UdpPeer.await(settled(b, sinkB, i + 1), WAIT)).as(b.describe()).isTrue();
                    assertThat(UdpPeer.await(settled(other, sinkC, i + 1), WAIT)).as(other.describe()).isTrue();
                }
            }

            assertThat(buffers(sinkB.received())).as(a.describe() + "\n" + b.describe())
                    .isEqualTo(buffers(sinkA.received()));
            assertThat(b.counters(CLIENT_TO_SERVER).toString()).isEqualTo(a.counters(CLIENT_TO_SERVER).toString());
            assertThat(buffers(sinkC.received())).as(other.describe()).isNotEqualTo(buffers(sinkA.received()));
        }
    }

    @Test
    void manyClientPortsEachGetTheirOwnRepliesAndTheClientMapStaysBounded() throws Exception {
        List<UdpPeer> clients = new ArrayList<>();
        try (UdpPeer server = UdpPeer.echo();
             FaultInjectingRelay relay = seeds.track(FaultInjectingRelay.builder()
                     .target(server.address())
                     .maxClients(8)
                     .socketBufferBytes(256 << 10)
                     .build())) {
            for (int i = 0; i < 40; i++) {
                clients.add(UdpPeer.sink());
            }
            for (int i = 0; i < clients.size(); i++) { // one at a time: an evicted client loses late replies
                UdpPeer client = clients.get(i);
                client.send(relay.address(), datagram(i, 48, null));
                assertThat(client.awaitCount(1, WAIT)).as("client %d: %s", i, relay.describe()).isTrue();
                assertThat(client.received()).singleElement().extracting(FaultInjectingRelayTest::sequence)
                        .isEqualTo(i);
            }
            assertThat(relay.clients()).isEqualTo(8);
            assertThat(relay.evictedClients()).isEqualTo(32);

            // an evicted client that speaks again gets a fresh upstream socket and its reply
            clients.getFirst().send(relay.address(), datagram(100, 48, null));
            assertThat(clients.getFirst().awaitCount(2, WAIT)).as(relay.describe()).isTrue();
            assertThat(relay.evictedClients()).isEqualTo(33);
        } finally {
            for (UdpPeer client : clients) {
                client.close();
            }
        }
    }

    @Test
    void closeStopsTheThreadAndFreesThePortPromptly() throws Exception {
        try (UdpPeer server = UdpPeer.echo(); UdpPeer client = UdpPeer.sink()) {
            FaultInjectingRelay relay = seeds.track(FaultInjectingRelay.builder()
                    .target(server.address())
                    .clientToServer(FaultProfile.builder().reorder(1.0, Duration.ofSeconds(10)).build())
                    .build());
            client.send(relay.address(), datagram(0, 32, null));
            assertThat(UdpPeer.await(() -> relay.counters(CLIENT_TO_SERVER).held() == 1, WAIT)).isTrue();
            InetSocketAddress address = relay.address();

            long start = System.nanoTime();
            relay.close();
            long closeMillis = (System.nanoTime() - start) / 1_000_000;

            assertThat(closeMillis).isLessThan(500);
            assertThat(relay.isRunning()).isFalse();
            assertThat(relay.failure()).isNull();
            try (DatagramChannel rebound = DatagramChannel.open()) {
                rebound.bind(address); // would throw if the relay still held its port
            }
            assertThat(relay.counters(CLIENT_TO_SERVER).held()).isEqualTo(1); // discarded, still counted
            relay.close(); // idempotent
        }
    }

    @Test
    void toStringShowsSeedAndProfilesAndTheSeedComesFromRelaySeedProperty() throws Exception {
        try (UdpPeer server = UdpPeer.sink()) {
            FaultProfile lossy = FaultProfile.builder().drop(0.05).reorder(0.05, Duration.ofMillis(20)).build();
            try (FaultInjectingRelay relay = FaultInjectingRelay.builder()
                    .target(server.address()).seed(42).clientToServer(lossy).build()) {
                assertThat(relay.seed()).isEqualTo(42);
                assertThat(relay.toString()).contains("seed=42", "set by the test", "c2s={drop=0.05",
                        "reorder=0.05 (<= 20 ms)", "s2c=clean", String.valueOf(relay.address().getPort()));
                assertThat(relay.describe()).contains("c2s: received=0", "s2c: received=0");
            }
            String previous = System.getProperty("relay.seed");
            try {
                System.setProperty("relay.seed", "-123456789");
                try (FaultInjectingRelay relay = FaultInjectingRelay.builder().target(server.address()).build()) {
                    assertThat(relay.seed()).isEqualTo(-123456789L);
                    assertThat(relay.toString()).contains("-Drelay.seed=-123456789");
                }
                System.setProperty("relay.seed", "not-a-number");
                assertThatThrownBy(() -> FaultInjectingRelay.builder().target(server.address()).build())
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("relay.seed")
                        .hasMessageContaining("not-a-number");
                System.clearProperty("relay.seed");
                try (FaultInjectingRelay r1 = FaultInjectingRelay.builder().target(server.address()).build();
                     FaultInjectingRelay r2 = FaultInjectingRelay.builder().target(server.address()).build()) {
                    assertThat(r1.seed()).isNotEqualTo(r2.seed());
                    assertThat(r1.toString()).contains("from random, replay with -Drelay.seed=" + r1.seed());
                }
            } finally {
                if (previous == null) {
                    System.clearProperty("relay.seed");
                } else {
                    System.setProperty("relay.seed", previous);
                }
            }
        }
    }

    @Test
    void badRelayConfigurationThrowsNamingTheParameter() throws Exception {
        assertThatThrownBy(() -> FaultInjectingRelay.builder().maxClients(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxClients must be >= 1, was 0");
        assertThatThrownBy(() -> FaultInjectingRelay.builder().socketBufferBytes(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("socketBufferBytes must be >= 0, was -1");
        assertThatThrownBy(() -> FaultInjectingRelay.builder().target(InetSocketAddress.createUnresolved("nowhere", 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("target ");
        assertThatThrownBy(() -> FaultInjectingRelay.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("target");
        try (UdpPeer server = UdpPeer.sink();
             FaultInjectingRelay relay = FaultInjectingRelay.builder().target(server.address()).build()) {
            assertThatThrownBy(() -> relay.blackhole(Duration.ofMillis(-1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("duration must be >= 0");
        }
    }

    @Test
    void seedReporterAttachesTheRelayDescriptionToAFailure() throws Exception {
        RelaySeedReporter reporter = new RelaySeedReporter();
        try (UdpPeer server = UdpPeer.sink();
             FaultInjectingRelay relay = reporter.track(
                     FaultInjectingRelay.builder().target(server.address()).seed(4242).build())) {
            AssertionError failure = new AssertionError("expected 3 but was 2");
            assertThatThrownBy(() -> reporter.handleTestExecutionException(null, failure)).isSameAs(failure);
            assertThat(failure.getSuppressed()).singleElement()
                    .extracting(Throwable::getMessage).asString()
                    .contains("seed=" + relay.seed(), "c2s: received=0");
            assertThat(relay.seed()).isEqualTo(4242);
        }
    }

    // ---- helpers ----

    private static FaultInjectingRelay relay(UdpPeer target, FaultProfile c2s, long seed) {
        return FaultInjectingRelay.builder().target(target.address()).seed(seed).clientToServer(c2s).build();
    }

    /**
     * Sends {@code count} datagrams client to server through the relay, {@code burst} at a time, each
     * burst waiting until the relay has read and decided it and the server has everything the relay
     * sent, so no datagram is lost to a full socket buffer and every difference is the relay's doing.
     */
    private static List<byte[]> sendPaced(UdpPeer client, FaultInjectingRelay relay, UdpPeer server, int count,
                                          int burst, IntFunction<byte[]> datagrams) {
        RelayCounters c = relay.counters(CLIENT_TO_SERVER);
        long before = c.received();
        List<byte[]> sent = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] d = datagrams.apply(i);
            sent.add(d);
            client.send(relay.address(), d);
            if (i % burst == burst - 1 || i == count - 1) {
                assertThat(UdpPeer.await(settled(relay, server, before + i + 1), WAIT)).as(relay.describe()).isTrue();
            }
        }
        return sent;
    }

    /**
     * True once the relay has read {@code sent} datagrams in all client to server, decided all of them,
     * and {@code server} has received everything the relay sent it.
     */
    private static BooleanSupplier settled(FaultInjectingRelay relay, UdpPeer server, long sent) {
        RelayCounters c = relay.counters(CLIENT_TO_SERVER);
        return () -> c.received() == sent && c.unaccounted() == 0 && c.held() == 0
                && server.count() == arrivals(relay);
    }

    private static int arrivals(FaultInjectingRelay relay) {
        RelayCounters c = relay.counters(CLIENT_TO_SERVER);
        return (int) (c.forwarded() + c.duplicated());
    }

    /** A datagram starting with its sequence number (when it has room), the rest random or zero. */
    private static byte[] datagram(int sequence, int size, Random random) {
        byte[] d = new byte[size];
        if (random != null) {
            random.nextBytes(d);
        }
        if (size >= 4) {
            ByteBuffer.wrap(d).putInt(0, sequence);
        }
        return d;
    }

    private static int sequence(byte[] datagram) {
        return ByteBuffer.wrap(datagram).getInt(0);
    }

    private static List<ByteBuffer> buffers(List<byte[]> datagrams) {
        return datagrams.stream().map(ByteBuffer::wrap).toList();
    }

    private static int bitDistance(byte[] a, byte[] b) {
        int bits = 0;
        for (int i = 0; i < a.length; i++) {
            bits += Integer.bitCount((a[i] ^ b[i]) & 0xff);
        }
        return bits;
    }
}
