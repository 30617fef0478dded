package io.quicheengine;

import io.quicheengine.ffi.QuicheConn;
import io.quicheengine.ffi.QuicheError;
import io.quicheengine.ffi.RecvInfo;
import io.quicheengine.ffi.SockAddr;
import io.quicheengine.internal.io.Endpoint;
import io.quicheengine.internal.server.ConnectionIds;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.ArrayList;

/**
 * The loop's UDP sockets: the client socket (opened on the first connect) and one per server.
 * Reads them each cycle and hands every datagram to the connection it is addressed to, or to the
 * server's acceptor; opens, starts and closes servers. Loop thread only.
 */
final class LoopSockets {
    private static final int RECEIVE_BATCH = 64;

    private final EventLoop loop;
    private final EngineSettings settings;
    private final RecvInfo recvInfo;
    private final ArrayList<Endpoint> endpoints = new ArrayList<>();
    /** Where each endpoint's datagrams go (same index as {@link #endpoints}): a server's sink knows its server. */
    private final ArrayList<Endpoint.DatagramSink> sinks = new ArrayList<>();
    private final ArrayList<ServerState> servers = new ArrayList<>();
    private final Endpoint.DatagramSink clientSink = (endpoint, buffer, offset, length, from, fromLength) ->
            onDatagram(null, endpoint, buffer, offset, length, from, fromLength);
    private final Endpoint.UnreachableSink onNothingListening;
    private Endpoint clientEndpoint;
    /** Send drops of endpoints already closed, so the published total never goes down. */
    private long closedEndpointSendDrops;

    LoopSockets(EventLoop loop) {
        this.loop = loop;
        this.settings = loop.settings;
        this.recvInfo = new RecvInfo(loop.engine.arena);
        this.onNothingListening = (endpoint, destination) -> loop.closer.onNothingListening(endpoint, destination);
    }

    int receive() {
        int work = 0;
        for (int i = 0; i < endpoints.size(); i++) {
            Endpoint endpoint = endpoints.get(i);
            try {
                work += endpoint.receive(sinks.get(i), RECEIVE_BATCH);
            } catch (IOException e) {
                settings.errorHandler().onError(null, "receiving on " + endpoint.localAddress, e);
            }
        }
        return work;
    }

    private void onDatagram(ServerState server, Endpoint endpoint, MemorySegment buffer, long offset, int length, MemorySegment from, int fromLength) {
        long idOffset = ConnectionIds.destinationOffset(buffer, offset, length);
        if (idOffset < 0) {
            if (server != null) {
                server.datagramsDropped++;
            }
            return;
        }
        ConnectionState connection = loop.router.route(endpoint, buffer, offset, idOffset);
        if (connection == null) {
            if (server != null && !server.closed && loop.engine.state() == EngineCore.RUNNING) {
                connection = loop.acceptor.onUnknownDatagram(server, endpoint, buffer.asSlice(offset, length), length, from, fromLength);
            }
            if (connection == null) {
                return;
            }
        }
        deliver(connection, buffer, offset, length, from, fromLength);
    }

    /** Feeds one datagram to its connection's quiche; it then needs processing this cycle. */
    private void deliver(ConnectionState connection, MemorySegment buffer, long offset, int length, MemorySegment from, int fromLength) {
        if (connection.finalized) {
            return;
        }
        // The source address is compared as bytes; only a real change (NAT rebinding) costs an object.
        if (!SockAddr.same(from, fromLength, connection.peerSockaddr, connection.peerSockaddrLength)) {
            recvInfo.from(from, fromLength);
        } else {
            recvInfo.from(connection.peerSockaddr, connection.peerSockaddrLength);
        }
        recvInfo.to(connection.endpoint.localSockaddr, connection.endpoint.localSockaddrLength);
        long read = QuicheConn.recvFromAddress(connection.quiche, buffer.address() + offset, length, recvInfo.segment());
        if (read < 0 && read != QuicheError.DONE.code()) {
            // A datagram quiche rejects (corrupt, duplicate, undecryptable) is dropped; the connection lives on.
            if (connection.server != null) {
                connection.server.datagramsDropped++;
            }
        }
        if (connection.datagrams != null) {
            loop.datagrams.pull(connection);
        }
        loop.markDirty(connection);
    }

    /** The socket every client connection of the engine shares, opened on first use. */
    Endpoint clientEndpoint(InetSocketAddress remote) throws IOException {
        if (clientEndpoint == null) {
            InetSocketAddress any = new InetSocketAddress(remote.getAddress() instanceof java.net.Inet6Address
                    ? java.net.InetAddress.getByName("::") : java.net.InetAddress.getByName("0.0.0.0"), 0);
            Endpoint endpoint = Endpoint.open(any, settings.portableSockets());
            try {
                endpoint.reportUnreachable(onNothingListening); // where it cannot, the handshake timeout ends the wait
                addEndpoint(endpoint, clientSink);
            } catch (IOException | RuntimeException e) {
                endpoint.close();
                throw e;
            }
            clientEndpoint = endpoint;
        }
        return clientEndpoint;
    }

    private void addEndpoint(Endpoint endpoint, Endpoint.DatagramSink sink) throws IOException {
        loop.engine.idler.register(endpoint);
        endpoints.add(endpoint);
        sinks.add(sink);
    }

    private void removeEndpoint(Endpoint endpoint) {
        closedEndpointSendDrops += endpoint.sendDrops;
        int index = endpoints.indexOf(endpoint);
        if (index >= 0) {
            endpoints.remove(index);
            sinks.remove(index);
        }
        loop.engine.idler.unregister(endpoint);
        endpoint.close();
    }

    /** Datagrams the engine's sockets dropped because their send buffer stayed full, since the engine started. */
    long sendDrops() {
        long drops = closedEndpointSendDrops;
        for (int i = 0; i < endpoints.size(); i++) {
            drops += endpoints.get(i).sendDrops;
        }
        return drops;
    }

    void startServer(ServerState server, Endpoint endpoint) throws IOException {
        server.nativeConfig = loop.configs.server(server.config);
        server.endpoint = endpoint;
        addEndpoint(endpoint, (socket, buffer, offset, length, from, fromLength) ->
                onDatagram(server, socket, buffer, offset, length, from, fromLength));
        servers.add(server);
    }

    void closeServer(ServerState server) {
        if (server.closed) {
            return;
        }
        server.closed = true;
        ConnectionRouter router = loop.router;
        for (int i = router.liveCount() - 1; i >= 0; i--) {
            ConnectionState connection = router.live(i);
            if (connection.server == server) {
                loop.closer.closeAfterFlush(connection, new CloseRequest(true, 0, "server closing", settings.closeTimeout().toNanos()));
            }
        }
        finishServerClose(server);
    }

    /** The server's socket closes once its last connection is gone. */
    void finishServerClose(ServerState server) {
        if (server.liveConnections == 0 && servers.remove(server)) {
            removeEndpoint(server.endpoint);
            server.closedFuture.complete(null);
        }
    }

    /** The loop died: whoever waits for a server's close fails with the cause. */
    void failServerWaiters(ClosedException cause) {
        for (ServerState server : servers) {
            server.closedFuture.completeExceptionally(cause);
        }
    }

    /** Engine shutdown: every socket closes and every server counts as closed. */
    void closeAll() {
        for (Endpoint endpoint : new ArrayList<>(endpoints)) {
            removeEndpoint(endpoint);
        }
        for (ServerState server : servers) {
            server.closedFuture.complete(null);
        }
        servers.clear();
    }
}
