package io.quicheengine.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.quicheengine.ClientConfig;
import io.quicheengine.QuicConnection;
import io.quicheengine.QuicEngine;
import io.quicheengine.TransportSettings;
import io.quicheengine.WaitStrategy;
import io.quicheengine.interop.EngineClientTransfers.Mode;
import io.quicheengine.interop.InteropPeers.Stack;
import io.quicheengine.reliability.UdpTap;
import io.quicheengine.testing.Direction;
import io.quicheengine.testing.TestCertificate;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Two ways quiche 0.24.5 left the engine's client stalled against quinn until its idle timeout (issue
 * 9 item 1: uploads to a quinn sink stalled in about 1 run in 20), each made certain here by a tap
 * in front of quinn that drops chosen 1-RTT datagrams. Fixed by the project's quiche 0.24.5 patch
 * 0003-packet-number-length (upstream since 0.24.7; also covered engine-to-engine by
 * reliability.BurstLossTest) and by ffm-bindings/src/build/patches/quiche-0.29.3/0005-key-update-before-confirmation.patch.
 */
class EngineClientStallTest {
    private static final String ALPN = "interop";
    private static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(20);
    /** Short, so that a stall before the fixes shows as the connection closed by it. */
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(5);

    /**
     * A burst of lost packets followed by packets numbered too short (0003): quiche chose a 1-byte
     * packet number with 128-255 packets unacknowledged, which quinn, still expecting the first lost
     * one, decodes to the wrong number; nothing decrypts and no ACK comes back. The tap forwards the
     * client's first {@link #FORWARD_FIRST} 1-RTT datagrams, then drops every one for {@link #BURST}
     * (the whole flight in the air, which slow start has grown to about 128 packets by then) and until
     * at least {@link #MIN_BURST} are gone.
     */
    @Test
    void uploadToQuinnSurvivesABurstOfLoss() {
        AtomicInteger forwarded = new AtomicInteger();
        AtomicLong burstStart = new AtomicLong();
        AtomicInteger dropped = new AtomicInteger();
        UdpTap.Rule rule = (direction, datagram) -> {
            if (direction != Direction.CLIENT_TO_SERVER || !carriesOneRttPacket(datagram)) {
                return true;
            }
            if (burstStart.get() == 0 && forwarded.incrementAndGet() <= FORWARD_FIRST) {
                return true;
            }
            long now = System.nanoTime();
            burstStart.compareAndSet(0, now);
            if (now - burstStart.get() < BURST.toNanos() || dropped.get() < MIN_BURST) {
                dropped.incrementAndGet();
                return false;
            }
            return true;
        };
        uploadThroughTap(List.of(), rule, 4 << 20, peer -> assertThat(dropped.get()).as("datagrams the burst took").isGreaterThanOrEqualTo(MIN_BURST));
    }

    private static final int FORWARD_FIRST = 150;
    private static final Duration BURST = Duration.ofMillis(150);
    /** At least this many in a row (the flight is about 125-165 datagrams; a few PTO probes make up the rest). */
    private static final int MIN_BURST = 130;

    /**
     * A key update the client meets before HANDSHAKE_DONE (0005). A server is confirmed once its
     * handshake completes and may update its keys at once (RFC 9001 4.1.2, 6.1); the client is
     * confirmed only by HANDSHAKE_DONE, and quiche followed a key update only once confirmed. quinn
     * updates its keys the moment its handshake completes; the tap drops everything 1-RTT it sends
     * for the first {@link #DARK} (HANDSHAKE_DONE and its retransmissions in the old key phase among
     * it), so all that follows comes in the new phase before the client is confirmed.
     */
    @Test
    void engineClientFollowsQuinnKeyUpdateBeforeHandshakeDone() {
        AtomicLong firstOneRtt = new AtomicLong();
        AtomicInteger dropped = new AtomicInteger();
        UdpTap.Rule rule = (direction, datagram) -> {
            if (direction != Direction.SERVER_TO_CLIENT || !carriesOneRttPacket(datagram)) {
                return true;
            }
            long now = System.nanoTime();
            firstOneRtt.compareAndSet(0, now);
            if (now - firstOneRtt.get() < DARK.toNanos()) {
                dropped.incrementAndGet();
                return false;
            }
            return true;
        };
        uploadThroughTap(List.of("--key-update-at-handshake"), rule, 1 << 20, peer -> {
            peer.awaitLine("KEY-UPDATE", Duration.ofSeconds(10)); // quinn updated its keys
            assertThat(dropped.get()).as("1-RTT datagrams from quinn the tap dropped").isPositive();
        });
    }

