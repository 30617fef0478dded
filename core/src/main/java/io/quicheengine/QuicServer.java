package io.quicheengine;

import io.quicheengine.internal.io.AppWait;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A server bound to one UDP socket, serving many connections routed by connection id. Every
 * method may be called from any thread.
 *
 * <p>Without a {@link QuicListener}, new connections are queued for {@link #accept()}; with one,
 * they are announced through its callbacks instead.
 */
public final class QuicServer implements AutoCloseable {
    private final ServerState state;

    QuicServer(ServerState state) {
        this.state = state;
    }

    /** The address the socket is bound to (with the real port when 0 was asked for). */
    public InetSocketAddress localAddress() {
        return state.localAddress;
    }

    /**
     * The next new connection, or null; polling mode only. A connection whose 0-RTT data was accepted
     * ({@link ServerConfig.Builder#earlyData}) comes before its handshake completes, so its early
     * streams can be answered at once. Any thread.
     */
    public QuicConnection accept() {
        if (state.acceptQueue == null) {
            throw new IllegalStateException("this server has a listener: new connections are announced by its callbacks, not queued");
        }
        return state.acceptQueue.poll();
    }

    /**
     * The next new connection, waiting up to {@code timeout} with the engine's application wait
     * strategy (BLOCKING and an application idle strategy wait as BACKOFF here: the loop does not
     * signal queued connections);
     * polling mode only. Any thread but the loop's; an invoker's owner runs duty cycles while it waits.
     *
     * @return the connection, or null when none came in time ({@link Duration#ZERO} polls once)
     * @throws IllegalArgumentException when {@code timeout} is null or negative
     * @throws IllegalStateException    when the server has a listener, or called on the loop thread
     * @throws ClosedException          when the server or the engine is closed and nothing is queued
     */
    public QuicConnection accept(Duration timeout) {
        long deadline = AppWait.deadline(timeout);
        if (state.acceptQueue == null) {
            throw new IllegalStateException("this server has a listener: new connections are announced by its callbacks, not queued");
        }
        if (state.engine.waitsForItself()) {
            throw new IllegalStateException("waiting to accept on the loop thread would wait for itself: use a listener or accept()");
        }
        int iteration = 0;
        while (true) {
            QuicConnection connection = state.acceptQueue.poll();
            if (connection != null) {
                return connection;
            }
            if (state.closed) {
                // Queued before the close became visible: still the caller's.
                connection = state.acceptQueue.poll();
                if (connection != null) {
                    return connection;
                }
                throw new ClosedException("server " + state.localAddress + " is closed: no more connections come");
            }
            state.engine.checkOpen();
            if (System.nanoTime() - deadline >= 0) {
                return null;
            }
            state.engine.pauseUnsignalled(iteration++, deadline);
        }
    }

    /** Connections currently open (not yet closed and freed). */
    public int connectionCount() {
        return state.liveConnections;
    }

    /**
     * Counters: connections accepted (handshake completed), Initial datagrams refused over the cap
     * (a client may resend its Initial before it sees the refusal), version negotiations and retries
     * sent, invalid retry tokens, datagrams dropped as malformed or unroutable.
     */
    public ServerStats stats() {
        return new ServerStats(state.liveConnections, state.connectionsAccepted, state.connectionsRefused, state.versionNegotiationsSent,
                state.retriesSent, state.invalidTokens, state.datagramsDropped);
    }

    /** Completes when the server's connections are closed and its socket released. */
    public CompletableFuture<Void> closeFuture() {
        return state.closedFuture;
    }

    /**
     * Closes every connection of this server (application error 0) once what it accepted was
     * delivered, as {@link QuicConnection#close()} does, and releases the socket; returns without waiting.
     */
    @Override
    public void close() {
        if (state.closed || state.engine.state() != EngineCore.RUNNING) {
            return;
        }
        state.engine.submitControl(Command.RUN, null, null, 0, false, (Runnable) () -> state.engine.loop().closeServer(state));
    }

    @Override
    public String toString() {
        return "QuicServer[" + state.localAddress + "]";
    }

    /** Server counters. Immutable; any thread. */
    public record ServerStats(int liveConnections, long accepted, long refused, long versionNegotiationsSent, long retriesSent,
                              long invalidTokens, long datagramsDropped) {
    }
}
