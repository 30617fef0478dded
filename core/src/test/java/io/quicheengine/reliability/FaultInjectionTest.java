package io.quicheengine.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quicheengine.QuicConnection;
import io.quicheengine.TransportSettings;
import io.quicheengine.testing.Direction;
import io.quicheengine.testing.FaultInjectingRelay;
import io.quicheengine.testing.FaultProfile;
import io.quicheengine.testing.RelaySeedReporter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Client -> {@link FaultInjectingRelay} -> server, real engines and UDP on 127.0.0.1: transfers stay
 * byte-exact (length and CRC32 per stream) under loss, reordering, duplication, corruption and a
 * blackhole; the handshake survives heavy loss. The transfers are echoes: 8 bidirectional streams
 * each carry {@link ReliabilityScale#FAULT_BYTES_PER_STREAM} bytes to the server and the same bytes
 * back, so both directions cross the faults. A failing test prints the relay's seed (replay with
 * {@code -Drelay.seed=N}).
 */
class FaultInjectionTest {
    private static final int STREAMS = 8;
    private static final int BYTES = ReliabilityScale.FAULT_BYTES_PER_STREAM;
    private static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(ReliabilityScale.FULL ? 600 : 90);

    @RegisterExtension
    final RelaySeedReporter seeds = new RelaySeedReporter();

    @Test
    void eightStreamsStayByteExactUnderLossReorderingAndDuplication() {
        FaultProfile lossy = FaultProfile.builder().drop(0.05).reorder(0.05, Duration.ofMillis(10)).duplicate(0.02).build();
        EchoTransfer.Result result = echoThrough(lossy, TransportSettings.DEFAULTS);
        System.out.println("loss 5% + reorder 5% + duplicate 2%: " + result);
    }

    @Test
    void eightStreamsStayByteExactUnderOnePercentCorruption() {
        FaultProfile corrupt = FaultProfile.builder().corrupt(0.01, 8).build();
        EchoTransfer.Result result = echoThrough(corrupt, TransportSettings.DEFAULTS);
        System.out.println("corruption 1%: " + result);
    }

    /**
     * 30% of datagrams are dropped each way, so about half of all handshake flights lose a packet and
     * quiche must retransmit (PTO, with backoff) several times. The idle timeout is raised to 60 s
     * (and the handshake timeout with it) so that the backoff, not a timer, decides; each handshake gets 60 s. A client is
     * established after only 2-3 datagrams, so all of a few handshakes can escape the loss (once in
     * about 20 runs here): handshakes go on past {@link ReliabilityScale#LOSSY_HANDSHAKES} until one
     * has lost a datagram (at most 20 times as many).
     */
    @Test
    void handshakeCompletesUnderThirtyPercentLoss() {
        TransportSettings patient = TransportSettings.builder().idleTimeout(Duration.ofSeconds(60)).handshakeTimeout(Duration.ofSeconds(60)).build();
        FaultProfile loss = FaultProfile.builder().drop(0.30).build();
        try (Peers peers = Peers.builder().transport(patient).build();
             FaultInjectingRelay relay = seeds.track(FaultInjectingRelay.builder().target(peers.server.localAddress()).bothWays(loss).build())) {
            long slowest = 0;
            long total = 0;
            long droppedDuringHandshakes = 0;
            int handshakes = 0;
            for (int i = 0; i < ReliabilityScale.LOSSY_HANDSHAKES || droppedDuringHandshakes == 0 && i < 20 * ReliabilityScale.LOSSY_HANDSHAKES; i++) {
                long droppedBefore = dropped(relay);
                long start = System.nanoTime();
                QuicConnection connection = peers.connect(relay.address(), Duration.ofSeconds(60));
                long millis = (System.nanoTime() - start) / 1_000_000;
                droppedDuringHandshakes += dropped(relay) - droppedBefore;
                slowest = Math.max(slowest, millis);
                total += millis;
                assertThat(connection.isEstablished()).as(relay.describe()).isTrue();
                assertThat(connection.applicationProtocol()).isEqualTo(Peers.ALPN);
                // The connection then carries data through the same loss.
                EchoTransfer.Result echo = new EchoTransfer().run(connection, 1, 16 * 1024, i, Duration.ofSeconds(60), () -> relay.describe() + "\nengine errors: " + peers.errors.all());
                assertThat(echo.exact()).as(relay.describe()).isTrue();
                connection.close();
                connection.closeFuture().join();
                handshakes++;
            }
            assertThat(droppedDuringHandshakes).as("the %d handshakes themselves lost datagrams\n%s", handshakes, relay.describe()).isPositive();
            assertThat(peers.errors.all()).as(relay.describe()).isEmpty();
            System.out.println("30% loss: " + handshakes + " handshakes (" + droppedDuringHandshakes
                    + " datagrams dropped during them), mean " + total / handshakes + " ms, slowest " + slowest
                    + " ms; " + relay.describe());
        }
    }