    private static final Duration DARK = Duration.ofMillis(300);

    /** Uploads {@code bytes} to a quinn sink through a tap applying {@code rule}, then runs {@code check}. */
    private static void uploadThroughTap(List<String> peerOptions, UdpTap.Rule rule, long bytes, java.util.function.Consumer<PeerProcess> check) {
        List<String> command = new java.util.ArrayList<>(List.of("server", "--listen", "127.0.0.1:0",
                "--cert", TestCertificate.certificate().toString(), "--key", TestCertificate.privateKey().toString(), "--alpn", ALPN, "--mode", "sink"));
        command.addAll(peerOptions);
        try (QuicEngine engine = QuicEngine.builder().name("stall-client").loopWaitStrategy(WaitStrategy.BLOCKING).appWaitStrategy(WaitStrategy.BLOCKING).build();
             PeerProcess peer = PeerProcess.start(InteropPeers.binary(Stack.QUINN), command);
             UdpTap tap = UdpTap.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), peer.awaitListeningPort(Duration.ofSeconds(30))), rule)) {
            ClientConfig config = ClientConfig.builder().alpn(ALPN).caFile(TestCertificate.certificate()).serverName("localhost")
                    .transport(TransportSettings.builder().idleTimeout(IDLE_TIMEOUT).build()).build();
            QuicConnection connection = engine.connect(tap.address(), config, null, null).awaitHandshake(Duration.ofSeconds(10));
            try {
                EngineClientTransfers.run(connection, Mode.UPLOAD, 1, bytes, TRANSFER_TIMEOUT);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("upload of " + bytes + " bytes through the tap failed (" + connection.closeReason() + ", " + connection.stats()
                        + "): " + e.getMessage() + "; quinn server output: " + peer.output(), e);
            } finally {
                connection.close();
            }
            check.accept(peer);
        }
    }

    /**
     * Whether a datagram holds a short-header (1-RTT) packet: long-header packets carry their length
     * (RFC 9000 17.2), so coalesced ones are skipped to reach a short header behind them.
     */
    private static boolean carriesOneRttPacket(byte[] d) {
        int at = 0;
        while (at < d.length) {
            int first = d[at] & 0xff;
            if ((first & 0x80) == 0) {
                return true;
            }
            int type = (first >> 4) & 0x03;
            int p = at + 5; // flags and version
            if (p >= d.length || type == 3) { // truncated, or Retry (has no length and ends the datagram)
                return false;
            }
            p += 1 + (d[p] & 0xff); // destination connection ID
            if (p >= d.length) {
                return false;
            }
            p += 1 + (d[p] & 0xff); // source connection ID
            if (type == 0) { // Initial: token
                long[] token = varint(d, p);
                p = (int) (token[1] + token[0]);
            }
            long[] length = varint(d, p);
            if (length[1] < 0) {
                return false;
            }
            at = (int) Math.min(d.length, length[1] + length[0]);
        }
        return false;
    }

    /** {value, offset after it}, or {0, -1} when it runs past the end. */
    private static long[] varint(byte[] d, int p) {
        if (p < 0 || p >= d.length) {
            return new long[] {0, -1};
        }
        int n = 1 << ((d[p] & 0xff) >> 6);
        if (p + n > d.length) {
            return new long[] {0, -1};
        }
        long v = d[p] & 0x3f;
        for (int i = 1; i < n; i++) {
            v = (v << 8) | (d[p + i] & 0xff);
        }
        return new long[] {v, p + n};
    }
}
