package io.quicheengine;

import io.quicheengine.ffi.QuicheDgram;
import io.quicheengine.ffi.QuicheError;
import io.quicheengine.internal.buffers.DatagramInbox;
import java.lang.foreign.MemorySegment;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * QUIC DATAGRAMs through the loop: offers handed to quiche, the send credit returned as they
 * leave quiche's queue, and what quiche received moved into each connection's inbox. Loop thread only.
 */
final class DatagramPath {
    private static final int DATAGRAM_BYTES = 65536;

    private final EventLoop loop;
    private final MemorySegment datagram;
    private final UnsafeBuffer datagramView;

    DatagramPath(EventLoop loop) {
        this.loop = loop;
        this.datagram = loop.engine.arena.allocate(DATAGRAM_BYTES, 8);
        this.datagramView = new UnsafeBuffer(datagram.address(), DATAGRAM_BYTES);
    }

    /**
     * Hands an accepted datagram to quiche. Its offer took credit, so quiche's queue has room; the
     * credit stays taken until the datagram leaves that queue ({@link #datagramsLeftQuiche}), or
     * comes back now when quiche refuses it.
     */
    void send(ConnectionState connection, Command command) {
        if (connection.finalized || connection.quiche.address() == 0 || connection.state >= ConnectionState.CLOSING) {
            connection.countDatagramsDroppedOnClose(1); // quiche sends no datagram once closing
            return;
        }
        long n = QuicheDgram.send(connection.quiche, command.payload, command.length);
        if (n >= 0) {
            int[] lengths = connection.queuedDatagramLengths;
            lengths[(connection.queuedDatagramsHead + connection.queuedDatagrams) % lengths.length] = command.length;
            connection.queuedDatagrams++;
            loop.markDirty(connection);
            return;
        }
        if (n == QuicheError.BUFFER_TOO_SHORT.code() || n == QuicheError.INVALID_STATE.code()) {
            connection.countDatagramTooLarge(); // the peer's limit, or the path, shrank since the offer checked it
        } else {
            connection.countDatagramsLeft(0, 1); // not taken: cannot happen while the credit mirrors quiche's queue
        }
        returnCredit(connection, 1);
    }

    /**
     * Counts the datagrams that left quiche's send queue since the last look and returns their
     * credit. quiche packs them into packets in order, or drops one unsent when it no longer fits
     * the path; the mirrored lengths tell which.
     */
    void datagramsLeftQuiche(ConnectionState connection) {
        int left = connection.queuedDatagrams - (int) QuicheDgram.sendQueueLen(connection.quiche);
        if (left <= 0) {
            return;
        }
        long fits = QuicheDgram.maxWritableLen(connection.quiche);
        int[] lengths = connection.queuedDatagramLengths;
        int head = connection.queuedDatagramsHead;
        long sent = 0;
        for (int i = 0; i < left; i++) {
            if (lengths[head] <= fits) {
                sent++;
            }
            head = head + 1 == lengths.length ? 0 : head + 1;
        }
        connection.queuedDatagramsHead = head;
        connection.queuedDatagrams -= left;
        connection.countDatagramsLeft(sent, left - sent);
        if (!connection.finalized) {
            returnCredit(connection, left);
        }
    }

    /** Credit back; the volatile add comes before the look at the flag (see {@link ConnectionState#takeDatagramCredit}). */
    private void returnCredit(ConnectionState connection, int datagrams) {
        connection.returnDatagramCredit(datagrams);
        if (connection.datagramBlocked) {
            writable(connection);
        }
    }

    private void writable(ConnectionState connection) {
        connection.datagramBlocked = false;
        EventLoop.unpark(connection.datagramWaiter);
        QuicListener listener = connection.listener;
        if (listener != null) {
            listener.onDatagramsWritable(connection.handle);
        }
    }

    /** The command ring drained after being full: offers it refused while they had credit may go again. */
    void writersAfterFullRing() {
        ConnectionRouter router = loop.router;
        for (int i = router.liveCount() - 1; i >= 0; i--) {
            ConnectionState connection = router.live(i);
            if (connection.datagramBlocked && connection.datagramCredit > 0 && !connection.finalized) {
                try {
                    writable(connection);
                } catch (RuntimeException e) {
                    loop.closer.failConnection(connection, "the listener's onDatagramsWritable", e);
                }
            }
        }
    }

    /**
     * Moves what quiche received into the inbox, right after each packet: quiche's own receive
     * queue is only {@link TransportSettings#datagramQueueLength()} long and silently drops its
     * oldest datagram when full, which a batch of received packets would otherwise overrun.
     */
    void pull(ConnectionState connection) {
        DatagramInbox inbox = connection.datagrams;
        while (true) {
            long n = QuicheDgram.recv(connection.quiche, datagram, datagram.byteSize());
            if (n < 0) {
                return;
            }
            inbox.deliver(datagramView, (int) n);
            connection.datagramsArrived = true;
        }
    }

    /** Pulls what is left and tells the listener when datagrams arrived since it was last told. */
    void receiveDatagrams(ConnectionState connection) {
        pull(connection);
        if (connection.datagramsArrived) {
            connection.datagramsArrived = false;
            if (connection.listener != null) {
                connection.listener.onDatagramsReadable(connection.handle);
            }
        }
    }
}
