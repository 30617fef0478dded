package io.quicheengine;

import io.quicheengine.ffi.Quiche;
import io.quicheengine.ffi.QuicheConn;
import io.quicheengine.ffi.SockAddr;
import io.quicheengine.internal.io.Endpoint;
import io.quicheengine.internal.server.ConnectionIds;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;

/**
 * What a server does with a datagram for no known connection: version negotiation for versions
 * quiche does not speak, stateless retry when enabled, the connection cap, and finally
 * {@code quiche_accept}. Anything malformed is dropped without keeping state. Loop thread only.
 */
final class ServerAcceptor {
    private static final int TOKEN_CAPACITY = 512;

    private final EventLoop loop;
    private final MemorySegment version;
    private final MemorySegment type;
    private final MemorySegment scid;
    private final MemorySegment scidLength;
    private final MemorySegment dcid;
    private final MemorySegment dcidLength;
    private final MemorySegment token;
    private final MemorySegment tokenLength;
    private final MemorySegment newScid;
    private final MemorySegment peer;
    private final MemorySegment out;
    /** A refusal's datagrams, back to back, and their sizes. */
    private final MemorySegment batch;
    private final int[] sizes = new int[16];
    private int count;

    ServerAcceptor(EventLoop loop, Arena arena) {
        this.loop = loop;
        this.version = arena.allocate(ValueLayout.JAVA_INT);
        this.type = arena.allocate(ValueLayout.JAVA_BYTE);
        this.scid = arena.allocate(ConnectionIds.MAX_LENGTH);
        this.scidLength = arena.allocate(ValueLayout.JAVA_LONG);
        this.dcid = arena.allocate(ConnectionIds.MAX_LENGTH);
        this.dcidLength = arena.allocate(ValueLayout.JAVA_LONG);
        this.token = arena.allocate(TOKEN_CAPACITY);
        this.tokenLength = arena.allocate(ValueLayout.JAVA_LONG);
        this.newScid = arena.allocate(ConnectionIds.LOCAL_LENGTH);
        this.peer = arena.allocate(SockAddr.STORAGE_LENGTH, 8);
        this.out = arena.allocate(2048, 8);
        this.batch = arena.allocate(16 * 1500, 8);
    }

    /** A new connection for this datagram, or null when it was answered statelessly or dropped. */
    ConnectionState onUnknownDatagram(ServerState server, Endpoint endpoint, MemorySegment datagram, int length, MemorySegment fromSockaddr, int fromLength) {
        if (!ConnectionIds.isLongHeader(datagram, 0) || length < Quiche.MIN_CLIENT_INITIAL_LEN) {
            server.datagramsDropped++; // only a padded Initial may start a connection
            return null;
        }
        scidLength.set(ValueLayout.JAVA_LONG, 0, ConnectionIds.MAX_LENGTH);
        dcidLength.set(ValueLayout.JAVA_LONG, 0, ConnectionIds.MAX_LENGTH);
        tokenLength.set(ValueLayout.JAVA_LONG, 0, TOKEN_CAPACITY);
        int rc = Quiche.headerInfo(datagram, length, ConnectionIds.LOCAL_LENGTH, version, type, scid, scidLength, dcid, dcidLength, token, tokenLength);
        if (rc < 0) {
            server.datagramsDropped++;
            return null;
        }
        InetSocketAddress from;
        try {
            from = SockAddr.NATIVE.read(fromSockaddr, fromLength);
        } catch (IllegalArgumentException e) {
            server.datagramsDropped++;
            return null;
        }
        int packetVersion = version.get(ValueLayout.JAVA_INT, 0);
        if (!Quiche.versionIsSupported(packetVersion)) {
            negotiateVersion(server, endpoint, from);
            return null;
        }
        if (type.get(ValueLayout.JAVA_BYTE, 0) != Quiche.TYPE_INITIAL) {
            server.datagramsDropped++;
            return null;
        }
        byte[] originalDcid = null;
        byte[] connectionId;
        if (server.retryTokens != null) {
            long tokenBytes = tokenLength.get(ValueLayout.JAVA_LONG, 0);
            if (tokenBytes == 0) {
                sendRetry(endpoint, server, from, packetVersion);
                return null;
            }
            originalDcid = server.retryTokens.validate(token.asSlice(0, tokenBytes).toArray(ValueLayout.JAVA_BYTE), from, System.currentTimeMillis());
            if (originalDcid == null) {
                server.invalidTokens++;
                return null;
            }
            // After a Retry the client addresses us by the id we chose in it: keep that id.
            if (dcidLength.get(ValueLayout.JAVA_LONG, 0) != ConnectionIds.LOCAL_LENGTH) {
                server.invalidTokens++;
                return null;
            }
            connectionId = dcid.asSlice(0, ConnectionIds.LOCAL_LENGTH).toArray(ValueLayout.JAVA_BYTE);
        } else {
            connectionId = loop.ids.next();
        }
        if (server.liveConnections >= server.config.maxConnections()) {
            refuse(endpoint, server, from, connectionId, originalDcid, datagram, length);
            return null;
        }
        return accept(endpoint, server, from, connectionId, originalDcid);
    }

