package io.quicheengine.perf.baseline;

import io.quicheengine.ffi.Quiche;
import io.quicheengine.ffi.QuicheConfig;
import io.quicheengine.ffi.QuicheConn;
import io.quicheengine.ffi.QuicheError;
import io.quicheengine.ffi.QuicheException;
import io.quicheengine.ffi.RecvInfo;
import io.quicheengine.ffi.SendInfo;
import io.quicheengine.ffi.SockAddr;
import io.quicheengine.perf.e2e.RawQuicheConfigs;
import io.quicheengine.perf.e2e.SharedQuicParams;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;

/**
 * An established quiche client connection and server connection that talk through memory: a
 * datagram one side writes with {@code quiche_conn_send} is handed straight to the other side's
 * {@code quiche_conn_recv}. No sockets, no queues, no threads: what is left is the cost of quiche
 * itself, which is the ceiling for any engine built on it.
 *
 * <p>Both connections use {@link SharedQuicParams}. Moving packets allocates nothing: one packet
 * segment, one {@link SendInfo} and two {@link RecvInfo} flyweights are made up front.
 *
 * <p>Not thread-safe: one thread creates, drives and closes a pair (quiche connections must not
 * be shared between threads).
 */
public final class RawQuichePair implements AutoCloseable {

    /** The largest datagram either side sends, {@link SharedQuicParams#MAX_UDP_PAYLOAD}. */
    public static final int MAX_DATAGRAM = SharedQuicParams.MAX_UDP_PAYLOAD;
    private static final int CONN_ID_LEN = 16;
    private static final int HANDSHAKE_ROUNDS = 50;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment clientConfig;
    private final MemorySegment serverConfig;
    private final MemorySegment client;
    private MemorySegment server = MemorySegment.NULL;

    private final MemorySegment packet = arena.allocate(MAX_DATAGRAM, 64);
    private final SendInfo sendInfo = new SendInfo(arena);
    // Fixed addresses, so each direction's recv info is filled once and reused for every datagram.
    private final RecvInfo toServer = new RecvInfo(arena);
    private final RecvInfo toClient = new RecvInfo(arena);
    private final MemorySegment serverAddr = arena.allocate(SockAddr.STORAGE_LENGTH);
    private final MemorySegment clientAddr = arena.allocate(SockAddr.STORAGE_LENGTH);
    private final int serverAddrLen;
    private final int clientAddrLen;
    private long datagrams;

