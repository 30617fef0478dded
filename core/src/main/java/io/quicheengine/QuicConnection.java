package io.quicheengine;

import io.quicheengine.internal.buffers.DatagramInbox;
import io.quicheengine.internal.io.AppWait;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;

/**
 * One QUIC connection, client or server side: a handle that application threads use to open and
 * accept streams, close, and read statistics. Every method may be called from any thread; none
 * calls quiche (control requests go to the loop through the command ring).
 *
 * <p>Futures returned here are completed on the loop thread: actions attached with
 * {@code thenRun} and friends run there too and must not block (use the {@code *Async} variants
 * for anything slow).
 */
public final class QuicConnection {
    private final ConnectionState state;
    /** The application's object; written and read by any thread. */
    private volatile Object attachment;

    QuicConnection(ConnectionState state) {
        this.state = state;
    }

    ConnectionState state() {
        return state;
    }

    /**
     * Attaches an application object (a session, an order book, a decoder) to this connection, replacing
     * any earlier one; null removes it. Kept until the application replaces it, also after close;
     * the engine never reads it. Any thread; a volatile store, so another thread's
     * {@link #attachment()} sees it.
     *
     * @return the object attached before, or null
     */
    public Object attach(Object attachment) {
        Object previous = this.attachment;
        this.attachment = attachment;
        return previous;
    }

    /** The object last {@linkplain #attach attached}, or null. Any thread. */
    public Object attachment() {
        return attachment;
    }

    /** Completes with this connection when the handshake is done, or exceptionally when it fails or the connection closes first. */
    public CompletableFuture<QuicConnection> handshake() {
        return state.handshake;
    }

    /**
     * Waits for the handshake.
     *
     * @throws QuicTimeoutException when it takes longer than {@code timeout}
     * @throws ClosedException      when the connection closed before the handshake completed (the message says why)
     */
    public QuicConnection awaitHandshake(Duration timeout) {
        long deadline = QuicStream.deadline(timeout);
        EngineCore engine = state.engine;
        if (engine.waitsForItself()) {
            throw new IllegalStateException("awaiting the handshake on the loop thread would wait for itself: use handshake() or onHandshakeComplete there");
        }
        Invoker invoker = engine.invoker();
        if (invoker != null && invoker.drivesWaits()) {
            invoker.await(state.handshake, deadline);
        }
        try {
            return state.handshake.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new QuicTimeoutException("handshake with " + state.peerAddress + " did not complete within " + timeout, 0);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof QuicException q) {
                throw q;
            }
            throw new ClosedException("handshake with " + state.peerAddress + " failed: " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuicException("interrupted while waiting for the handshake with " + state.peerAddress, e);
        }
    }

    /**
     * Opens a bidirectional stream without waiting. A client resuming a session with 0-RTT
     * ({@link ClientConfig.Builder#earlyData(boolean)}) may open streams and write before the
     * handshake completes, as soon as {@link #isEarlyData()} is true (the timed variant waits for that).
     *
     * @throws StreamLimitException when the peer's stream limit is reached
     * @throws IllegalStateException when the handshake has not completed (and 0-RTT has not begun)
     * @throws ClosedException when the connection or engine is closed
     */
    public QuicStream openBidirectionalStream() {
        return open(true, -1);
    }

    /** Opens a bidirectional stream, waiting up to {@code timeout} for the handshake and for the peer's stream limit. */
    public QuicStream openBidirectionalStream(Duration timeout) {
        return open(true, QuicStream.deadline(timeout));
    }

    /** Opens a unidirectional (send-only) stream without waiting; see {@link #openBidirectionalStream()}. */
    public QuicStream openUnidirectionalStream() {
        return open(false, -1);
    }

    /** Opens a unidirectional stream, waiting up to {@code timeout}. */
    public QuicStream openUnidirectionalStream(Duration timeout) {
        return open(false, QuicStream.deadline(timeout));
    }

    /**
     * The next stream the peer opened, or null when none is waiting. Only for connections without
     * a {@link QuicListener} (with one, {@link QuicListener#onStreamOpened} announces them).
     */
    public QuicStream acceptStream() {
        if (state.acceptQueue == null) {
            throw new IllegalStateException("this connection has a listener: peer streams are announced by onStreamOpened, not queued");
        }
        return state.acceptQueue.poll();
    }

