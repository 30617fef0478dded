package io.quicheengine;

import io.quicheengine.ffi.QuicheConn;
import io.quicheengine.ffi.QuicheError;
import io.quicheengine.ffi.QuicheSendComplete;
import io.quicheengine.ffi.QuicheStream;
import io.quicheengine.internal.io.Endpoint;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;

/**
 * Closing connections: a close that first flushes what was accepted and waits for the peer's
 * acknowledgements, an immediate close, a failed handshake, a connection failed by an exception;
 * and watching fins until the peer acknowledged them. Loop thread only.
 */
final class ConnectionCloser {
    private final EventLoop loop;
    private final EngineSettings settings;

    ConnectionCloser(EventLoop loop) {
        this.loop = loop;
        this.settings = loop.settings;
    }

    /**
     * A close this side asked for: stop taking writes now, but send the CONNECTION_CLOSE only once
     * every byte and fin accepted so far is in quiche and acknowledged by the peer, or once the
     * request's flush time has passed (then the loss is reported, see {@link #closeIfFlushed}).
     */
    void closeAfterFlush(ConnectionState connection, CloseRequest request) {
        if (connection.finalized || connection.quiche.address() == 0) {
            return;
        }
        if (connection.closeDeadline != 0 || connection.pendingClose != null) {
            return; // already closing
        }
        if (connection.state < ConnectionState.CLOSING) {
            connection.state = ConnectionState.CLOSING; // writers stop here: what they got in before is what is owed
        }
        connection.discardUnread = true;
        connection.pendingClose = request;
        connection.flushDeadline = loop.now() + Math.max(request.flushNanos(), 0);
        for (StreamState stream : connection.streams.values()) {
            EventLoop.unpark(stream.writeWaiter);
            // The application will read no more: take in and drop what the peer sends, so a full
            // read ring does not stop the peer (or quiche) from finishing while the close waits.
            if (stream.canRead) {
                loop.reader.discardReadable(connection, stream.id);
            }
        }
        closeIfFlushed(connection, false);
        loop.markDirty(connection);
    }

    /**
     * Sends the pending close once everything accepted is delivered (or quiche is closing anyway);
     * at the flush deadline, or when {@code force}d, it closes regardless and reports every stream
     * whose bytes or fin the peer did not acknowledge: their finish futures fail, and the error
     * handler is told.
     */
    void closeIfFlushed(ConnectionState connection, boolean force) {
        CloseRequest request = connection.pendingClose;
        MemorySegment quiche = connection.quiche;
        boolean quicheClosing = QuicheConn.isDraining(quiche) || QuicheConn.isClosed(quiche);
        if (!quicheClosing && !force && loop.now() - connection.flushDeadline < 0 && !allDelivered(connection)) {
            return;
        }
        connection.pendingClose = null;
        if (!quicheClosing && !allDelivered(connection)) {
            reportUndelivered(connection, request);
        }
        closeConnection(connection, request.application(), request.code(), request.reason());
    }

    /** Every byte and fin the application got in is in quiche, and quiche saw every fin acknowledged. */
    private static boolean allDelivered(ConnectionState connection) {
        if (!connection.unacked.isEmpty()) {
            return false;
        }
        for (StreamState stream : connection.streams.values()) {
            if (!handedOver(stream)) {
                return false;
            }
        }
        return true;
    }

    /** No accepted byte or fin of the stream waits in the ring or the pending buffer (or its write side is dead). */
    private static boolean handedOver(StreamState stream) {
        return StreamWriter.writeDead(stream) || stream.creditUsed() == 0 && (!stream.finSubmitted || stream.finSent);
    }

    private void reportUndelivered(ConnectionState connection, CloseRequest request) {
        StringBuilder streams = new StringBuilder();
        for (StreamState stream : connection.streams.values()) {
            if (!handedOver(stream)) {
                streams.append(streams.isEmpty() ? "" : ", ").append(stream.id).append(" (").append(stream.creditUsed())
                        .append(" bytes not yet sent)");
            }
        }
        for (int i = 0; i < connection.unacked.size(); i++) {
            streams.append(streams.isEmpty() ? "" : ", ").append(connection.unacked.get(i).id).append(" (fin not acknowledged)");
        }
        ClosedException loss = new ClosedException("closing " + connection + " after " + request.flushNanos() / 1_000_000
                + " ms without the peer acknowledging everything accepted: streams " + streams);
        for (int i = 0; i < connection.unacked.size(); i++) {
            connection.unacked.get(i).finished.completeExceptionally(loss);
        }
        for (StreamState stream : connection.streams.values()) {
            stream.finished.completeExceptionally(loss);
        }
        settings.errorHandler().onError(connection.handle, loss.getMessage(), loss);
    }

