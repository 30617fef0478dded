package io.quicheengine.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A UDP endpoint on 127.0.0.1 for the relay's tests: a blocking {@link DatagramChannel} with one
 * thread that records every datagram it receives and, for an echo peer, sends it back to its sender.
 * {@link #send} and the readers may be called from any thread.
 */
final class UdpPeer implements AutoCloseable {
    private final DatagramChannel channel;
    private final boolean echo;
    private final Thread thread;
    private final List<byte[]> received = new ArrayList<>();

    private UdpPeer(boolean echo) {
        this.echo = echo;
        try {
            channel = DatagramChannel.open();
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        thread = Thread.ofPlatform().name("udp-peer-" + address().getPort()).daemon().start(this::run);
    }

    /** Records what it receives and echoes it back to the sender. */
    static UdpPeer echo() {
        return new UdpPeer(true);
    }

    /** Records what it receives; also used as a client that sends and collects replies. */
    static UdpPeer sink() {
        return new UdpPeer(false);
    }

    InetSocketAddress address() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void send(SocketAddress to, byte[] datagram) {
        try {
            int sent = channel.send(ByteBuffer.wrap(datagram), to);
            if (sent != datagram.length) {
                throw new IllegalStateException("sent " + sent + " of " + datagram.length + " bytes");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int count() {
        synchronized (received) {
            return received.size();
        }
    }

    /** A copy of everything received so far, in arrival order. */
    List<byte[]> received() {
        synchronized (received) {
            return new ArrayList<>(received);
        }
    }

    boolean awaitCount(int count, Duration timeout) {
        return await(() -> count() >= count, timeout);
    }

    /** Polls {@code condition} until true or {@code timeout}; returns the last result. */
    static boolean await(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(0, 200_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return condition.getAsBoolean();
            }
        }
        return true;
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(65_535);
        try {
            while (true) {
                buffer.clear();
                SocketAddress from = channel.receive(buffer);
                buffer.flip();
                byte[] copy = new byte[buffer.remaining()];
                buffer.get(copy);
                synchronized (received) {
                    received.add(copy);
                }
                if (echo) {
                    buffer.rewind();
                    channel.send(buffer, from);
                }
            }
        } catch (ClosedChannelException closed) {
            // close() ends the loop
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the test is over
        }
        try {
            thread.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