    /**
     * The next stream the peer opened, waiting up to {@code timeout} with the engine's application
     * wait strategy (BLOCKING and an application idle strategy wait as BACKOFF here: the loop does not
     * signal queued streams). Only
     * for connections without a {@link QuicListener}. Any thread but the loop's.
     *
     * @return the stream, or null when none came in time ({@link Duration#ZERO} polls once)
     * @throws IllegalArgumentException when {@code timeout} is null or negative
     * @throws IllegalStateException    when the connection has a listener, or called on the loop thread
     * @throws ClosedException          when the connection or the engine is closed and nothing is queued
     */
    public QuicStream acceptStream(Duration timeout) {
        long deadline = AppWait.deadline(timeout);
        if (state.acceptQueue == null) {
            throw new IllegalStateException("this connection has a listener: peer streams are announced by onStreamOpened, not queued");
        }
        if (state.engine.waitsForItself()) {
            throw new IllegalStateException("waiting to accept a stream on the loop thread would wait for itself: use acceptStream()");
        }
        int iteration = 0;
        while (true) {
            QuicStream stream = state.acceptQueue.poll();
            if (stream != null) {
                return stream;
            }
            if (state.state >= ConnectionState.CLOSING) {
                // Queued before the close became visible: still the caller's.
                stream = state.acceptQueue.poll();
                if (stream != null) {
                    return stream;
                }
                throw new ClosedException("no more peer streams: connection " + state + " is " + state.closedDescription());
            }
            state.engine.checkOpen();
            if (System.nanoTime() - deadline >= 0) {
                return null;
            }
            state.engine.pauseUnsignalled(iteration++, deadline);
        }
    }

    /**
     * Sends one QUIC DATAGRAM (RFC 9221: unreliable, unordered, never retransmitted) without
     * blocking. Requires {@link TransportSettings.Builder#datagrams} on both sides. Any thread.
     *
     * <p>At most {@link TransportSettings#datagramQueueLength()} datagrams may be offered and not
     * yet have left quiche's send queue (which congestion control drains); beyond that the offer
     * says false, so an accepted datagram is never dropped for want of queue space. After false,
     * offer again once {@link #datagramCredit()} is positive, {@link #awaitDatagramCredit} returns
     * true, or {@link QuicListener#onDatagramsWritable} is called. What becomes of accepted
     * datagrams is counted in {@link #datagramStats()}.
     *
     * @return true when accepted: quiche will send it, or {@link #datagramStats()} counts why not
     *         (the connection closed first, or the path shrank); false when nothing was taken
     *         (quiche's send queue is full, or the command ring is)
     * @throws IllegalArgumentException when the payload is larger than {@link #maxDatagramSize()}
     * @throws IllegalStateException    when datagrams are off or the handshake has not completed
     * @throws ClosedException          when the connection or the engine is closing or closed
     */
    public boolean offerDatagram(byte[] source, int offset, int length) {
        Objects.requireNonNull(source, "source");
        Objects.checkFromIndexSize(offset, length, source.length);
        return offerDatagram(null, source, offset, length);
    }

    /**
     * Sends the buffer's remaining bytes as one QUIC DATAGRAM without blocking; see
     * {@link #offerDatagram(byte[], int, int)}. Heap or direct buffers alike.
     *
     * @return true when accepted, and then the buffer's position has moved to its limit; false
     *         when nothing was taken, and then the position is unchanged
     */
    public boolean offerDatagram(ByteBuffer source) {
        Objects.requireNonNull(source, "source");
        int length = source.remaining();
        boolean accepted = source.hasArray()
                ? offerDatagram(null, source.array(), source.arrayOffset() + source.position(), length)
                : offerDatagram(NativeMemory.ALL, null, NativeMemory.positionAddress(source), length);
        Reference.reachabilityFence(source);
        if (accepted) {
            source.position(source.position() + length);
        }
        return accepted;
    }

    /**
     * Sends {@code length} bytes of an Agrona buffer from {@code index} as one QUIC DATAGRAM without
     * blocking; see {@link #offerDatagram(byte[], int, int)}. The buffer may wrap a byte array, a
     * ByteBuffer or off-heap memory; it has no position to move.
     */
    public boolean offerDatagram(DirectBuffer source, int index, int length) {
        Objects.requireNonNull(source, "source");
        Objects.checkFromIndexSize(index, length, source.capacity());
        byte[] array = source.byteArray();
        if (array != null) {
            return offerDatagram(null, array, (int) (source.addressOffset() - BufferUtil.ARRAY_BASE_OFFSET) + index, length);
        }
        // Off-heap: addressOffset is the absolute address, whether the buffer wraps a ByteBuffer or raw memory.
        boolean accepted = offerDatagram(NativeMemory.ALL, null, source.addressOffset() + index, length);
        Reference.reachabilityFence(source);
        return accepted;
    }

