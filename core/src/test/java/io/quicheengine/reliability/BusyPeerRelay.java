package io.quicheengine.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;

/**
 * A UDP relay in front of a server that behaves like a peer too busy, now and then, to read its
 * socket: it forwards the client's datagrams while awake, and while busy queues them in a bounded
 * "socket buffer", dropping (tail drop, as the kernel does) what does not fit. When it wakes up it
 * delivers the queue first. The server's datagrams are forwarded at once. The sender thus sees what
 * a full receive buffer does to it: bursts of consecutive losses, of whatever length its congestion
 * window allows, between stretches of normal delivery.
 *
 * <p>One client at a time (the last address heard from). One daemon thread does all I/O;
 * {@link #describe()} and {@link #close()} may be called from any thread.
 */
final class BusyPeerRelay implements AutoCloseable {
    private final InetSocketAddress target;
    private final long awakeNanos;
    private final long busyNanos;
    private final int capacity;
    private final Selector selector;
    private final DatagramChannel front;
    private final DatagramChannel upstream;
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> spare = new ArrayDeque<>();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(65_535);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile SocketAddress client;
    private volatile long forwarded;
    private volatile long dropped;
    private volatile long longestDropRun;
    private volatile long dropRunsOver128;
    private long dropRun;

    /**
     * @param awake    how long the peer reads between busy spells
     * @param busy     how long each busy spell lasts
     * @param capacity datagrams its socket buffer holds meanwhile
     */
    private BusyPeerRelay(InetSocketAddress target, java.time.Duration awake, java.time.Duration busy, int capacity) throws IOException {
        this.target = target;
        this.awakeNanos = awake.toNanos();
        this.busyNanos = busy.toNanos();
        this.capacity = capacity;
        this.selector = Selector.open();
        this.front = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.upstream = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).connect(target);
        front.configureBlocking(false).register(selector, SelectionKey.OP_READ);
        upstream.configureBlocking(false).register(selector, SelectionKey.OP_READ);
        this.thread = Thread.ofPlatform().name("busy-peer-" + address().getPort()).daemon().start(this::run);
    }

    static BusyPeerRelay start(InetSocketAddress target, java.time.Duration awake, java.time.Duration busy, int capacity) {
        try {
            return new BusyPeerRelay(target, awake, busy, capacity);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the relay's sockets", e);
        }
    }

    InetSocketAddress address() {
        try {
            return (InetSocketAddress) front.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long dropped() {
        return dropped;
    }

    /** Bursts of more than 128 client datagrams dropped in a row: what broke quiche's packet number encoding. */
    long dropRunsOver128() {
        return dropRunsOver128;
    }

    String describe() {
        return "busy peer relay to " + target + ": " + forwarded + " client datagrams forwarded, " + dropped + " dropped, longest run "
                + longestDropRun + ", runs over 128: " + dropRunsOver128;
    }

    private void run() {
        long start = System.nanoTime();
        long period = awakeNanos + busyNanos;
        try {
            while (running) {
                boolean busy = (System.nanoTime() - start) % period >= awakeNanos;
                if (!busy) {
                    while (!queue.isEmpty()) {
                        ByteBuffer held = queue.pollFirst();
                        upstream.write(held);
                        forwarded++;
                        spare.addLast(held);
                    }
                }
                fromClient(busy);
                fromServer();
                selector.select(1);
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            if (running) {
                throw new UncheckedIOException("the busy peer relay failed", e);
            }
        }
    }

    private void fromClient(boolean busy) throws IOException {
        while (true) {
            buffer.clear();
            SocketAddress from = front.receive(buffer);
            if (from == null) {
                return;
            }
            client = from;
            buffer.flip();
            if (!busy) {
                upstream.write(buffer);
                forwarded++;
                endRun();
            } else if (queue.size() < capacity) {
                ByteBuffer held = spare.isEmpty() ? ByteBuffer.allocate(65_535) : spare.pollFirst();
                held.clear();
                held.put(buffer).flip();
                queue.addLast(held);
                endRun();
            } else {
                dropped++;
                dropRun++;
                longestDropRun = Math.max(longestDropRun, dropRun);
            }
        }
    }

    private void endRun() {
        if (dropRun > 128) {
            dropRunsOver128++;
        }
        dropRun = 0;
    }

    private void fromServer() throws IOException {
        while (true) {
            buffer.clear();
            int n = upstream.read(buffer);
            if (n <= 0) {
                return;
            }
            SocketAddress to = client;
            if (to != null) {
                buffer.flip();
                front.send(buffer, to);
            }
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
        try {
            selector.close();
            front.close();
            upstream.close();
        } catch (IOException e) {
            // closing datagram sockets has nothing useful to report
        }
    }
}
