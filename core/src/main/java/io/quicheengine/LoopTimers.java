package io.quicheengine;

import io.quicheengine.ffi.QuicheConn;

/**
 * Every live connection's next deadline (quiche's timer, or the engine's own close and handshake
 * deadlines) in one binary min-heap ordered by {@link ConnectionState#timerDeadline}; each
 * connection knows its place ({@link ConnectionState#timerIndex}, -1 when it has no timer), so
 * moving or cancelling a timer costs O(log n) and the earliest deadline, asked before every park,
 * O(1). Loop thread only.
 */
final class LoopTimers {
    /**
     * A timer already due this little later than the new deadline stays as it is: a connection
     * processed every cycle would otherwise be moved in the heap every cycle for nothing.
     */
    private static final long SLACK_NANOS = 1L << 17;

    private final EventLoop loop;
    private ConnectionState[] heap = new ConnectionState[64];
    private int size;

    LoopTimers(EventLoop loop) {
        this.loop = loop;
    }

    /** Fires every timer due by now: quiche's timeout runs and the connection is processed this cycle. */
    int fire() {
        long now = loop.now();
        int fired = 0;
        while (size > 0 && heap[0].timerDeadline - now <= 0) {
            ConnectionState connection = heap[0];
            removeAt(0);
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
        return size == 0 ? Long.MAX_VALUE : heap[0].timerDeadline;
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
        int index = connection.timerIndex;
        if (index < 0) {
            connection.timerDeadline = deadline;
            add(connection);
            return;
        }
        long later = connection.timerDeadline - deadline;
        if (later >= 0 && later < SLACK_NANOS) {
            return;
        }
        connection.timerDeadline = deadline;
        if (later > 0) {
            siftUp(index);
        } else {
            siftDown(index);
        }
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
            removeAt(connection.timerIndex);
        }
    }

    private void add(ConnectionState connection) {
        if (size == heap.length) {
            heap = java.util.Arrays.copyOf(heap, size * 2);
        }
        heap[size] = connection;
        connection.timerIndex = size;
        size++;
        siftUp(size - 1);
    }

    private void removeAt(int index) {
        ConnectionState removed = heap[index];
        removed.timerIndex = -1;
        size--;
        ConnectionState last = heap[size];
        heap[size] = null;
        if (index < size) {
            heap[index] = last;
            last.timerIndex = index;
            siftDown(index);
            if (heap[index] == last) {
                siftUp(index);
            }
        }
    }

    private void siftUp(int index) {
        ConnectionState moving = heap[index];
        while (index > 0) {
            int parent = (index - 1) >>> 1;
            ConnectionState above = heap[parent];
            if (above.timerDeadline - moving.timerDeadline <= 0) {
                break;
            }
            heap[index] = above;
            above.timerIndex = index;
            index = parent;
        }
        heap[index] = moving;
        moving.timerIndex = index;
    }

    private void siftDown(int index) {
        ConnectionState moving = heap[index];
        int half = size >>> 1;
        while (index < half) {
            int child = 2 * index + 1;
            int right = child + 1;
            if (right < size && heap[right].timerDeadline - heap[child].timerDeadline < 0) {
                child = right;
            }
            ConnectionState below = heap[child];
            if (moving.timerDeadline - below.timerDeadline <= 0) {
                break;
            }
            heap[index] = below;
            below.timerIndex = index;
            index = child;
        }
        heap[index] = moving;
        moving.timerIndex = index;
    }
}