    private boolean offerDatagram(MemorySegment segment, byte[] array, long offset, int length) {
        EngineCore engine = state.engine;
        engine.checkOpen();
        if (state.datagrams == null) {
            throw new IllegalStateException("datagrams are off for this connection: enable them with TransportSettings.builder().datagrams(queueLength)");
        }
        int s = state.state;
        if (s >= ConnectionState.CLOSING) {
            throw new ClosedException("cannot send a datagram: connection " + state + " is " + state.closedDescription());
        }
        if (s == ConnectionState.HANDSHAKING) {
            throw new IllegalStateException("cannot send a datagram before the handshake completed: await handshake() first");
        }
        int max = state.maxDatagramSize;
        if (length > max || length > engine.commands.slotSize()) {
            throw new IllegalArgumentException("datagram of " + length + " bytes is larger than the " + Math.min(max, engine.commands.slotSize())
                    + " bytes the peer (and one command slot) accepts");
        }
        if (!state.takeDatagramCredit()) {
            return false;
        }
        long sequence = engine.commands.tryClaim(1);
        if (sequence < 0) {
            state.refuseDatagramForRing();
            engine.ringFull = true; // the loop signals the refused once it has drained the ring
            engine.wakeLoop();
            return false;
        }
        Command command = engine.commands.get(sequence);
        command.type = Command.DATAGRAM;
        command.connection = state;
        command.stream = null;
        command.length = length;
        try {
            if (array != null) {
                MemorySegment.copy(array, (int) offset, command.payload, ValueLayout.JAVA_BYTE, 0, length);
            } else {
                MemorySegment.copy(segment, offset, command.payload, 0, length);
            }
        } catch (IllegalStateException e) {
            command.type = Command.NOOP;
            engine.commands.publish(sequence, sequence);
            state.returnDatagramCredit(1);
            throw new ClosedException("the engine closed during the datagram send", e);
        }
        engine.commands.publish(sequence, sequence);
        engine.wakeLoop();
        return true;
    }

    /**
     * Hands received QUIC DATAGRAMs in place to {@code handler}, at most {@code limit}, without
     * blocking; returns how many. One thread at a time.
     */
    public int pollDatagrams(DatagramHandler handler, int limit) {
        Objects.requireNonNull(handler, "handler");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        if (state.datagrams == null) {
            throw new IllegalStateException("datagrams are off for this connection: enable them with TransportSettings.builder().datagrams(queueLength)");
        }
        state.acquireDatagramReader();
        try {
            return state.datagrams.poll(handler, limit);
        } finally {
            state.datagramReader = 0;
        }
    }

    /** The largest datagram payload the peer accepts now; 0 before the handshake or when datagrams are off. */
    public int maxDatagramSize() {
        return state.maxDatagramSize;
    }

    /**
     * How many datagrams {@link #offerDatagram} may accept now: a poll-friendly writable signal
     * (an offer can still say false while the engine's command ring is full, for microseconds).
     * 0 when datagrams are off. Any thread.
     */
    public int datagramCredit() {
        return state.datagrams == null ? 0 : Math.max(0, state.datagramCredit);
    }