    /** Creates both configs (from {@link SharedQuicParams}) and both connections, and completes the handshake. */
    public RawQuichePair() {
        MemorySegment serverCfg = MemorySegment.NULL;
        MemorySegment clientCfg = MemorySegment.NULL;
        MemorySegment clientConn = MemorySegment.NULL;
        try {
            serverCfg = RawQuicheConfigs.create(true);
            clientCfg = RawQuicheConfigs.create(false);
            InetAddress loopback = InetAddress.getLoopbackAddress();
            serverAddrLen = SockAddr.NATIVE.write(new InetSocketAddress(loopback, 4433), serverAddr);
            clientAddrLen = SockAddr.NATIVE.write(new InetSocketAddress(loopback, 50000), clientAddr);
            toServer.from(clientAddr, clientAddrLen).to(serverAddr, serverAddrLen);
            toClient.from(serverAddr, serverAddrLen).to(clientAddr, clientAddrLen);
            MemorySegment scid = randomId();
            clientConn = Quiche.connect(arena.allocateFrom("localhost"), scid, scid.byteSize(),
                    clientAddr, clientAddrLen, serverAddr, serverAddrLen, clientCfg);
            if (clientConn.address() == 0) {
                throw new QuicheException("quiche_connect returned NULL");
            }
        } catch (RuntimeException e) {
            freeAll(clientConn, MemorySegment.NULL, clientCfg, serverCfg);
            arena.close();
            throw e;
        }
        serverConfig = serverCfg;
        clientConfig = clientCfg;
        client = clientConn;
        try {
            handshake();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The client connection ({@code quiche_conn *}); valid until {@link #close()}. */
    public MemorySegment client() {
        return client;
    }

    /** The server connection ({@code quiche_conn *}); valid until {@link #close()}. */
    public MemorySegment server() {
        return server;
    }

    /** Datagrams handed over so far, both directions. */
    public long datagrams() {
        return datagrams;
    }

    /**
     * Sends every datagram the client has ready and hands each to the server.
     *
     * @return the number of datagrams moved
     */
    public int flushClient() {
        return flush(client, server, toServer);
    }

    /**
     * Sends every datagram the server has ready and hands each to the client.
     *
     * @return the number of datagrams moved
     */
    public int flushServer() {
        return flush(server, client, toClient);
    }

    /**
     * Fires quiche's timers that are due ({@code quiche_conn_timeout_as_nanos} is the time left,
     * zero once expired); skipping this stalls the pair when quiche waits for an ACK-delay or
     * loss-detection timer before sending.
     */
    public void serviceTimers() {
        if (QuicheConn.timeoutAsNanos(client) == 0) {
            QuicheConn.onTimeout(client);
        }
        if (QuicheConn.timeoutAsNanos(server) == 0) {
            QuicheConn.onTimeout(server);
        }
    }

    /** Moves datagrams both ways, servicing timers, until neither side has anything to send. */
    public void pumpUntilQuiet() {
        int moved;
        do {
            serviceTimers();
            moved = flushClient() + flushServer();
        } while (moved > 0);
    }

    private int flush(MemorySegment from, MemorySegment to, RecvInfo info) {
        int moved = 0;
        while (true) {
            long written = QuicheConn.send(from, packet, MAX_DATAGRAM, sendInfo.segment());
            if (written == QuicheError.DONE.code()) {
                datagrams += moved;
                return moved;
            }
            if (written < 0) {
                throw new QuicheException("quiche_conn_send failed: " + QuicheError.describe(written));
            }
            long read = QuicheConn.recv(to, packet, written, info.segment());
            if (read < 0) {
                throw new QuicheException("quiche_conn_recv failed: " + QuicheError.describe(read));
            }
            moved++;
        }
    }

    private void handshake() {
        // The server connection is created from the client's first Initial, as a real server would.
        long written = QuicheConn.send(client, packet, MAX_DATAGRAM, sendInfo.segment());
        if (written < 0) {
            throw new QuicheException("client Initial: quiche_conn_send failed: " + QuicheError.describe(written));
        }
        MemorySegment scid = randomId();
        server = Quiche.accept(scid, scid.byteSize(), MemorySegment.NULL, 0,
                serverAddr, serverAddrLen, clientAddr, clientAddrLen, serverConfig);
        if (server.address() == 0) {
            throw new QuicheException("quiche_accept returned NULL");
        }
        long read = QuicheConn.recv(server, packet, written, toServer.segment());
        if (read < 0) {
            throw new QuicheException("server: quiche_conn_recv of the client Initial failed: " + QuicheError.describe(read));
        }
        for (int i = 0; i < HANDSHAKE_ROUNDS && !(QuicheConn.isEstablished(client) && QuicheConn.isEstablished(server)); i++) {
            pumpUntilQuiet();
        }
        if (!QuicheConn.isEstablished(client) || !QuicheConn.isEstablished(server)) {
            throw new QuicheException("in-memory handshake did not complete: client established=" + QuicheConn.isEstablished(client)
                    + ", server established=" + QuicheConn.isEstablished(server));
        }
        // HANDSHAKE_DONE, NEW_CONNECTION_ID and their ACKs, so measurements start from a quiet pair.
        pumpUntilQuiet();
    }

    private MemorySegment randomId() {
        byte[] id = new byte[CONN_ID_LEN];
        new SecureRandom().nextBytes(id);
        return arena.allocateFrom(ValueLayout.JAVA_BYTE, id);
    }

    private static void freeAll(MemorySegment clientConn, MemorySegment serverConn, MemorySegment clientCfg, MemorySegment serverCfg) {
        if (clientConn.address() != 0) {
            QuicheConn.free(clientConn);
        }
        if (serverConn.address() != 0) {
            QuicheConn.free(serverConn);
        }
        if (clientCfg.address() != 0) {
            QuicheConfig.free(clientCfg);
        }
        if (serverCfg.address() != 0) {
            QuicheConfig.free(serverCfg);
        }
    }

    /** Frees both connections and configs; the pair is unusable afterwards. */
    @Override
    public void close() {
        freeAll(client, server, clientConfig, serverConfig);
        server = MemorySegment.NULL;
        arena.close();
    }
}
