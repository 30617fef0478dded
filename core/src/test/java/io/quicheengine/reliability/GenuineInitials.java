package io.quicheengine.reliability;

import io.quicheengine.ClientConfig;
import io.quicheengine.QuicEngine;
import io.quicheengine.WaitStrategy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Real client Initial packets, each with its own random destination connection id (so each would
 * start its own server connection): a throw-away client engine connects {@code count} times to a
 * UDP sink that never answers, and the sink keeps the first Initial of every connection. They carry
 * the suite's ALPN and server name, so a server that receives one really starts a handshake and
 * holds state for it. Test thread only.
 */
final class GenuineInitials {
    private GenuineInitials() {
    }

    static List<byte[]> capture(int count) {
        try (DatagramChannel sink = DatagramChannel.open()) {
            sink.setOption(StandardSocketOptions.SO_RCVBUF, 8 << 20);
            sink.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            sink.configureBlocking(false);
            InetSocketAddress address = (InetSocketAddress) sink.getLocalAddress();
            ClientConfig config = ClientConfig.builder().alpn(Peers.ALPN).serverName("localhost").trustAllCertificatesInsecurely().build();
            List<byte[]> initials = new ArrayList<>();
            Set<String> ids = new HashSet<>();
            ByteBuffer buffer = ByteBuffer.allocate(65_535);
            try (QuicEngine engine = QuicEngine.builder().name("initial-capture").loopWaitStrategy(WaitStrategy.BLOCKING)
                    .closeTimeout(Duration.ZERO).errorHandler((c, context, e) -> { }).build()) {
                int batch = 64;
                for (int started = 0; started < count; started += batch) {
                    for (int i = started; i < Math.min(count, started + batch); i++) {
                        engine.connect(address, config);
                    }
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    while (initials.size() < Math.min(count, started + batch)) {
                        if (System.nanoTime() > deadline) {
                            throw new AssertionError("captured only " + initials.size() + " of " + count + " Initials");
                        }
                        buffer.clear();
                        if (sink.receive(buffer) == null) {
                            java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                            continue;
                        }
                        buffer.flip();
                        byte[] datagram = new byte[buffer.remaining()];
                        buffer.get(datagram);
                        QuicPackets.LongHeader header = QuicPackets.parseLong(datagram);
                        if (header != null && QuicPackets.longType(datagram) == QuicPackets.TYPE_INITIAL
                                && ids.add(HexFormat.of().formatHex(header.dcid(datagram)))) {
                            initials.add(datagram);
                        }
                    }
                }
            }
            return initials;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the capture sink", e);
        }
    }
}
