package io.quicheengine;

import io.quicheengine.ffi.SockAddr;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * One UDP socket of the engine and the connections reached through it, routed by destination
 * connection id. A server owns one; all client connections of an engine share another. Loop
 * thread only (the socket is opened by the caller of bind, then handed over).
 */
final class Endpoint {
    static final int SOCKET_BUFFER_BYTES = 4 << 20;

    final DatagramChannel channel;
    final InetSocketAddress localAddress;
    /** The local address as quiche wants it: same bytes for connect/accept and every recv. */
    final MemorySegment localSockaddr;
    final int localSockaddrLength;
    /** The server behind this socket, or null for the client socket. */
    final ServerState server;
    final Long2ObjectHashMap<ConnectionState> bySourceId = new Long2ObjectHashMap<>();
    /** Client-chosen ids of connections still in their handshake (server side). */
    final Long2ObjectHashMap<ConnectionState> byOriginalId = new Long2ObjectHashMap<>();
    private int sendDrops;

    Endpoint(DatagramChannel channel, ServerState server, MemorySegment localSockaddr) throws IOException {
        this.channel = channel;
        this.server = server;
        channel.configureBlocking(false);
        trySetBuffer(channel);
        this.localAddress = (InetSocketAddress) channel.getLocalAddress();
        this.localSockaddr = localSockaddr;
        this.localSockaddrLength = SockAddr.NATIVE.write(localAddress, localSockaddr);
    }

    static DatagramChannel open(InetSocketAddress local) throws IOException {
        DatagramChannel channel = DatagramChannel.open(local.getAddress() instanceof java.net.Inet6Address
                ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET);
        try {
            channel.bind(local);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return channel;
    }

    private static void trySetBuffer(DatagramChannel channel) {
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
        } catch (IOException | UnsupportedOperationException e) {
            // The kernel's defaults still work; bigger buffers only absorb bursts.
        }
    }

    /** Receives one datagram into {@code buffer}; null when none is waiting. */
    InetSocketAddress receive(ByteBuffer buffer) throws IOException {
        buffer.clear();
        SocketAddress from = channel.receive(buffer);
        return (InetSocketAddress) from;
    }

    /**
     * Sends {@code buffer}'s first {@code length} bytes. A full socket buffer is retried briefly,
     * then the datagram is dropped: QUIC's loss recovery resends what matters.
     */
    void send(ByteBuffer buffer, int length, InetSocketAddress to) throws IOException {
        buffer.clear().limit(length);
        for (int attempt = 0; attempt < 64; attempt++) {
            if (channel.send(buffer, to) > 0) {
                return;
            }
            Thread.onSpinWait();
        }
        sendDrops++;
    }

    int sendDrops() {
        return sendDrops;
    }

    void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // Closing a datagram socket has nothing useful to report.
        }
    }
}
