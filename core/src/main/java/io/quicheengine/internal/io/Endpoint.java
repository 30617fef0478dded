package io.quicheengine.internal.io;


import io.quicheengine.ffi.SockAddr;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

/**
 * One UDP socket of the engine: receive, send, and nothing else (the loop's {@code ConnectionRouter}
 * knows which connection a datagram is for). A server owns one; all client connections of an
 * engine share another. Two kinds: {@link LinuxEndpoint} (GSO/GRO through FFM) and
 * {@link NioEndpoint} (portable). Loop thread only, once handed over by whoever opened the socket.
 *
 * <p>Internal to the engine (not exported by its module): opened by {@code QuicEngine.bind}
 * (application thread) or the loop's sockets, then used by the event loop on the loop thread only.
 */
public abstract class Endpoint {
    static final int SOCKET_BUFFER_BYTES = 4 << 20;
    /** Room for the largest UDP payload (and a GRO batch). */
    static final int RECEIVE_BUFFER_BYTES = 65536;

    /** Receives what a socket read: one datagram, or one of several coalesced by GRO. */
    public interface DatagramSink {
        /**
         * @param buffer     memory holding the datagram at {@code offset}
         * @param from       the sender's sockaddr, {@code fromLength} bytes
         */
        void onDatagram(Endpoint endpoint, MemorySegment buffer, long offset, int length, MemorySegment from, int fromLength);
    }

    /** Told that a datagram sent through the socket found nothing listening (an ICMP port unreachable came back). */
    public interface UnreachableSink {
        void onNothingListening(Endpoint endpoint, InetSocketAddress destination);
    }

    public final InetSocketAddress localAddress;
    /** The local address as quiche wants it: the same bytes for connect/accept and every recv. */
    public final MemorySegment localSockaddr;
    public final int localSockaddrLength;
    /** Datagrams dropped because the socket's send buffer stayed full (loss recovery resends their content). */
    public long sendDrops;

    Endpoint(InetSocketAddress localAddress, MemorySegment localSockaddr) {
        this.localAddress = localAddress;
        this.localSockaddr = localSockaddr;
        this.localSockaddrLength = SockAddr.NATIVE.write(localAddress, localSockaddr);
    }

    /** Reads up to {@code budget} socket reads without blocking, handing every datagram to {@code sink}; returns the reads. */
    public abstract int receive(DatagramSink sink, int budget) throws IOException;

    /**
     * Sends {@code length} bytes at {@code address}: datagrams of {@code segmentSize} bytes each,
     * the last possibly shorter, to {@code to} (also given as a sockaddr). A socket buffer that
     * stays full drops the datagrams: QUIC's loss recovery resends what matters.
     */
    public abstract void send(long address, int length, int segmentSize, MemorySegment toSockaddr, int toLength, InetSocketAddress to) throws IOException;

    /**
     * Reports every ICMP port unreachable for a datagram this socket sent to {@code sink}, from
     * {@link #receive}; returns false where the socket cannot tell (the portable endpoint: NIO's
     * DatagramChannel exposes no error queue, and an unconnected one hears of no ICMP error).
     */
    public boolean reportUnreachable(UnreachableSink sink) {
        return false;
    }

    /** Datagrams one {@link #send} may carry. */
    public abstract int maxSegments();

    /** Makes this socket end a BLOCKING wait when a datagram arrives. */
    public abstract void register(BlockingWait wait) throws IOException;

    public abstract void close();

    /** Unregisters from a BLOCKING wait before the socket closes. */
    public void unregister(BlockingWait wait) {
    }

    /** Opens the engine's kind of endpoint bound to {@code local}. */
    public static Endpoint open(InetSocketAddress local, boolean portable) throws IOException {
        return !portable && io.quicheengine.ffi.LinuxUdp.AVAILABLE ? LinuxEndpoint.open(local) : NioEndpoint.open(local);
    }

    /** The BLOCKING wait matching the endpoints {@link #open} makes. */
    static BlockingWait newBlockingWait(boolean portable) throws IOException {
        return !portable && io.quicheengine.ffi.LinuxUdp.AVAILABLE ? new PollWait() : new SelectorWait();
    }
}
