package io.quicheengine;

import io.quicheengine.internal.buffers.DatagramInbox;
import io.quicheengine.internal.buffers.StatsCell;
import io.quicheengine.internal.io.Endpoint;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

/**
 * Everything the engine knows about one connection. Fields are grouped by who writes them. The
 * quiche pointer and everything beside it under "loop thread only" are touched by the loop alone.
 * The write credit writers reserve on every offer sits in a superclass, padded away from these
 * fields, which the loop writes and reads on every write (see {@link StreamStateReadMostly} for
 * why a superclass).
 */
final class ConnectionState extends ConnectionStatePadding {
    static final int HANDSHAKING = 0;
    static final int ESTABLISHED = 1;
    static final int CLOSING = 2;
    static final int CLOSED = 3;

    private static final VarHandle RESERVED;
    private static final VarHandle RETURNED;
    private static final VarHandle RETURNED_SEEN;
    private static final VarHandle DATAGRAMS_SENT;
    private static final VarHandle DATAGRAMS_TOO_LARGE;
    private static final VarHandle DATAGRAMS_PURGED;
    private static final VarHandle DATAGRAMS_DROPPED_ON_CLOSE;
    private static final VarHandle NEXT_BIDI;
    private static final VarHandle NEXT_UNI;
    private static final VarHandle DATAGRAM_READER;
    private static final VarHandle DATAGRAM_CREDIT;
    private static final VarHandle DATAGRAMS_REFUSED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            RESERVED = lookup.findVarHandle(ConnectionStateWriterCredit.class, "creditReserved", long.class);
            RETURNED = lookup.findVarHandle(ConnectionState.class, "creditReturned", long.class);
            RETURNED_SEEN = lookup.findVarHandle(ConnectionStateWriterCredit.class, "creditReturnedSeen", long.class);
            DATAGRAMS_SENT = lookup.findVarHandle(ConnectionState.class, "datagramsSent", long.class);
            DATAGRAMS_TOO_LARGE = lookup.findVarHandle(ConnectionState.class, "datagramsTooLarge", long.class);
            DATAGRAMS_PURGED = lookup.findVarHandle(ConnectionState.class, "datagramsPurged", long.class);
            DATAGRAMS_DROPPED_ON_CLOSE = lookup.findVarHandle(ConnectionState.class, "datagramsDroppedOnClose", long.class);
            NEXT_BIDI = lookup.findVarHandle(ConnectionState.class, "nextBidiIndex", long.class);
            NEXT_UNI = lookup.findVarHandle(ConnectionState.class, "nextUniIndex", long.class);
            DATAGRAM_READER = lookup.findVarHandle(ConnectionState.class, "datagramReader", int.class);
            DATAGRAM_CREDIT = lookup.findVarHandle(ConnectionState.class, "datagramCredit", int.class);
            DATAGRAMS_REFUSED = lookup.findVarHandle(ConnectionState.class, "datagramsRefused", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // ---- identity: immutable ----
    final EngineCore engine;
    final boolean client;
    final QuicConnection handle;
    /** Callbacks on the loop thread; null means the application polls (acceptStream). */
    final QuicListener listener;
    /** The server that accepted this connection, or null for a client connection. */
    final ServerState server;
    final ClientConfig clientConfig;
    final String serverName;
    final CompletableFuture<QuicConnection> handshake = new CompletableFuture<>();
    final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
    /** Peer-opened streams waiting for {@link QuicConnection#acceptStream()} (polling mode only). */
    final ManyToManyConcurrentArrayQueue<QuicStream> acceptQueue;
    final StatsCell stats = new StatsCell();
    /** Received QUIC DATAGRAMs waiting for the application, or null when datagrams are off. */
    final DatagramInbox datagrams;

    // ---- published by the loop ----
    volatile int state = HANDSHAKING;
    volatile CloseReason closeReason;
    volatile String applicationProtocol;
    volatile InetSocketAddress peerAddress;
    volatile InetSocketAddress localAddress;
    /** How many local bidirectional / unidirectional streams the peer allows in total so far. */
    volatile long peerBidiLimit;
    volatile long peerUniLimit;
    volatile Thread streamLimitWaiter;
    /** The connection's id as a hex string, for messages. */
    volatile String traceId = "";
    /** The largest DATAGRAM payload the peer accepts (0 before the handshake, or when datagrams are off). */
    volatile int maxDatagramSize;
    // Datagram counters: the loop is their only writer and publishes them with release stores
    // (countDatagrams...); other threads read them with datagramStats' acquire loads. Nothing waits
    // on them, so they need no fence: a reader sees each counter at a value it really had.
    /** Datagrams that left quiche's send queue in a packet. */
    long datagramsSent;
    /** Accepted, then refused by quiche as larger than the peer or path takes. */
    long datagramsTooLarge;
    /** Accepted and queued, then dropped by quiche from its queue unsent (it no longer fit the path). */
    long datagramsPurged;
    /** Accepted, then the connection closed before quiche sent them. */
    long datagramsDroppedOnClose;
    /** Write credit the loop gave back (bytes quiche took or the loop dropped): see StreamState#returnCreditFromLoop. */
    long creditReturned;
    /** Client: the session from the server's first ticket (a copy), for a later resumption; null before one arrived. */
    volatile byte[] session;
    /** The handshake resumed a session (published when established). */
    volatile boolean resumed;
    /** Client: it could send 0-RTT data (its session allowed it). Server: it accepted the client's 0-RTT data. */
    volatile boolean earlyData;

    // ---- written by application threads ----
    /** An offer was short of connection credit: the loop notifies all blocked streams once credit returns. */
    volatile boolean creditBlocked;
    /** One datagram reader at a time: 0 free, 1 busy. */
    volatile int datagramReader;
    volatile long nextBidiIndex;
    volatile long nextUniIndex;
    /**
     * Datagrams the application may offer now: quiche's send queue length less the datagrams
     * offered that have not left that queue yet. Offers take it, the loop gives it back, so an
     * accepted datagram always finds room in quiche's queue.
     */
    volatile int datagramCredit;
    /** An offer was refused: the loop tells the listener and the waiter once credit (or ring space) returns. */
    volatile boolean datagramBlocked;
    volatile Thread datagramWaiter;
    /** Offers that returned false. */
    volatile long datagramsRefused;

    /** Client: the session to resume, set before the connect command is published; null for a full handshake. */
    byte[] resumeSession;

    // ---- loop thread only ----
    MemorySegment quiche = MemorySegment.NULL;
    Arena arena;
    MemorySegment peerSockaddr;
    int peerSockaddrLength;
    Endpoint endpoint;
    MemorySegment sourceId;
    long sourceIdKey;
    long originalIdKey;
    boolean hasOriginalIdKey;
    final Long2ObjectHashMap<StreamState> streams = new Long2ObjectHashMap<>();
    final ArrayList<StreamState> backlog = new ArrayList<>();
    /** Its place in the loop's timer heap ({@link LoopTimers}), -1 while it has no timer. */
    int timerIndex = -1;
    long timerDeadline;
    /** Its place in the router's list of live connections ({@link ConnectionRouter}), -1 once gone. */
    int liveIndex = -1;
    /** Set while quiche has no timer for a live connection: when the engine closes it (LoopTimers.timerlessDeadline). */
    long timerlessDeadline;
    /** When a close this side asked for is given up waiting on (0: no close asked for). */
    long closeDeadline;
    /** From {@link TransportSettings#handshakeTimeout()}; 0: none. */
    final long handshakeTimeoutNanos;
    /** When a connection still in its handshake is given up (loop clock); 0: never. */
    long handshakeDeadline;
    /** A close waiting for accepted bytes to be handed over and acknowledged first (null: none). */
    CloseRequest pendingClose;
    /** When {@link #pendingClose} stops waiting and closes anyway, reporting what was not acknowledged. */
    long flushDeadline;
    /** Streams whose fin quiche took, until quiche confirms the peer acknowledged them. */
    final ArrayList<StreamState> unacked = new ArrayList<>();
    /** This side closed: bytes it never read are not worth keeping. */
    boolean discardUnread;
    /** When the connection was freed (for how long its unread bytes are kept). */
    long finalizedAt;
    boolean dirty;
    /** Loop: its last flush stopped at the per-flush packet limit; it is processed again next cycle. */
    boolean egressLeft;
    long lastStatsNanos;
    long localBidiOpened;
    long localUniOpened;
    long peerBidiNext;
    long peerUniNext;
    boolean finalized;
    /** The lengths of the datagrams in quiche's send queue, oldest first: a mirror of that queue. */
    final int[] queuedDatagramLengths;
    int queuedDatagramsHead;
    int queuedDatagrams;
    /** Datagrams moved into the inbox since the listener was last told. */
    boolean datagramsArrived;
    /** Server: handed to the application (accept queue), at the handshake or when 0-RTT was accepted. */
    boolean announced;

    ConnectionState(EngineCore engine, boolean client, QuicListener listener, ServerState server, ClientConfig clientConfig,
                    String serverName, InetSocketAddress peer, TransportSettings transport) {
        this.engine = engine;
        this.client = client;
        this.listener = listener;
        this.server = server;
        this.clientConfig = clientConfig;
        this.serverName = serverName;
        this.peerAddress = peer;
        this.handshakeTimeoutNanos = transport.handshakeTimeout().toNanos();
        long maxPeerStreams = transport.initialMaxStreamsBidi() + transport.initialMaxStreamsUni();
        this.acceptQueue = listener == null ? new ManyToManyConcurrentArrayQueue<>((int) Math.min(1 << 16, Math.max(16, 2 * maxPeerStreams))) : null;
        this.datagrams = transport.datagramQueueLength() > 0
                ? new DatagramInbox(Integer.highestOneBit(Math.max(1 << 16, Math.min(1 << 24, transport.datagramQueueLength() * 2048)) * 2 - 1))
                : null;
        this.datagramCredit = transport.datagramQueueLength();
        this.queuedDatagramLengths = new int[transport.datagramQueueLength()];
        this.handle = new QuicConnection(this);
    }

    boolean isClosed() {
        return state == CLOSED;
    }

    /**
     * The engine's loop ended without ever starting this connection (its CONNECT was still queued),
     * or died: fail everything waiting on it. Any thread, once the loop no longer runs; idempotent.
     */
    void failWith(ClosedException cause) {
        if (state != CLOSED) {
            closeReason = new CloseReason(false, false, TransportErrors.INTERNAL_ERROR, String.valueOf(cause.getMessage()), false);
            state = CLOSED;
        }
        handshake.completeExceptionally(cause);
        closed.completeExceptionally(cause);
    }

    void checkWritable() {
        int s = state;
        if (s >= CLOSING) {
            throw new ClosedException("connection " + this + " is " + closedDescription());
        }
    }

    String closedDescription() {
        CloseReason reason = closeReason;
        return reason != null ? reason.toString() : state == CLOSING ? "closing" : "closed";
    }

    void acquireDatagramReader() {
        if (!DATAGRAM_READER.compareAndSet(this, 0, 1)) {
            throw new IllegalStateException("datagrams of " + this + " are being polled by another thread: one reader at a time");
        }
    }

    /**
     * Application thread: takes one datagram's credit, or records a refusal. The refusal flag is
     * set before looking once more, and the loop returns credit before looking at the flag (both
     * volatile): either this thread sees the credit or the loop sees the flag and signals.
     */
    boolean takeDatagramCredit() {
        while (true) {
            int credit = (int) DATAGRAM_CREDIT.getVolatile(this);
            if (credit > 0) {
                if (DATAGRAM_CREDIT.compareAndSet(this, credit, credit - 1)) {
                    return true;
                }
                continue;
            }
            datagramBlocked = true;
            if (datagramCredit > 0) {
                continue;
            }
            DATAGRAMS_REFUSED.getAndAdd(this, 1L);
            return false;
        }
    }

    /** Any thread: gives back datagram credit (the loop as datagrams leave quiche's queue, an offer that found no ring space). */
    void returnDatagramCredit(int datagrams) {
        DATAGRAM_CREDIT.getAndAdd(this, datagrams);
    }

    /** Application thread: an offer that had credit found the command ring full. */
    void refuseDatagramForRing() {
        returnDatagramCredit(1);
        datagramBlocked = true;
        DATAGRAMS_REFUSED.getAndAdd(this, 1L);
    }

    /** Writer threads: reserves up to {@code wanted} bytes of connection credit, as {@link StreamState#reserveCredit} does for a stream. */
    long reserveCredit(long wanted) {
        long bound = engine.settings.connectionWriteBound();
        long reserved;
        long granted;
        do {
            reserved = creditReserved;
            long returned = (long) RETURNED_SEEN.getOpaque(this);
            granted = Math.min(wanted, bound - (reserved - returned));
            if (granted < wanted) {
                returned = (long) RETURNED.getVolatile(this);
                RETURNED_SEEN.setOpaque(this, returned);
                granted = Math.min(wanted, bound - (reserved - returned));
            }
            if (granted <= 0) {
                return 0;
            }
        } while (!RESERVED.compareAndSet(this, reserved, reserved + granted));
        return granted;
    }

    /** Writer threads: gives back credit reserved and never published. */
    void unreserveCredit(long bytes) {
        RESERVED.getAndAdd(this, -bytes);
    }

    /** Loop thread: gives back credit; the caller fences before it looks at {@link #creditBlocked} (StreamState#returnCreditFromLoop). */
    void returnCreditFromLoop(long bytes) {
        RETURNED.setRelease(this, creditReturned + bytes);
    }

    /** Any thread: credit in use, accepted bytes quiche has not taken yet plus offers in progress. */
    long creditUsed() {
        long reserved = creditReserved;
        return reserved - (long) RETURNED.getVolatile(this);
    }

    /** Loop thread: counts datagrams that left quiche's queue, sent or purged. */
    void countDatagramsLeft(long sent, long purged) {
        DATAGRAMS_SENT.setRelease(this, datagramsSent + sent);
        DATAGRAMS_PURGED.setRelease(this, datagramsPurged + purged);
    }

    /** Loop thread: quiche refused a datagram as larger than the peer or the path takes. */
    void countDatagramTooLarge() {
        DATAGRAMS_TOO_LARGE.setRelease(this, datagramsTooLarge + 1);
    }

    /** Loop thread: the connection closed before quiche sent {@code datagrams} accepted datagrams. */
    void countDatagramsDroppedOnClose(long datagrams) {
        DATAGRAMS_DROPPED_ON_CLOSE.setRelease(this, datagramsDroppedOnClose + datagrams);
    }

    /** Any thread: the datagram counters (acquire loads of the loop's release stores). */
    DatagramStats datagramStats(long received, long droppedOnReceive) {
        return new DatagramStats((long) DATAGRAMS_SENT.getAcquire(this), datagramsRefused,
                (long) DATAGRAMS_TOO_LARGE.getAcquire(this), (long) DATAGRAMS_PURGED.getAcquire(this),
                (long) DATAGRAMS_DROPPED_ON_CLOSE.getAcquire(this), received, droppedOnReceive);
    }

    /** Claims the next local stream index below {@code limit}; -1 when the limit is reached. */
    long claimStreamIndex(boolean bidirectional) {
        VarHandle handle = bidirectional ? NEXT_BIDI : NEXT_UNI;
        while (true) {
            long next = (long) handle.getVolatile(this);
            long limit = bidirectional ? peerBidiLimit : peerUniLimit;
            if (next >= limit) {
                return -1;
            }
            if (handle.compareAndSet(this, next, next + 1)) {
                return next;
            }
        }
    }

    long streamId(long index, boolean bidirectional) {
        return (index << 2) | (client ? 0 : 1) | (bidirectional ? 0 : 2);
    }

    @Override
    public String toString() {
        return (client ? "client" : "server") + " connection " + traceId + " with " + peerAddress;
    }
}

/** Written by writer threads on every offer: the connection's share of the write credit. */
abstract class ConnectionStateWriterCredit {
    /** Write credit writers reserved, less what they gave back unpublished (credit in use: this less creditReturned). */
    volatile long creditReserved;
    /** The latest {@code creditReturned} some writer read: a lower bound, opaque and racy on purpose. */
    long creditReturnedSeen;
}

/** Layout padding between the writers' credit and the loop's fields. Never read or written. */
@SuppressWarnings("unused")
abstract class ConnectionStatePadding extends ConnectionStateWriterCredit {
    private long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15, p16;
    // Bytes fill alignment holes above, so no later field can be placed there.
    private byte b01, b02, b03, b04, b05, b06, b07;
}