    /**
     * Every writer pauses half-way; once the first halves came back, both directions go dark for 3 s
     * and the writers resume into the dark. The idle timeout (15 s)
     * outlasts the blackhole plus quiche's PTO backoff, so the connection must resume and finish
     * byte-exact, and must not have closed meanwhile.
     */
    @Test
    void transferRecoversFromThreeSecondBlackhole() throws Exception {
        TransportSettings transport = TransportSettings.builder().idleTimeout(Duration.ofSeconds(15)).build();
        int bytes = Math.max(256 * 1024, BYTES / 2);
        try (Peers peers = Peers.builder().transport(transport).build();
             FaultInjectingRelay relay = seeds.track(FaultInjectingRelay.builder().target(peers.server.localAddress()).build())) {
            QuicConnection connection = peers.connect(relay.address(), Duration.ofSeconds(10));
            long total = (long) STREAMS * bytes;
            long half = bytes / 2 / (64 * 1024) * (64 * 1024);
            java.util.concurrent.CountDownLatch resume = new java.util.concurrent.CountDownLatch(1);
            EchoTransfer transfer = new EchoTransfer().pauseWritersAt(half, resume);
            var outcome = java.util.concurrent.CompletableFuture.supplyAsync(() -> transfer.run(connection, STREAMS, bytes, relay.seed(),
                    TRANSFER_TIMEOUT, () -> relay.describe() + "\nengine errors: " + peers.errors.all()));
            // The first half of every stream went there and back; the second half is still in the writers' hands.
            Wait.until(() -> transfer.received() == STREAMS * half || outcome.isDone(), TRANSFER_TIMEOUT,
                    () -> "the first halves echoed: " + transfer.received() + "\n" + relay.describe());
            assertThat(outcome.isDone()).as("the transfer waits at the gate\n%s", relay.describe()).isFalse();
            long before = transfer.received();
            long start = System.nanoTime();
            relay.blackhole(Duration.ofSeconds(3));
            resume.countDown();
            Thread.sleep(2_500);
            long during = transfer.received() - before;
            EchoTransfer.Result result = outcome.get();
            long afterMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(result.exact()).as("byte-exact after the blackhole: %s\n%s", result.streams(), relay.describe()).isTrue();
            assertThat(result.bytesEchoed()).isEqualTo(total);
            assertThat(afterMillis).as("the rest of the transfer took at least the blackhole").isGreaterThanOrEqualTo(3_000);
            assertThat(relay.counters(Direction.CLIENT_TO_SERVER).blackholed()).as("datagrams lost in the blackhole\n%s", relay.describe())
                    .isPositive();
            assertThat(during).as("bytes echoed during the blackhole").isZero();
            assertThat(connection.isClosed()).isFalse();
            assertThat(peers.errors.all()).as(relay.describe()).isEmpty();
            System.out.println("3 s blackhole at " + before + " of " + total + " bytes: finished " + afterMillis + " ms after it began; "
                    + result + "; " + relay.describe());
            connection.close();
        }
    }

    /**
     * The mirror image: the server sends (8 streams of downloads) and the client only acknowledges,
     * so after the path comes back only the server's loss-recovery timer (PTO, backed off during the
     * 3 s) can restart the flow. The blackhole starts once a quarter of the download crossed the relay.
     * Run {@link ReliabilityScale#BLACKHOLE_DOWNLOADS} times: with quiche 0.24.5 as published, about
     * one run in ten ended in FLOW_CONTROL_ERROR (empty STREAM frames after the blackhole, counted
     * twice by the receiver; fixed by the project's patch, see ffm-bindings/src/build/patches).
     */
    @Test
    void downloadRecoversFromThreeSecondBlackhole() throws Exception {
        for (int run = 1; run <= ReliabilityScale.BLACKHOLE_DOWNLOADS; run++) {
            downloadThroughBlackhole(run);
        }
    }