    private ConnectionState accept(Endpoint endpoint, ServerState server, InetSocketAddress from, byte[] connectionId, byte[] originalDcid) {
        ConnectionState connection = new ConnectionState(loop.engine, false, server.listener, server, null, null, from, server.config.transport());
        Arena arena = Arena.ofConfined();
        connection.arena = arena;
        connection.endpoint = endpoint;
        connection.localAddress = endpoint.localAddress;
        connection.sourceId = arena.allocateFrom(ValueLayout.JAVA_BYTE, connectionId);
        connection.sourceIdKey = ConnectionIds.key(connectionId);
        connection.peerSockaddr = arena.allocate(SockAddr.STORAGE_LENGTH, 8);
        connection.peerSockaddrLength = SockAddr.NATIVE.write(from, connection.peerSockaddr);
        connection.traceId = ConnectionIds.hex(connection.sourceId, 8);
        MemorySegment odcid = originalDcid == null ? MemorySegment.NULL : arena.allocateFrom(ValueLayout.JAVA_BYTE, originalDcid);
        MemorySegment quiche = Quiche.accept(connection.sourceId, connectionId.length, odcid, originalDcid == null ? 0 : originalDcid.length,
                endpoint.localSockaddr, endpoint.localSockaddrLength, connection.peerSockaddr, connection.peerSockaddrLength, server.nativeConfig);
        if (quiche.address() == 0) {
            arena.close();
            server.datagramsDropped++;
            return null;
        }
        if (loop.router.knowsSourceId(connection.sourceIdKey)) {
            // A 64-bit key collision among live connections: vanishingly rare, and refusing is safe.
            QuicheConn.free(quiche);
            arena.close();
            return null;
        }
        loop.lifecycle.adopt(connection, quiche);
        if (originalDcid == null) {
            // Until the handshake moves the client to our id, it may send more packets to its own.
            loop.router.addOriginalId(connection, ConnectionIds.key(dcid, 0));
        }
        loop.lifecycle.configureLogging(connection, server.config.keyLogFile(), server.config.qlogDirectory());
        return connection;
    }

    private void negotiateVersion(ServerState server, Endpoint endpoint, InetSocketAddress from) {
        long n = Quiche.negotiateVersion(scid, scidLength.get(ValueLayout.JAVA_LONG, 0), dcid, dcidLength.get(ValueLayout.JAVA_LONG, 0),
                out, out.byteSize());
        if (n > 0) {
            server.versionNegotiationsSent++; // counted first, like refusals: whoever sees the reply sees the count
            send(endpoint, from, n);
        }
    }

    private void sendRetry(Endpoint endpoint, ServerState server, InetSocketAddress from, int packetVersion) {
        byte[] odcid = dcid.asSlice(0, dcidLength.get(ValueLayout.JAVA_LONG, 0)).toArray(ValueLayout.JAVA_BYTE);
        byte[] mintedToken = server.retryTokens.mint(from, odcid, System.currentTimeMillis());
        byte[] retryScid = loop.ids.next();
        MemorySegment.copy(retryScid, 0, newScid, ValueLayout.JAVA_BYTE, 0, retryScid.length);
        MemorySegment.copy(mintedToken, 0, token, ValueLayout.JAVA_BYTE, 0, mintedToken.length);
        long n = Quiche.retry(scid, scidLength.get(ValueLayout.JAVA_LONG, 0), dcid, dcidLength.get(ValueLayout.JAVA_LONG, 0),
                newScid, retryScid.length, token, mintedToken.length, packetVersion, out, out.byteSize());
        if (n > 0) {
            server.retriesSent++;
            send(endpoint, from, n);
        }
    }

