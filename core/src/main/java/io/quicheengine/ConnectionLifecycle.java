package io.quicheengine;

import io.quicheengine.ffi.QuicheConn;
import io.quicheengine.ffi.QuicheDgram;
import io.quicheengine.ffi.QuicheError;
import io.quicheengine.ffi.SockAddr;
import io.quicheengine.internal.buffers.NativeResources;
import io.quicheengine.internal.io.Endpoint;
import io.quicheengine.internal.server.ConnectionIds;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A connection's life from the loop's side: connecting (client) or adopting a fresh quiche
 * connection (both sides), the handshake's end and 0-RTT, the peer's stream limits, and at last
 * finalizing: the close reason reported, streams released, native memory freed. Loop thread only.
 */
final class ConnectionLifecycle {
    /** Streams short of the published limit at which the loop starts refreshing it. */
    private static final int STREAM_LIMIT_MARGIN = 16;

    private final EventLoop loop;
    private final EngineSettings settings;
    private final NativeResources resources;
    private final MemorySegment isApp;
    private final MemorySegment errorCode;
    private final MemorySegment reasonPointer;
    private final MemorySegment reasonLength;

    ConnectionLifecycle(EventLoop loop) {
        this.loop = loop;
        this.settings = loop.settings;
        this.resources = loop.resources;
        Arena arena = loop.engine.arena;
        this.isApp = arena.allocate(ValueLayout.JAVA_BOOLEAN);
        this.errorCode = arena.allocate(ValueLayout.JAVA_LONG);
        this.reasonPointer = arena.allocate(ValueLayout.ADDRESS);
        this.reasonLength = arena.allocate(ValueLayout.JAVA_LONG);
    }

    void connect(ConnectionState connection) {
        try {
            MemorySegment config = loop.configs.client(connection.clientConfig);
            Endpoint endpoint = loop.sockets.clientEndpoint(connection.peerAddress);
            byte[] scid = loop.ids.next();
            Arena arena = Arena.ofConfined();
            connection.arena = arena;
            connection.endpoint = endpoint;
            connection.sourceId = arena.allocateFrom(ValueLayout.JAVA_BYTE, scid);
            connection.sourceIdKey = ConnectionIds.key(scid);
            connection.peerSockaddr = arena.allocate(SockAddr.STORAGE_LENGTH, 8);
            connection.peerSockaddrLength = SockAddr.NATIVE.write(connection.peerAddress, connection.peerSockaddr);
            connection.localAddress = endpoint.localAddress;
            connection.traceId = ConnectionIds.hex(connection.sourceId, 8);
            MemorySegment quiche = io.quicheengine.ffi.Quiche.connect(arena.allocateFrom(connection.serverName), connection.sourceId, scid.length,
                    endpoint.localSockaddr, endpoint.localSockaddrLength, connection.peerSockaddr, connection.peerSockaddrLength, config);
            if (quiche.address() == 0) {
                throw new IllegalStateException("quiche_connect refused the connection to " + connection.peerAddress);
            }
            resume(quiche, connection.resumeSession);
            adopt(connection, quiche);
            configureLogging(connection, connection.clientConfig.keyLogFile(), connection.clientConfig.qlogDirectory());
            loop.markDirty(connection);
        } catch (IOException | RuntimeException e) {
            connection.state = ConnectionState.CLOSED;
            connection.closeReason = new CloseReason(false, false, TransportErrors.INTERNAL_ERROR, String.valueOf(e.getMessage()), false);
            if (connection.arena != null) {
                connection.arena.close();
                connection.arena = null;
            }
            connection.handshake.completeExceptionally(new ClosedException("cannot connect to " + connection.peerAddress + ": " + e.getMessage(), e));
            connection.closed.complete(connection.closeReason);
        }
    }

    /** Offers the session for resumption; only possible before the connection sent its first packet. */
    private static void resume(MemorySegment quiche, byte[] session) {
        if (session == null) {
            return;
        }
        int rc;
        try (Arena temporary = Arena.ofConfined()) { // quiche copies the session
            rc = QuicheConn.setSession(quiche, temporary.allocateFrom(ValueLayout.JAVA_BYTE, session), session.length);
        }
        if (rc < 0) {
            QuicheConn.free(quiche);
            throw new IllegalArgumentException("the session of " + session.length + " bytes is not one QuicConnection.session() gave"
                    + " (quiche_conn_set_session: " + QuicheError.describe(rc) + ")");
        }
    }

