package io.quicheengine.perf.seed;

import io.quicheengine.ffi.Quiche;
import io.quicheengine.ffi.QuicheConn;
import io.quicheengine.ffi.QuicheError;
import io.quicheengine.ffi.QuicheException;
import io.quicheengine.ffi.RecvInfo;
import io.quicheengine.ffi.SendInfo;
import io.quicheengine.ffi.SockAddr;
import io.quicheengine.perf.e2e.SharedQuicParams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;

/**
 * One side of a seed connection: a non-blocking UDP socket on 127.0.0.1 and the single
 * {@code quiche_conn} behind it, with the seed engine's connection-level steps (receive and
 * {@code quiche_conn_recv}, {@code quiche_conn_send} until DONE, timeouts, readable streams, close).
 * A server endpoint listens until the first client Initial and then serves that one connection.
 *
 * <p>Not thread-safe: one thread at a time, the event loop in the queue design, the holder of the
 * connection lock in the global-lock design. {@link #awaitEstablished}, {@link #isClosed()} and
 * {@link #localAddress()} are for any thread; {@link #stats()} after the driving thread has ended.
 */
final class SeedEndpoint {

    private static final int RECV_BUFFER = 65_535;
    private static final int SOCKET_BUFFER_BYTES = 4 << 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final boolean server;
    private final MemorySegment config;
    private final DatagramChannel channel;
    private final InetSocketAddress localAddress;
    private final Arena arena = Arena.ofShared();
    private final ByteBuffer inBuffer = ByteBuffer.allocateDirect(RECV_BUFFER);
    private final MemorySegment inPacket = MemorySegment.ofBuffer(inBuffer);
    private final ByteBuffer outBuffer = ByteBuffer.allocateDirect(SharedQuicParams.MAX_UDP_PAYLOAD);
    private final MemorySegment outPacket = MemorySegment.ofBuffer(outBuffer);
    private final MemorySegment localSockaddr = arena.allocate(SockAddr.STORAGE_LENGTH);
    private final MemorySegment peerSockaddr = arena.allocate(SockAddr.STORAGE_LENGTH);
    private final int localSockaddrLen;
    private int peerSockaddrLen;
    private final RecvInfo recvInfo = new RecvInfo(arena);
    private final SendInfo sendInfo = new SendInfo(arena);
    private final MemorySegment iterStreamId = arena.allocate(ValueLayout.JAVA_LONG);
    private final MemorySegment noReason = arena.allocate(1);
    private final SeedAcceptor acceptor;
    private final SeedPathSampler sampler = new SeedPathSampler(arena);
    private final CountDownLatch establishedLatch = new CountDownLatch(1);

    private MemorySegment conn = MemorySegment.NULL;
    private boolean established;
    private volatile boolean closed;

    private SeedEndpoint(boolean server, MemorySegment config, InetSocketAddress peer) throws IOException {
        this.server = server;
        this.config = config;
        this.acceptor = server ? new SeedAcceptor(arena) : null;
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
            ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            ch.configureBlocking(false);
            if (peer != null) {
                ch.connect(peer);
                peerSockaddrLen = SockAddr.NATIVE.write(peer, peerSockaddr);
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            arena.close();
            throw e;
        }
        this.channel = ch;
        this.localAddress = (InetSocketAddress) ch.getLocalAddress();
        this.localSockaddrLen = SockAddr.NATIVE.write(localAddress, localSockaddr);
        if (peer != null) {
            recvInfo.from(peerSockaddr, peerSockaddrLen).to(localSockaddr, localSockaddrLen);
        }
    }

    /** A client endpoint; the connection is created by {@link #start()} on the driving thread. */
    static SeedEndpoint client(MemorySegment clientConfig, InetSocketAddress server) throws IOException {
        return new SeedEndpoint(false, clientConfig, server);
    }

    /** A server endpoint listening on an ephemeral port of 127.0.0.1. */
    static SeedEndpoint server(MemorySegment serverConfig) throws IOException {
        return new SeedEndpoint(true, serverConfig, null);
    }

    DatagramChannel channel() {
        return channel;
    }

    /** Any thread. */
    InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Native scratch memory living as long as this endpoint. */
    Arena arena() {
        return arena;
    }

    /** The connection, or NULL before a server accepted one or after close. */
    MemorySegment conn() {
        return conn;
    }

    boolean hasConnection() {
        return conn.address() != 0;
    }