    /**
     * Over the cap: answer with CONNECTION_CLOSE(CONNECTION_REFUSED) from a throw-away connection
     * that is freed at once, so the client learns why instead of timing out, and nothing is kept.
     * It costs one TLS flight per refused client.
     */
    private void refuse(Endpoint endpoint, ServerState server, InetSocketAddress from, byte[] connectionId, byte[] originalDcid,
                        MemorySegment datagram, int length) {
        server.connectionsRefused++;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment id = arena.allocateFrom(ValueLayout.JAVA_BYTE, connectionId);
            MemorySegment odcid = originalDcid == null ? MemorySegment.NULL : arena.allocateFrom(ValueLayout.JAVA_BYTE, originalDcid);
            int peerLength = SockAddr.NATIVE.write(from, peer);
            MemorySegment quiche = Quiche.accept(id, connectionId.length, odcid, originalDcid == null ? 0 : originalDcid.length,
                    endpoint.localSockaddr, endpoint.localSockaddrLength, peer, peerLength, server.nativeConfig);
            if (quiche.address() == 0) {
                return;
            }
            try {
                io.quicheengine.ffi.RecvInfo info = new io.quicheengine.ffi.RecvInfo(arena).from(peer, peerLength)
                        .to(endpoint.localSockaddr, endpoint.localSockaddrLength);
                io.quicheengine.ffi.SendInfo sendInfo = new io.quicheengine.ffi.SendInfo(arena);
                QuicheConn.recv(quiche, datagram, length, info.segment());
                // quiche closes in the newest keys it has: the client can read that close only
                // with the server's first flight, so the flight and the close leave together, as
                // one batch, and the client sees them in one go (its handshake never "completes").
                int batched = writeAll(quiche, sendInfo, 0);
                MemorySegment reason = arena.allocateFrom("server at connection limit");
                QuicheConn.close(quiche, false, TransportErrors.CONNECTION_REFUSED, reason, reason.byteSize() - 1);
                batched = writeAll(quiche, sendInfo, batched);
                sendBatch(endpoint, from, batched);
            } finally {
                QuicheConn.free(quiche);
            }
        }
    }

    /** Writes quiche's datagrams back to back after {@code at}; returns the end. Sizes go to {@link #sizes}. */
    private int writeAll(MemorySegment quiche, io.quicheengine.ffi.SendInfo sendInfo, int at) {
        int end = at;
        while (count < sizes.length && end + 1500 <= batch.byteSize()) {
            long n = QuicheConn.sendToAddress(quiche, batch.address() + end, batch.byteSize() - end, sendInfo.segment());
            if (n <= 0) {
                break;
            }
            sizes[count++] = (int) n;
            end += (int) n;
        }
        return end;
    }

    /** One GSO send when the datagrams allow it (all the same size but the last), else one send each. */
    private void sendBatch(Endpoint endpoint, InetSocketAddress to, int length) {
        int toLength = SockAddr.NATIVE.write(to, peer);
        boolean uniform = count > 0;
        for (int i = 1; i < count - 1; i++) {
            uniform &= sizes[i] == sizes[0];
        }
        uniform &= count < 2 || sizes[count - 1] <= sizes[0];
        try {
            if (uniform && count <= endpoint.maxSegments()) {
                endpoint.send(batch.address(), length, sizes[0], peer, toLength, to);
            } else {
                long offset = 0;
                for (int i = 0; i < count; i++) {
                    endpoint.send(batch.address() + offset, sizes[i], sizes[i], peer, toLength, to);
                    offset += sizes[i];
                }
            }
        } catch (IOException e) {
            // A refusal that cannot be sent is not sent: the client's handshake times out instead.
        } finally {
            count = 0;
        }
    }

    private void send(Endpoint endpoint, InetSocketAddress to, long length) {
        int toLength = SockAddr.NATIVE.write(to, peer);
        try {
            endpoint.send(out.address(), (int) length, (int) length, peer, toLength, to);
        } catch (IOException e) {
            // A stateless reply that cannot be sent is simply not sent; the client retries.
        }
    }
}