    /**
     * Waits, with the engine's application wait strategy, until {@link #datagramCredit()} is
     * positive. Any thread but the loop's.
     *
     * @return true when datagrams may be offered; false when {@code timeout} passed first
     * @throws IllegalStateException when datagrams are off, or called on the loop thread
     * @throws ClosedException       when the connection or the engine is closing or closed
     */
    public boolean awaitDatagramCredit(Duration timeout) {
        long deadline = QuicStream.deadline(timeout);
        EngineCore engine = state.engine;
        if (state.datagrams == null) {
            throw new IllegalStateException("datagrams are off for this connection: enable them with TransportSettings.builder().datagrams(queueLength)");
        }
        if (engine.waitsForItself()) {
            throw new IllegalStateException("waiting for datagram credit on the loop thread would wait for itself: use onDatagramsWritable there");
        }
        int iteration = 0;
        while (true) {
            engine.checkOpen();
            if (state.state >= ConnectionState.CLOSING) {
                throw new ClosedException("cannot send a datagram: connection " + state + " is " + state.closedDescription());
            }
            if (state.datagramCredit > 0) {
                return true;
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            if (engine.waitersRegister()) {
                // Register, then look again: the loop returns credit, then looks at the flag and the waiter.
                state.datagramWaiter = Thread.currentThread();
                state.datagramBlocked = true;
                if (state.datagramCredit > 0 || state.state >= ConnectionState.CLOSING) {
                    state.datagramWaiter = null;
                    continue;
                }
            }
            engine.pause(iteration++, deadline);
            state.datagramWaiter = null;
        }
    }

    /** Datagram counters, live: what became of every datagram offered, and what arrived. Any thread. */
    public DatagramStats datagramStats() {
        DatagramInbox inbox = state.datagrams;
        return state.datagramStats(inbox == null ? 0 : inbox.received, inbox == null ? 0 : inbox.dropped);
    }

    /**
     * Closes with application error 0 and no reason, after delivering what was accepted; see
     * {@link #close(long, String, Duration)} (the flush time is the engine's close timeout).
     */
    public void close() {
        close(0, "");
    }

    /**
     * Closes with {@code applicationErrorCode} and {@code reason} after delivering what was accepted,
     * waiting at most the engine's close timeout ({@link QuicEngine.Builder#closeTimeout}); see
     * {@link #close(long, String, Duration)}.
     */
    public void close(long applicationErrorCode, String reason) {
        close(applicationErrorCode, reason, state.engine.settings.closeTimeout());
    }

    /**
     * Closes gracefully with application error 0 and no reason, delivering what was accepted for
     * up to {@code flushTimeout}; see {@link #close(long, String, Duration)}.
     *
     * @return {@link #closeFuture()}
     */
    public CompletableFuture<CloseReason> closeGracefully(Duration flushTimeout) {
        close(0, "", flushTimeout);
        return state.closed;
    }

    /**
     * Closes without blocking. From this call on no write is accepted; everything accepted before
     * (bytes and fins, also still queued in the engine) is handed to quiche, and the CONNECTION_CLOSE
     * with {@code applicationErrorCode} and {@code reason} is sent once the peer acknowledged every
     * finished stream ({@link QuicStream#finishFuture()}) or after {@code flushTimeout}, whichever
     * comes first. When the time runs out first the loss is reported, never silent: the affected
     * streams' finish futures fail and the engine's error handler is told which streams. Then the
     * connection drains briefly and its resources are released, bytes not read yet included. Harmless
     * when already closing. When the peer (or the idle timeout) closed the connection first, the
     * bytes it sent before stay readable for 30 seconds, or until this method is called. Any thread.
     *
     * @param flushTimeout how long delivery may take; {@link Duration#ZERO} closes at once (and reports what was not delivered)
     */
    public void close(long applicationErrorCode, String reason, Duration flushTimeout) {
        QuicStream.checkErrorCode(applicationErrorCode);
        Objects.requireNonNull(reason, "reason");
        if (reason.length() > 1000) {
            throw new IllegalArgumentException("reason must be at most 1000 characters, was " + reason.length());
        }
        Objects.requireNonNull(flushTimeout, "flushTimeout");
        if (flushTimeout.isNegative()) {
            throw new IllegalArgumentException("flushTimeout must not be negative, was " + flushTimeout);
        }
        long flushNanos = flushTimeout.compareTo(Duration.ofDays(365)) > 0 ? Duration.ofDays(365).toNanos() : flushTimeout.toNanos();
        if (state.engine.state() != EngineCore.RUNNING) {
            return;
        }
        if (state.state == ConnectionState.CLOSED) {
            // Closed by the peer or a timeout already: closing now says its unread bytes may go.
            state.engine.submitControl(Command.RUN, null, null, 0, false, (Runnable) () -> state.engine.loop().discardUnread(state));
            return;
        }
        if (state.state == ConnectionState.CLOSING) {
            return;
        }
        state.engine.submitControl(Command.CLOSE_CONNECTION, state, null, applicationErrorCode, true,
                new CloseRequest(true, applicationErrorCode, reason, flushNanos));
    }

    /** Completes with the reason once the connection closed and released its resources. */
    public CompletableFuture<CloseReason> closeFuture() {
        return state.closed;
    }

    public boolean isEstablished() {
        return state.state == ConnectionState.ESTABLISHED;
    }

    public boolean isClosed() {
        return state.state == ConnectionState.CLOSED;
    }

    /** Why the connection closed, or null while it is open. */
    public CloseReason closeReason() {
        return state.closeReason;
    }

    /** The latest statistics the loop published (every stats interval, and at close). */
    public ConnectionStats stats() {
        return state.stats.snapshot();
    }

    public InetSocketAddress remoteAddress() {
        return state.peerAddress;
    }

    /** The local socket address, once the connection's socket is bound (null before). */
    public InetSocketAddress localAddress() {
        return state.localAddress;
    }

    /** The negotiated ALPN protocol, or null before the handshake completed. */
    public String applicationProtocol() {
        return state.applicationProtocol;
    }

    /**
     * Client: the server's session ticket as bytes to pass to a later
     * {@link QuicEngine#connect(InetSocketAddress, ClientConfig, QuicListener, byte[])} for a
     * resumed (and possibly 0-RTT) handshake; null until the ticket arrived, which is after the
     * handshake (usually within a round trip), and always null on a server. A new copy per call;
     * any thread. The bytes hold secrets that let their holder resume as this client: keep them
     * like a credential, and for the same server name and ALPN only.
     */
    public byte[] session() {
        byte[] session = state.session;
        return session == null ? null : session.clone();
    }

    /** Whether the handshake resumed an earlier session (false until the handshake completed). Any thread. */
    public boolean isResumed() {
        return state.resumed;
    }

    /**
     * On a client: whether it resumed a session that allows 0-RTT and so began sending early data
     * (streams may be opened and written before the handshake completes). quiche 0.24.5 does not
     * tell a client whether the server then accepted it; if the server refused, the early bytes are
     * sent again after the handshake and nothing is lost. On a server: whether it accepted this
     * client's 0-RTT data, which an attacker may have replayed (see {@link ServerConfig.Builder#earlyData}).
     * Any thread.
     */
    public boolean isEarlyData() {
        return state.earlyData;
    }

    public boolean isClient() {
        return state.client;
    }

    @Override
    public String toString() {
        return "QuicConnection[" + state + "]";
    }

    private QuicStream open(boolean bidirectional, long deadline) {
        EngineCore engine = state.engine;
        int iteration = 0;
        while (true) {
            engine.checkOpen();
            int s = state.state;
            if (s >= ConnectionState.CLOSING) {
                throw new ClosedException("cannot open a stream: connection " + state + " is " + state.closedDescription());
            }
            if (s == ConnectionState.ESTABLISHED || state.earlyData && state.client) {
                // In 0-RTT the limits come from the resumed session; before either they are 0 and nothing opens.
                long index = state.claimStreamIndex(bidirectional);
                if (index >= 0) {
                    StreamState stream = new StreamState(state, state.streamId(index, bidirectional));
                    engine.submitControl(Command.STREAM_OPENED, state, stream, 0, false, null);
                    return stream.handle;
                }
            }
            if (deadline == -1) {
                if (s == ConnectionState.HANDSHAKING) {
                    throw new IllegalStateException("cannot open a stream before the handshake completed: await handshake() first"
                            + (state.resumeSession != null ? " (or, for 0-RTT, open with a timeout: it returns once early data can be sent)" : ""));
                }
                long limit = bidirectional ? state.peerBidiLimit : state.peerUniLimit;
                throw new StreamLimitException("the peer allows " + limit + " " + (bidirectional ? "bidirectional" : "unidirectional")
                        + " streams so far and all were opened: wait for it to raise the limit (MAX_STREAMS), or open with a timeout");
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new QuicTimeoutException(s == ConnectionState.HANDSHAKING
                        ? "cannot open a stream: the handshake did not complete in time"
                        : "cannot open a stream: the peer's stream limit was not raised in time", 0);
            }
            if (engine.waitsForItself()) {
                throw new IllegalStateException("waiting to open a stream on the loop thread would wait for itself");
            }
            state.streamLimitWaiter = Thread.currentThread();
            engine.pause(iteration++, deadline);
            state.streamLimitWaiter = null;
        }
    }
}