    /** Takes ownership of a fresh quiche connection: routing, counting, the live list, the handshake deadline. */
    void adopt(ConnectionState connection, MemorySegment quiche) {
        connection.quiche = quiche;
        if (connection.handshakeTimeoutNanos > 0) {
            connection.handshakeDeadline = loop.now() + connection.handshakeTimeoutNanos;
        }
        resources.connections.increment();
        loop.router.add(connection);
        if (connection.server != null) {
            connection.server.liveConnections++;
        }
    }

    void configureLogging(ConnectionState connection, java.nio.file.Path keyLog, java.nio.file.Path qlogDirectory) {
        if (keyLog == null && qlogDirectory == null) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            if (keyLog != null) {
                QuicheConn.setKeylogPath(connection.quiche, arena.allocateFrom(keyLog.toString()));
            }
            if (qlogDirectory != null) {
                String file = qlogDirectory.resolve(connection.traceId + (connection.client ? "-client" : "-server") + ".sqlog").toString();
                QuicheConn.setQlogPath(connection.quiche, arena.allocateFrom(file), arena.allocateFrom("quiche-engine"), arena.allocateFrom(connection.toString()));
            }
        }
    }

    /** A connection in its handshake: established now, or given up at its handshake deadline. */
    void advanceHandshake(ConnectionState connection) {
        if (connection.state != ConnectionState.HANDSHAKING) {
            return;
        }
        MemorySegment quiche = connection.quiche;
        if (QuicheConn.isEstablished(quiche) && !QuicheConn.isDraining(quiche) && !QuicheConn.isClosed(quiche)) {
            onEstablished(connection); // not when a CONNECTION_CLOSE came with the last flight: that fails the handshake
        }
        if (connection.state == ConnectionState.HANDSHAKING && connection.handshakeDeadline != 0 && loop.now() - connection.handshakeDeadline >= 0) {
            loop.closer.failHandshake(connection, "handshake timed out after " + durationText(connection.handshakeTimeoutNanos));
        }
    }

    private static String durationText(long nanos) {
        long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    private void onEstablished(ConnectionState connection) {
        MemorySegment quiche = connection.quiche;
        QuicheConn.applicationProto(quiche, reasonPointer, reasonLength);
        connection.applicationProtocol = borrowedString(reasonPointer, reasonLength);
        // The handshake's last flight (the client's Finished) goes out before the application can
        // react: quiche cannot send an application close while that flight is still pending.
        loop.egress.flush(connection);
        if (connection.client && connection.earlyData) {
            // A server that refused the 0-RTT packets never acknowledges them, and with nothing else in
            // flight quiche would resend them only at its probe timeout (about 2 RTT more). A 1-RTT PING
            // now makes the server's next ACK reveal the loss one round trip after the handshake.
            QuicheConn.sendAckEliciting(quiche);
        }
        connection.resumed = QuicheConn.isResumed(quiche);
        connection.state = ConnectionState.ESTABLISHED;
        if (connection.datagrams != null) {
            long max = QuicheDgram.maxWritableLen(quiche);
            connection.maxDatagramSize = (int) Math.max(0, Math.min(max, connection.datagrams.maxLength()));
        }
        publishStreamLimits(connection);
        loop.stats.publish(connection);
        if (connection.server != null && !connection.announced && !announce(connection)) {
            return;
        }
        connection.handshake.complete(connection.handle);
        QuicListener listener = connection.listener;
        if (listener != null) {
            listener.onHandshakeComplete(connection.handle);
        }
        EventLoop.unpark(connection.streamLimitWaiter);
    }

    /** A server's new connection goes to its accept queue (polling mode); false when the queue is full and the connection refused. */
    private boolean announce(ConnectionState connection) {
        connection.announced = true;
        ServerState server = connection.server;
        server.connectionsAccepted++;
        if (server.acceptQueue != null && !server.acceptQueue.offer(connection.handle)) {
            settings.errorHandler().onError(connection.handle, "the accept queue of " + server.handle + " is full: the application does not call accept()", null);
            loop.closer.closeConnection(connection, false, TransportErrors.CONNECTION_REFUSED, "server busy");
            return false;
        }
        return true;
    }

    /** During the handshake, looks for 0-RTT; once established, a client keeps the session the server sends. */
    void watchSessionAndEarlyData(ConnectionState connection) {
        if (connection.state == ConnectionState.HANDSHAKING && !connection.earlyData) {
            watchEarlyData(connection);
        } else if (connection.client && connection.session == null && connection.state == ConnectionState.ESTABLISHED) {
            captureSession(connection);
        }
    }

    /**
     * 0-RTT begins: a client's first flight (sent just now) resumed a session that allows early
     * data, so streams may open on the limits the session remembers; a server decrypted the
     * client's 0-RTT. One downcall per handshake cycle, none once established.
     */
    private void watchEarlyData(ConnectionState connection) {
        if (QuicheConn.isInEarlyData(connection.quiche)) {
            connection.earlyData = true;
            if (connection.client) {
                publishStreamLimits(connection);
            } else if (!connection.announced) {
                announce(connection); // a polling server answers the early request now, not a round trip later
            }
        }
    }

    /** quiche keeps the session of the server's NewSessionTicket, which comes after the handshake; its pointer is borrowed. */
    private void captureSession(ConnectionState connection) {
        QuicheConn.session(connection.quiche, reasonPointer, reasonLength);
        long n = reasonLength.get(ValueLayout.JAVA_LONG, 0);
        MemorySegment address = reasonPointer.get(ValueLayout.ADDRESS, 0);
        if (n > 0 && address.address() != 0) {
            connection.session = address.reinterpret(n).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /**
     * Publishes how many streams the peer allows. Only worth two downcalls when the application
     * is close to the last published limit (or waits on it): a higher limit matters only then.
     */
    void publishStreamLimitsIfNear(ConnectionState connection) {
        if (connection.nextBidiIndex + STREAM_LIMIT_MARGIN >= connection.peerBidiLimit
                || connection.nextUniIndex + STREAM_LIMIT_MARGIN >= connection.peerUniLimit
                || connection.streamLimitWaiter != null) {
            publishStreamLimits(connection);
        }
    }

    private void publishStreamLimits(ConnectionState connection) {
        long bidi = connection.localBidiOpened + QuicheConn.peerStreamsLeftBidi(connection.quiche);
        long uni = connection.localUniOpened + QuicheConn.peerStreamsLeftUni(connection.quiche);
        if (bidi != connection.peerBidiLimit || uni != connection.peerUniLimit) {
            connection.peerBidiLimit = bidi;
            connection.peerUniLimit = uni;
            EventLoop.unpark(connection.streamLimitWaiter);
        }
    }

    /**
     * Finalizes the connection when quiche closed it or its close deadline passed (true), else
     * notices quiche draining: the close reason is known then.
     */
    boolean finalizeIfClosed(ConnectionState connection) {
        MemorySegment quiche = connection.quiche;
        if (QuicheConn.isClosed(quiche) || connection.closeDeadline != 0 && loop.now() - connection.closeDeadline >= 0) {
            finalizeConnection(connection);
            return true;
        }
        if (connection.state < ConnectionState.CLOSING && QuicheConn.isDraining(quiche)) {
            closing(connection);
        }
        return false;
    }

    /**
     * quiche is draining: a CONNECTION_CLOSE went out or came in. Say why now, rather than when the
     * draining period ends, so a failed handshake fails at once and writers stop early.
     */
    private void closing(ConnectionState connection) {
        CloseReason reason = closeReason(connection);
        connection.closeReason = reason;
        connection.state = ConnectionState.CLOSING;
        if (!connection.handshake.isDone()) {
            connection.handshake.completeExceptionally(new ClosedException("the handshake with " + connection.peerAddress + " failed: " + reason));
        }
        EventLoop.unpark(connection.streamLimitWaiter);
        EventLoop.unpark(connection.datagramWaiter);
        for (StreamState stream : connection.streams.values()) {
            EventLoop.unpark(stream.writeWaiter);
            EventLoop.unpark(stream.readWaiter);
        }
    }

    /** The connection is closed (or must go now): report why, release streams and native memory. */
    void finalizeConnection(ConnectionState connection) {
        if (connection.finalized) {
            return;
        }
        connection.finalized = true;
        MemorySegment quiche = connection.quiche;
        if (connection.queuedDatagrams > 0) {
            loop.datagrams.datagramsLeftQuiche(connection);
            connection.countDatagramsDroppedOnClose(connection.queuedDatagrams); // quiche never sends them now
            connection.queuedDatagrams = 0;
        }
        CloseReason reason = loop.engine.failure() != null && connection.closeReason != null ? connection.closeReason : closeReason(connection);
        loop.stats.publish(connection);
        connection.closeReason = reason;
        connection.state = ConnectionState.CLOSED;
        loop.timers.cancel(connection);
        loop.router.remove(connection);
        ArrayList<StreamState> streams = new ArrayList<>(connection.streams.values());
        connection.finalizedAt = loop.now();
        StreamCollector collector = loop.collector;
        for (StreamState stream : streams) {
            loop.writer.dropPending(stream);
            EventLoop.unpark(stream.writeWaiter);
            EventLoop.unpark(stream.readWaiter);
            collector.tryCollect(stream);
            collector.keepUnread(stream); // unread bytes stay readable for a while (StreamCollector.UNREAD_AFTER_CLOSE_NANOS)
        }
        connection.backlog.clear();
        if (connection.pendingClose != null) {
            connection.pendingClose = null; // quiche closed (or the engine stops) before the flush ended
        }
        ClosedException unconfirmed = new ClosedException("the peer did not acknowledge the whole stream before " + connection + " closed: " + reason);
        for (int i = 0; i < connection.unacked.size(); i++) {
            connection.unacked.get(i).finished.completeExceptionally(unconfirmed);
        }
        connection.unacked.clear();
        for (StreamState stream : streams) {
            stream.finished.completeExceptionally(unconfirmed);
        }
        QuicheConn.free(quiche);
        connection.quiche = MemorySegment.NULL;
        resources.connections.decrement();
        connection.arena.close();
        connection.arena = null;
        if (connection.server != null) {
            ServerState server = connection.server;
            server.liveConnections--;
            if (server.closed) {
                loop.sockets.finishServerClose(server);
            }
        }
        EventLoop.unpark(connection.streamLimitWaiter);
        EventLoop.unpark(connection.datagramWaiter);
        if (!connection.handshake.isDone()) {
            connection.handshake.completeExceptionally(new ClosedException("the handshake with " + connection.peerAddress + " failed: " + reason));
        }
        connection.closed.complete(reason);
        QuicListener listener = connection.listener;
        if (listener != null) {
            try {
                listener.onConnectionClosed(connection.handle, reason);
            } catch (RuntimeException e) {
                settings.errorHandler().onError(connection.handle, "the listener's onConnectionClosed threw", e);
            }
        }
    }

    /** Why quiche says the connection closed: the peer's error, ours, an idle timeout, or nothing said. */
    CloseReason closeReason(ConnectionState connection) {
        MemorySegment quiche = connection.quiche;
        if (QuicheConn.peerError(quiche, isApp, errorCode, reasonPointer, reasonLength)) {
            return new CloseReason(true, isApp.get(ValueLayout.JAVA_BOOLEAN, 0), errorCode.get(ValueLayout.JAVA_LONG, 0),
                    borrowedString(reasonPointer, reasonLength), false);
        }
        if (QuicheConn.localError(quiche, isApp, errorCode, reasonPointer, reasonLength)) {
            return new CloseReason(false, isApp.get(ValueLayout.JAVA_BOOLEAN, 0), errorCode.get(ValueLayout.JAVA_LONG, 0),
                    borrowedString(reasonPointer, reasonLength), false);
        }
        if (QuicheConn.isTimedOut(quiche)) {
            return new CloseReason(false, false, 0, "", true);
        }
        return new CloseReason(false, false, 0, "", false);
    }

    private static String borrowedString(MemorySegment pointer, MemorySegment length) {
        long n = length.get(ValueLayout.JAVA_LONG, 0);
        MemorySegment address = pointer.get(ValueLayout.ADDRESS, 0);
        if (n <= 0 || address.address() == 0) {
            return "";
        }
        return new String(address.reinterpret(n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }
}