    private void downloadThroughBlackhole(int run) throws Exception {
        TransportSettings transport = TransportSettings.builder().idleTimeout(Duration.ofSeconds(15)).build();
        int bytes = Math.max(1 << 20, BYTES);
        try (Peers peers = Peers.builder().transport(transport).serverListener(new DownloadServer()).build();
             FaultInjectingRelay relay = seeds.track(FaultInjectingRelay.builder().target(peers.server.localAddress()).build())) {
            QuicConnection connection = peers.connect(relay.address(), Duration.ofSeconds(10));
            long total = (long) STREAMS * bytes;
            DownloadTransfer download = new DownloadTransfer();
            var outcome = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return download.run(connection, STREAMS, bytes, relay.seed(), TRANSFER_TIMEOUT,
                            () -> relay.describe() + "\nengine errors: " + peers.errors.all());
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            long quarter = total / 1300 / 4;
            Wait.until(() -> relay.counters(Direction.SERVER_TO_CLIENT).forwarded() >= quarter || outcome.isDone(), TRANSFER_TIMEOUT,
                    () -> "a quarter of the download to cross: " + relay.describe());
            assertThat(outcome.isDone()).as("the download must still run when the blackhole starts\n%s", relay.describe()).isFalse();
            long start = System.nanoTime();
            relay.blackhole(Duration.ofSeconds(3));
            long downloaded = outcome.get();
            long afterMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(downloaded).isEqualTo(total);
            assertThat(relay.counters(Direction.SERVER_TO_CLIENT).blackholed()).as(relay.describe()).isPositive();
            assertThat(afterMillis).as("the rest of the download took at least the blackhole").isGreaterThanOrEqualTo(3_000);
            assertThat(connection.isClosed()).isFalse();
            assertThat(peers.errors.all()).as(relay.describe()).isEmpty();
            System.out.println("run " + run + ": 3 s blackhole during a " + total + "-byte download: finished " + afterMillis + " ms after it began; "
                    + relay.describe());
            connection.close();
        }
    }

    /**
     * What a path with a smaller MTU than {@link TransportSettings#maxUdpPayloadSize()} does: the
     * relay drops every datagram longer than {@code clamp} (as a router would). Finding, with
     * quiche 0.24.5 and the engine as it is (no PMTU discovery): the handshake completes (its
     * datagrams are 1200 bytes), small messages still pass, but bulk data goes in full-size
     * datagrams that never arrive, so the connection stalls and closes by the idle timeout; reads
     * then fail with a {@link io.quicheengine.ClosedException} saying "closed by the idle timeout".
     * Below 1200 bytes the handshake itself fails the same way. With
     * {@link TransportSettings.Builder#pathMtuDiscovery} on, the same path works (next test).
     */
    @Test
    void clampBelowPayloadSizeCompletesHandshakeThenFailsBulkByIdleTimeout() {
        TransportSettings transport = TransportSettings.builder().maxUdpPayloadSize(1350).idleTimeout(Duration.ofSeconds(2)).build();
        FaultProfile clamp = FaultProfile.builder().maxDatagramSize(1300).build();
        try (Peers peers = Peers.builder().transport(transport).build();
             FaultInjectingRelay relay = seeds.track(FaultInjectingRelay.builder().target(peers.server.localAddress()).bothWays(clamp).build())) {
            QuicConnection connection = peers.connect(relay.address(), Duration.ofSeconds(10));
            EchoTransfer.Result small = new EchoTransfer().run(connection, 1, 200, 1, Duration.ofSeconds(10), () -> relay.describe() + "\nengine errors: " + peers.errors.all());
            assertThat(small.exact()).as("a message smaller than the clamp passes\n%s", relay.describe()).isTrue();
            long start = System.nanoTime();
            assertThatThrownBy(() -> new EchoTransfer().run(connection, 1, 256 * 1024, 2, Duration.ofSeconds(20), () -> relay.describe() + "\nengine errors: " + peers.errors.all()))
                    .as(relay.describe())
                    .rootCause().isInstanceOf(io.quicheengine.ClosedException.class).hasMessageContaining("idle timeout");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(connection.closeReason()).isNotNull();
            assertThat(connection.closeReason().idleTimeout()).as("%s", connection.closeReason()).isTrue();
            assertThat(millis).as("fails within the idle timeout plus slack, not later").isLessThan(10_000);
            assertThat(relay.counters(Direction.CLIENT_TO_SERVER).clamped()).as(relay.describe()).isPositive();
            awaitNoConnections(peers);
            assertThat(peers.errors.all()).as(relay.describe()).isEmpty();
            System.out.println("clamp 1300 < payload 1350: handshake and 200-byte echo ok, bulk closed by the idle timeout after "
                    + millis + " ms; " + relay.describe());
        }
    }