    /** A client connects ({@code quiche_connect}) and sends its Initial; a server does nothing. */
    void start() {
        if (server || hasConnection()) {
            return;
        }
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment scid = randomConnectionId(scratch);
            conn = Quiche.connect(scratch.allocateFrom(SeedQuicConfigs.SERVER_NAME), scid, scid.byteSize(),
                    localSockaddr, localSockaddrLen, peerSockaddr, peerSockaddrLen, config);
        }
        if (conn.address() == 0) {
            throw new QuicheException("quiche_connect to " + channel + " returned NULL");
        }
        flushEgress();
    }

    /**
     * Reads every datagram the socket holds and hands each to {@code quiche_conn_recv} (a server
     * accepts on the first Initial). Errors of single packets are ignored, as quiche does.
     *
     * @return the number of datagrams given to quiche
     */
    int receiveAll() throws IOException {
        int count = 0;
        while (true) {
            inBuffer.clear();
            int length;
            if (hasConnection()) {
                try {
                    length = channel.read(inBuffer);
                } catch (PortUnreachableException e) {
                    continue; // an ICMP error from an earlier send; the peer is gone or not there yet
                }
                if (length <= 0) {
                    return count;
                }
            } else if (server) {
                InetSocketAddress from = (InetSocketAddress) channel.receive(inBuffer);
                if (from == null) {
                    return count;
                }
                length = inBuffer.position();
                if (!accept(from, length)) {
                    continue;
                }
            } else {
                return count;
            }
            QuicheConn.recv(conn, inPacket, length, recvInfo.segment());
            count++;
        }
    }

    private boolean accept(InetSocketAddress from, int length) throws IOException {
        int fromLen = SockAddr.NATIVE.write(from, peerSockaddr);
        MemorySegment scid = randomConnectionId(arena);
        MemorySegment accepted = acceptor.accept(inPacket, length, scid, config, localSockaddr, localSockaddrLen, peerSockaddr, fromLen);
        if (accepted.address() == 0) {
            return false;
        }
        conn = accepted;
        peerSockaddrLen = fromLen;
        recvInfo.from(peerSockaddr, peerSockaddrLen).to(localSockaddr, localSockaddrLen);
        // One connection per server: connecting lets the loop use read/write without addresses.
        channel.connect(from);
        return true;
    }

    private static MemorySegment randomConnectionId(Arena arena) {
        byte[] id = new byte[SeedAcceptor.CONN_ID_LEN];
        RANDOM.nextBytes(id);
        return arena.allocateFrom(ValueLayout.JAVA_BYTE, id);
    }

    /** {@code quiche_conn_on_timeout} when quiche's timer has expired. */
    void onTimeoutIfDue() {
        if (hasConnection() && QuicheConn.timeoutAsNanos(conn) == 0) {
            QuicheConn.onTimeout(conn);
        }
    }

    /** {@code quiche_conn_send} until DONE, each packet straight to the socket. */
    void flushEgress() {
        if (!hasConnection()) {
            return;
        }
        while (true) {
            long written = QuicheConn.send(conn, outPacket, outPacket.byteSize(), sendInfo.segment());
            if (written == QuicheError.DONE.code()) {
                return;
            }
            if (written < 0) {
                throw new QuicheException("quiche_conn_send", written);
            }
            outBuffer.clear().limit((int) written);
            try {
                channel.write(outBuffer);
            } catch (PortUnreachableException e) {
                // The peer's socket is gone (it closed first); quiche will time the connection out.
            } catch (IOException e) {
                throw new UncheckedIOException("UDP send from " + localAddress + " failed", e);
            }
        }
    }

    /** Calls {@code action} with every readable stream id ({@code quiche_conn_readable}, as the seed does). */
    void forEachReadable(LongConsumer action) {
        if (!hasConnection()) {
            return;
        }
        MemorySegment iter = QuicheConn.readable(conn);
        if (iter.address() == 0) {
            return;
        }
        try {
            while (QuicheConn.streamIterNext(iter, iterStreamId)) {
                action.accept(iterStreamId.get(ValueLayout.JAVA_LONG, 0));
            }
        } finally {
            QuicheConn.streamIterFree(iter);
        }
    }

    /** Absolute {@link System#nanoTime()} of quiche's next timer, or {@link Long#MAX_VALUE} when none. */
    long deadlineNanos(long nowNanos) {
        if (!hasConnection()) {
            return Long.MAX_VALUE;
        }
        long timeout = QuicheConn.timeoutAsNanos(conn);
        return timeout == -1 ? Long.MAX_VALUE : nowNanos + timeout;
    }

    /** Publishes the handshake and close state and samples the path; at the end of every loop cycle. */
    void afterCycle(long nowNanos) {
        if (!hasConnection()) {
            return;
        }
        if (!established && QuicheConn.isEstablished(conn)) {
            established = true;
            establishedLatch.countDown();
        }
        if (established) {
            sampler.sampleIfDue(conn, nowNanos);
        }
        if (QuicheConn.isClosed(conn)) {
            closed = true;
        }
    }

    /** Any thread: waits for the handshake. */
    void awaitEstablished(long timeout, TimeUnit unit) throws InterruptedException, TimeoutException {
        if (!establishedLatch.await(timeout, unit)) {
            throw new TimeoutException((server ? "server " : "client ") + localAddress + " not established within "
                    + timeout + " " + unit);
        }
    }

    /** Any thread: true once quiche reports the connection closed, or after {@link #closeAndFree()}. */
    boolean isClosed() {
        return closed;
    }

    /**
     * Closes the connection (CONNECTION_CLOSE with no error, flushed), takes the final statistics,
     * frees it and closes the socket and native memory. Last call on this endpoint.
     */
    void closeAndFree() {
        try {
            if (hasConnection()) {
                if (!QuicheConn.isClosed(conn) && !QuicheConn.isDraining(conn)) {
                    QuicheConn.close(conn, true, 0, noReason, 0);
                    flushEgress();
                }
                sampler.captureTotals(conn, established);
                QuicheConn.free(conn);
                conn = MemorySegment.NULL;
            }
        } finally {
            closed = true;
            try {
                channel.close();
            } catch (IOException e) {
                // closing a datagram socket does not fail in a way anyone could act on
            }
            arena.close();
        }
    }

    /** The sampled figures; after the driving thread has ended. */
    SeedConnStats stats() {
        return sampler.snapshot();
    }
}
