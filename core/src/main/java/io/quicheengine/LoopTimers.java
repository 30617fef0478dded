package io.quicheengine;

import io.quicheengine.ffi.QuicheConn;

/**
 * Every live connection's next deadline (quiche's timer, or the engine's own close and handshake
 * deadlines) in one {@link DeadlineHeap}: moving or cancelling a timer costs O(log n), and the
 * earliest deadline, asked before every park, O(1). Fires the due ones. Loop thread only.
 */
final class LoopTimers {
    /**
     * A timer already due this little later than the new deadline stays as it is: a connection
     * processed every cycle would otherwise be moved in the heap every cycle for nothing.
     */
    private static final long SLACK_NANOS = 1L << 17;

    private final EventLoop loop;
    private final DeadlineHeap heap = new DeadlineHeap();

    LoopTimers(EventLoop loop) {
        this.loop = loop;
    }

    /** Fires every timer due by now: quiche's timeout runs and the connection is processed this cycle. */
    int fire() {
        long now = loop.now();
        int fired = 0;
        ConnectionState connection;
        while ((connection = heap.first()) != null && connection.timerDeadline - now <= 0) {
            heap.remove(connection);
            fired++;
            if (!connection.finalized) {
                QuicheConn.onTimeout(connection.quiche);
                loop.markDirty(connection);
            }
        }
        return fired;
    }

    /** The earliest deadline of any connection (loop clock), or {@code Long.MAX_VALUE} when none. */
    long earliestDeadline() {
        ConnectionState first = heap.first();
        return first == null ? Long.MAX_VALUE : first.timerDeadline;
    }

    /** Sets the connection's timer after it was processed: quiche's next timeout, or an engine deadline if earlier. */
    void update(ConnectionState connection) {
        long now = loop.now();
        long timeout = QuicheConn.timeoutAsNanos(connection.quiche);
        long closeDeadline = connection.pendingClose != null ? connection.flushDeadline : connection.closeDeadline;
        if (connection.state == ConnectionState.HANDSHAKING && connection.handshakeDeadline != 0) {
            closeDeadline = closeDeadline == 0 ? connection.handshakeDeadline : Math.min(closeDeadline, connection.handshakeDeadline);
        }
        if (timeout == -1 && closeDeadline == 0) {
            closeDeadline = timerlessDeadline(connection);
            if (closeDeadline == 0) {
                cancel(connection);
                return;
            }
        } else {
            connection.timerlessDeadline = 0;
        }
        long deadline = timeout == -1 ? closeDeadline : closeDeadline == 0 ? now + timeout : Math.min(now + timeout, closeDeadline);
        if (connection.timerIndex < 0) {
            heap.add(connection, deadline);
            return;
        }
        long later = connection.timerDeadline - deadline;
        if (later >= 0 && later < SLACK_NANOS) {
            return;
        }
        heap.move(connection, deadline);
    }

    /**
     * quiche keeps an idle timer armed on every live connection whose idle timeout is set, so a
     * live connection without any quiche timer is a bug (quiche's or ours) that would leave it asleep
     * for good. Report it, and give it the idle timeout to show a sign of life; otherwise it is
     * closed then, with a reason ({@link ConnectionCloser#closeTimerless}). Returns that deadline,
     * or 0 when no timer is expected (idle timeout disabled, or the connection already closing).
     */
    private long timerlessDeadline(ConnectionState connection) {
        long idle = idleTimeoutNanos(connection);
        if (idle <= 0 || connection.state >= ConnectionState.CLOSING || QuicheConn.isClosed(connection.quiche)) {
            return 0;
        }
        if (connection.timerlessDeadline == 0) {
            connection.timerlessDeadline = loop.now() + idle;
            loop.settings.errorHandler().onError(connection.handle, "quiche armed no timer for " + connection
                    + " although its idle timeout is set; the engine closes it after the idle timeout unless quiche arms one", null);
        }
        return connection.timerlessDeadline;
    }

    private static long idleTimeoutNanos(ConnectionState connection) {
        TransportSettings transport = connection.clientConfig != null ? connection.clientConfig.transport()
                : connection.server != null ? connection.server.config.transport() : null;
        return transport == null ? 0 : transport.idleTimeout().toNanos();
    }

    void cancel(ConnectionState connection) {
        if (connection.timerIndex >= 0) {
            heap.remove(connection);
        }
    }
}
