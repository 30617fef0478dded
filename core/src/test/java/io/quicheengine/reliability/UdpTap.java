package io.quicheengine.reliability;

import io.quicheengine.testing.Direction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A plain UDP forwarder in front of a server that records what passes and lets a {@link Rule}
 * hold datagrams back: the suite's way to capture real Initial, Handshake and 1-RTT packets, and to
 * replay them later from the very address the server saw (a retry token is bound to it). Like the
 * fault relay it opens one upstream socket per client address. One daemon thread does all I/O;
 * {@link #captured()}, {@link #sendAsClient} and {@link #close()} may be called from any thread.
 */
public final class UdpTap implements AutoCloseable {
    /** Decides per datagram; called on the tap's thread. */
    @FunctionalInterface
    public interface Rule {
        /** True to forward, false to drop (it is recorded either way). */
        boolean forward(Direction direction, byte[] datagram);
    }

    /** A datagram seen by the tap, a copy. */
    record Datagram(Direction direction, InetSocketAddress client, byte[] bytes, boolean forwarded) {
    }

    private static final int RECORD_LIMIT = 4_096;

    private final InetSocketAddress target;
    private final Rule rule;
    private final Selector selector;
    private final DatagramChannel front;
    private final Map<InetSocketAddress, DatagramChannel> upstreams = new HashMap<>();
    private final List<Datagram> captured = new ArrayList<>();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(65_535);
    private final Thread thread;
    private volatile boolean running = true;

    private UdpTap(InetSocketAddress target, Rule rule) throws IOException {
        this.target = target;
        this.rule = rule;
        this.selector = Selector.open();
        this.front = open();
        front.register(selector, SelectionKey.OP_READ, null);
        this.thread = Thread.ofPlatform().name("udp-tap-" + address().getPort()).daemon().start(this::run);
    }

    /** A tap that forwards everything. */
    static UdpTap forwarding(InetSocketAddress target) {
        return start(target, (direction, datagram) -> true);
    }

    /** A tap in front of {@code target} that asks {@code rule} about every datagram (also used by the interop tests); any thread. */
    public static UdpTap start(InetSocketAddress target, Rule rule) {
        try {
            return new UdpTap(target, rule);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the tap's sockets", e);
        }
    }

    /** The address clients talk to; any thread. */
    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) front.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first {@value #RECORD_LIMIT} datagrams seen, in order. */
    List<Datagram> captured() {
        synchronized (captured) {
            return List.copyOf(captured);
        }
    }

    /** The address the server sees for {@code client}: its upstream socket. */
    InetSocketAddress upstreamAddress(InetSocketAddress client) {
        synchronized (upstreams) {
            DatagramChannel channel = upstreams.get(client);
            if (channel == null) {
                throw new IllegalStateException("no client " + client + " has spoken through this tap");
            }
            try {
                return (InetSocketAddress) channel.getLocalAddress();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Sends {@code datagram} to the server from {@code client}'s upstream socket, as if the client sent it. */
    void sendAsClient(InetSocketAddress client, byte[] datagram) {
        DatagramChannel channel;
        synchronized (upstreams) {
            channel = upstreams.get(client);
        }
        if (channel == null) {
            throw new IllegalStateException("no client " + client + " has spoken through this tap");
        }
        try {
            channel.send(ByteBuffer.wrap(datagram), target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (running) {
                selector.select(this::onReady, 100);
            }
        } catch (IOException | RuntimeException e) {
            if (running) {
                throw new IllegalStateException("tap failed", e);
            }
        } finally {
            closeQuietly(front);
            synchronized (upstreams) {
                upstreams.values().forEach(UdpTap::closeQuietly);
            }
            closeQuietly(selector);
        }
    }

    private void onReady(SelectionKey key) {
        try {
            DatagramChannel channel = (DatagramChannel) key.channel();
            InetSocketAddress client = (InetSocketAddress) key.attachment();
            while (true) {
                buffer.clear();
                SocketAddress from = channel.receive(buffer);
                if (from == null) {
                    return;
                }
                buffer.flip();
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                if (client == null) {
                    InetSocketAddress sender = (InetSocketAddress) from;
                    boolean forward = rule.forward(Direction.CLIENT_TO_SERVER, bytes);
                    record(new Datagram(Direction.CLIENT_TO_SERVER, sender, bytes, forward));
                    if (forward) {
                        upstream(sender).send(ByteBuffer.wrap(bytes), target);
                    }
                } else {
                    boolean forward = rule.forward(Direction.SERVER_TO_CLIENT, bytes);
                    record(new Datagram(Direction.SERVER_TO_CLIENT, client, bytes, forward));
                    if (forward) {
                        front.send(ByteBuffer.wrap(bytes), client);
                    }
                }
            }
        } catch (IOException e) {
            // A send refused or a socket closed while stopping: a tap loses the datagram like a network would.
        }
    }

    private DatagramChannel upstream(InetSocketAddress client) throws IOException {
        synchronized (upstreams) {
            DatagramChannel channel = upstreams.get(client);
            if (channel == null) {
                channel = open();
                channel.register(selector, SelectionKey.OP_READ, client);
                upstreams.put(client, channel);
            }
            return channel;
        }
    }

    private void record(Datagram datagram) {
        synchronized (captured) {
            if (captured.size() < RECORD_LIMIT) {
                captured.add(datagram);
            }
        }
    }

    private static DatagramChannel open() throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        channel.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        channel.configureBlocking(false);
        return channel;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // stopping anyway
        }
    }
}
