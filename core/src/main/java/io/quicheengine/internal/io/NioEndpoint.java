package io.quicheengine.internal.io;

import io.quicheengine.TransportSettings;
import io.quicheengine.ffi.SockAddr;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * An endpoint on a Java NIO {@link DatagramChannel}: portable, one system call per datagram. It
 * cannot fail a connection fast on an ICMP port unreachable: an unconnected DatagramChannel hears
 * of no ICMP error and exposes no error queue, so a dead port costs the handshake timeout
 * ({@link TransportSettings#handshakeTimeout()}).
 * Loop thread only.
 *
 * <p>Internal to the engine (not exported by its module): made by {@link Endpoint#open}; used like
 * any {@link Endpoint}.
 */
public final class NioEndpoint extends Endpoint {
    private final DatagramChannel channel;
    private final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(RECEIVE_BUFFER_BYTES);
    private final MemorySegment received = MemorySegment.ofBuffer(receiveBuffer);
    private final MemorySegment from;
    private InetSocketAddress lastFrom;
    private int lastFromLength;
    private ByteBuffer sendView;
    private long sendViewAddress = -1;

    private final Arena arena;

    private NioEndpoint(DatagramChannel channel, Arena arena) throws IOException {
        super((InetSocketAddress) channel.getLocalAddress(), arena.allocate(SockAddr.STORAGE_LENGTH, 8));
        this.arena = arena;
        this.channel = channel;
        this.from = arena.allocate(SockAddr.STORAGE_LENGTH, 8);
        channel.configureBlocking(false);
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
        } catch (IOException | UnsupportedOperationException e) {
            // The kernel's defaults still work; bigger buffers only absorb bursts.
        }
    }

    /** An endpoint on a channel bound to {@code local}. */
    public static NioEndpoint open(InetSocketAddress local) throws IOException {
        DatagramChannel channel = DatagramChannel.open(local.getAddress() instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        Arena arena = Arena.ofShared();
        try {
            channel.bind(local);
            return new NioEndpoint(channel, arena);
        } catch (IOException | RuntimeException e) {
            channel.close();
            arena.close();
            throw e;
        }
    }

    @Override
    public int receive(DatagramSink sink, int budget) throws IOException {
        int reads = 0;
        while (reads < budget) {
            receiveBuffer.clear();
            SocketAddress sender = channel.receive(receiveBuffer);
            if (sender == null) {
                break;
            }
            reads++;
            // The JDK hands back the same InetSocketAddress for a repeated sender: encode only on change.
            if (sender != lastFrom) {
                lastFrom = (InetSocketAddress) sender;
                lastFromLength = SockAddr.NATIVE.write(lastFrom, from);
            }
            sink.onDatagram(this, received, 0, receiveBuffer.position(), from, lastFromLength);
        }
        return reads;
    }

    @Override
    public void send(long address, int length, int segmentSize, MemorySegment toSockaddr, int toLength, InetSocketAddress to) throws IOException {
        ByteBuffer view = view(address, length);
        for (int offset = 0; offset < length; offset += segmentSize) {
            view.limit(Math.min(length, offset + segmentSize)).position(offset);
            int attempt = 0;
            while (channel.send(view, to) == 0) {
                if (++attempt == 64) {
                    sendDrops++;
                    break;
                }
                Thread.onSpinWait();
            }
        }
    }

    private ByteBuffer view(long address, int length) {
        if (address != sendViewAddress || sendView.capacity() < length) {
            sendView = MemorySegment.ofAddress(address).reinterpret(RECEIVE_BUFFER_BYTES).asByteBuffer();
            sendViewAddress = address;
        }
        return sendView;
    }

    @Override
    public int maxSegments() {
        return 64;
    }

    @Override
    public void register(BlockingWait wait) throws IOException {
        wait.register(channel);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // Closing a datagram socket has nothing useful to report.
        }
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
