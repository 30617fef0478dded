package io.quicheengine.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Many UDP sockets on 127.0.0.1 (many source ports) that send datagrams round-robin and never read
 * what comes back: clients that start handshakes and vanish. Test thread only.
 */
final class UdpFlooder implements AutoCloseable {
    private final List<DatagramChannel> channels = new ArrayList<>();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(65_535);
    private long sent;

    UdpFlooder(int ports) {
        try {
            for (int i = 0; i < ports; i++) {
                DatagramChannel channel = DatagramChannel.open();
                channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                channels.add(channel);
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot open " + ports + " flood sockets", e);
        }
    }

    /** Sends each datagram once, from port {@code i % ports}, yielding now and then so the server's loop keeps up. */
    void send(InetSocketAddress to, List<byte[]> datagrams) {
        try {
            for (int i = 0; i < datagrams.size(); i++) {
                buffer.clear();
                buffer.put(datagrams.get(i)).flip();
                channels.get(i % channels.size()).send(buffer, to);
                sent++;
                if ((i & 31) == 31) {
                    Thread.yield();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("flood send failed", e);
        }
    }

    long sent() {
        return sent;
    }

    int ports() {
        return channels.size();
    }

    @Override
    public void close() {
        for (DatagramChannel channel : channels) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