    /**
     * Moves streams whose fin quiche took off the unacknowledged list once the peer acknowledged
     * every byte and the fin (the finish future succeeds) or the send side was stopped (it fails).
     *
     * <p>The optimized libquiche answers exactly, per stream, through the project's patch 0004
     * ({@link QuicheSendComplete}). Upstream quiche 0.24.5, and so the debug fallback, has no such
     * query; there it is inferred from quiche forgetting the stream, which it does only when the
     * stream is complete: every byte and the fin acknowledged and (bidirectional) the receive side
     * ended too. {@code quiche_conn_stream_capacity} then answers INVALID_STREAM_STATE; while the
     * peer's STOP_SENDING is known it answers STREAM_STOPPED instead. A bidirectional stream whose
     * receive side is still open cannot be complete there, so it is not asked about (no downcall
     * per cycle for a long-lived stream) unless the connection is closing; and a close waits for
     * the peer to end its side, or reports the fin unconfirmed.
     */
    void checkAcknowledged(ConnectionState connection) {
        ArrayList<StreamState> unacked = connection.unacked;
        boolean exact = QuicheSendComplete.available();
        for (int i = unacked.size() - 1; i >= 0; i--) {
            StreamState stream = unacked.get(i);
            boolean acknowledged;
            boolean stopped;
            if (exact) {
                int answer = QuicheSendComplete.query(connection.quiche, stream.id);
                // DONE: quiche collected the stream, which it does only once the send side ended.
                acknowledged = answer == QuicheSendComplete.COMPLETE || answer == QuicheError.DONE.code();
                stopped = answer == QuicheError.STREAM_STOPPED.code();
            } else if (stream.canRead && !stream.readShutdown && stream.finalSize < 0 && stream.resetCode < 0 && connection.pendingClose == null) {
                continue;
            } else {
                long capacity = QuicheStream.capacity(connection.quiche, stream.id);
                acknowledged = capacity == QuicheError.INVALID_STREAM_STATE.code();
                stopped = capacity == QuicheError.STREAM_STOPPED.code();
            }
            if (acknowledged) {
                stream.finished.complete(null);
            } else if (stopped) {
                stream.finished.completeExceptionally(new ClosedException("stream " + stream.id + " was stopped by the peer (STOP_SENDING) before it acknowledged the fin"));
            } else if (!stream.finished.isDone()) {
                continue;
            }
            unacked.set(i, unacked.get(unacked.size() - 1));
            unacked.remove(unacked.size() - 1);
        }
    }

    void closeConnection(ConnectionState connection, boolean application, long code, String reason) {
        if (connection.finalized || connection.quiche.address() == 0) {
            return;
        }
        if (connection.state < ConnectionState.CLOSING) {
            connection.state = ConnectionState.CLOSING;
        }
        connection.discardUnread = true;
        if (connection.closeDeadline == 0) {
            // Send what is pending first (quiche will not send handshake data once closing), and
            // bound the close: a CONNECTION_CLOSE quiche never manages to send must not keep it alive.
            loop.egress.flush(connection);
            connection.closeDeadline = loop.now() + Math.max(settings.closeTimeout().toNanos(), 1);
        }
        byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment text = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, text, ValueLayout.JAVA_BYTE, 0, bytes.length);
            QuicheConn.close(connection.quiche, application, code, text, bytes.length);
        }
        loop.egress.flush(connection); // the CONNECTION_CLOSE leaves now, before anything else can touch the connection
        loop.markDirty(connection);
    }

    /** The engine's own idle timeout for a connection quiche gave no timer (see {@link LoopTimers}). */
    void closeTimerless(ConnectionState connection) {
        connection.timerlessDeadline = 0;
        closeConnection(connection, false, TransportErrors.NO_ERROR,
                "idle timeout (enforced by the engine: quiche armed no timer for this connection)");
    }

    /**
     * An ICMP port unreachable came back for a datagram sent to {@code destination}: every
     * connection to it still in its handshake fails now instead of retrying until a timeout. An
     * established connection lives on: one ICMP message (spoofable, or from a peer restarting)
     * is no reason to drop it, and its own loss recovery and idle timeout decide.
     */
    void onNothingListening(Endpoint endpoint, InetSocketAddress destination) {
        ConnectionRouter router = loop.router;
        for (int i = router.liveCount() - 1; i >= 0; i--) {
            ConnectionState connection = router.live(i);
            if (connection.endpoint == endpoint && connection.state == ConnectionState.HANDSHAKING && !connection.finalized
                    && destination.equals(connection.peerAddress)) {
                try {
                    failHandshake(connection, "nothing listening at " + hostAndPort(destination));
                } catch (RuntimeException e) {
                    failConnection(connection, "failing the handshake with " + connection.peerAddress, e);
                }
            }
        }
    }

    /** Ends a handshake that will not complete: the future fails with {@code why}, which is also the close reason. */
    void failHandshake(ConnectionState connection, String why) {
        closeConnection(connection, false, TransportErrors.CONNECTION_REFUSED, why);
        connection.closeReason = loop.lifecycle.closeReason(connection); // before the future fails: whoever it wakes may ask why
        connection.handshake.completeExceptionally(new ClosedException("the handshake with " + connection.peerAddress + " failed: " + why));
    }

    private static String hostAndPort(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        if (address.getAddress() instanceof java.net.Inet6Address v6) {
            host = "[" + (v6.getScopeId() == 0 && host.indexOf('%') >= 0 ? host.substring(0, host.indexOf('%')) : host) + "]";
        }
        return host + ":" + address.getPort();
    }

    /** An exception while serving one connection closes that connection only, and is reported. */
    void failConnection(ConnectionState connection, String context, Throwable error) {
        settings.errorHandler().onError(connection.handle, context, error);
        if (connection.finalized) {
            return;
        }
        try {
            closeConnection(connection, false, TransportErrors.INTERNAL_ERROR, "internal error");
            loop.egress.flush(connection);
        } catch (RuntimeException again) {
            settings.errorHandler().onError(connection.handle, "closing after an error", again);
        }
        loop.lifecycle.finalizeConnection(connection);
    }
}