    @Test
    void withPathMtuDiscoveryTheClampedPathCarriesBulkData() {
        TransportSettings transport = TransportSettings.builder().maxUdpPayloadSize(1350).pathMtuDiscovery(true).build();
        FaultProfile clamp = FaultProfile.builder().maxDatagramSize(1300).build();
        try (Peers peers = Peers.builder().transport(transport).build();
             FaultInjectingRelay relay = seeds.track(FaultInjectingRelay.builder().target(peers.server.localAddress()).bothWays(clamp).build())) {
            QuicConnection connection = peers.connect(relay.address(), Duration.ofSeconds(10));
            EchoTransfer.Result bulk = new EchoTransfer().run(connection, 2, 1 << 20, 3, Duration.ofSeconds(30), () -> relay.describe() + "\nengine errors: " + peers.errors.all());
            assertThat(bulk.exact()).as(relay.describe()).isTrue();
            assertThat(relay.counters(Direction.CLIENT_TO_SERVER).clamped()).as("probes larger than the path were lost\n%s", relay.describe()).isPositive();
            assertThat(peers.errors.all()).as(relay.describe()).isEmpty();
        }
    }

    @Test
    void clampBelowQuicMinimumFailsTheHandshakeByIdleTimeout() {
        TransportSettings transport = TransportSettings.builder().idleTimeout(Duration.ofSeconds(2)).build();
        FaultProfile clamp = FaultProfile.builder().maxDatagramSize(1100).build();
        try (Peers peers = Peers.builder().transport(transport).build();
             FaultInjectingRelay relay = seeds.track(FaultInjectingRelay.builder().target(peers.server.localAddress()).bothWays(clamp).build())) {
            assertThatThrownBy(() -> peers.connect(relay.address(), Duration.ofSeconds(15)))
                    .as(relay.describe())
                    .isInstanceOf(io.quicheengine.ClosedException.class)
                    .hasMessageContaining("handshake").hasMessageContaining("idle timeout");
            assertThat(relay.counters(Direction.CLIENT_TO_SERVER).clamped()).as(relay.describe()).isPositive();
            assertThat(peers.server.connectionCount()).isZero();
            awaitNoConnections(peers);
        }
    }

    private static long dropped(FaultInjectingRelay relay) {
        return relay.counters(Direction.CLIENT_TO_SERVER).dropped() + relay.counters(Direction.SERVER_TO_CLIENT).dropped();
    }

    private static void awaitNoConnections(Peers peers) {
        Wait.until(() -> peers.clientEngine.stats().liveConnections() == 0 && peers.serverEngine.stats().liveConnections() == 0,
                Duration.ofSeconds(10), () -> "connections freed: client " + peers.clientEngine.stats() + " server " + peers.serverEngine.stats());
    }

    private EchoTransfer.Result echoThrough(FaultProfile profile, TransportSettings transport) {
        try (Peers peers = Peers.builder().transport(transport).build();
             FaultInjectingRelay relay = seeds.track(FaultInjectingRelay.builder().target(peers.server.localAddress()).bothWays(profile).build())) {
            QuicConnection connection = peers.connect(relay.address(), Duration.ofSeconds(30));
            EchoTransfer.Result result = new EchoTransfer().run(connection, STREAMS, BYTES, relay.seed(), TRANSFER_TIMEOUT, () -> relay.describe()
                    + "\nengine errors: " + peers.errors.all() + "\nclient engine " + peers.clientEngine.stats() + "\nserver engine " + peers.serverEngine.stats());
            assertThat(result.exact()).as("every stream byte-exact: %s\n%s", result.streams(), relay.describe()).isTrue();
            assertThat(result.bytesEchoed()).isEqualTo((long) STREAMS * BYTES);
            assertThat(peers.errors.all()).as(relay.describe()).isEmpty();
            assertFaultsHappened(relay, profile);
            connection.close();
            return result;
        }
    }

    private static void assertFaultsHappened(FaultInjectingRelay relay, FaultProfile profile) {
        for (Direction direction : Direction.values()) {
            var counters = relay.counters(direction);
            if (profile.drop() > 0) {
                assertThat(counters.dropped()).as("%s dropped\n%s", direction, relay.describe()).isPositive();
            }
            if (profile.corrupt() > 0) {
                assertThat(counters.corrupted()).as("%s corrupted\n%s", direction, relay.describe()).isPositive();
            }
            if (profile.duplicate() > 0) {
                assertThat(counters.duplicated()).as("%s duplicated\n%s", direction, relay.describe()).isPositive();
            }
            if (profile.reorder() > 0) {
                assertThat(counters.reordered()).as("%s reordered\n%s", direction, relay.describe()).isPositive();
            }
        }
    }
}
