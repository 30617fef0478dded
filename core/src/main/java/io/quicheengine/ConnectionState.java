package io.quicheengine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

/**
 * Everything the engine knows about one connection. Fields are grouped by who writes them. The
 * quiche pointer and everything beside it under "loop thread only" are touched by the loop alone.
 */
final class ConnectionState {
    static final int HANDSHAKING = 0;
    static final int ESTABLISHED = 1;
    static final int CLOSING = 2;
    static final int CLOSED = 3;

    private static final VarHandle CREDIT;
    private static final VarHandle NEXT_BIDI;
    private static final VarHandle NEXT_UNI;
    private static final VarHandle DATAGRAM_READER;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            CREDIT = lookup.findVarHandle(ConnectionState.class, "creditUsed", long.class);
            NEXT_BIDI = lookup.findVarHandle(ConnectionState.class, "nextBidiIndex", long.class);
            NEXT_UNI = lookup.findVarHandle(ConnectionState.class, "nextUniIndex", long.class);
            DATAGRAM_READER = lookup.findVarHandle(ConnectionState.class, "datagramReader", int.class);
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
    final OneToOneConcurrentArrayQueue<QuicStream> acceptQueue;
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
    volatile long datagramsSent;
    volatile long datagramsNotSent;

    // ---- written by application threads ----
    volatile long creditUsed;
    /** An offer was short of connection credit: the loop notifies all blocked streams once credit returns. */
    volatile boolean creditBlocked;
    /** One datagram reader at a time: 0 free, 1 busy. */
    volatile int datagramReader;
    volatile long nextBidiIndex;
    volatile long nextUniIndex;

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
    long timerId = DeadlineTimerWheel.NULL_DEADLINE;
    long timerDeadline;
    /** Set while quiche has no timer for a live connection: when the engine closes it (EventLoop.timerlessDeadline). */
    long timerlessDeadline;
    /** When a close this side asked for is given up waiting on (0: no close asked for). */
    long closeDeadline;
    /** This side closed: bytes it never read are not worth keeping. */
    boolean discardUnread;
    /** When the connection was freed (for how long its unread bytes are kept). */
    long finalizedAt;
    boolean dirty;
    long lastStatsNanos;
    long localBidiOpened;
    long localUniOpened;
    long peerBidiNext;
    long peerUniNext;
    boolean finalized;

    ConnectionState(EngineCore engine, boolean client, QuicListener listener, ServerState server, ClientConfig clientConfig,
                    String serverName, InetSocketAddress peer, TransportSettings transport) {
        this.engine = engine;
        this.client = client;
        this.listener = listener;
        this.server = server;
        this.clientConfig = clientConfig;
        this.serverName = serverName;
        this.peerAddress = peer;
        long maxPeerStreams = transport.initialMaxStreamsBidi() + transport.initialMaxStreamsUni();
        this.acceptQueue = listener == null ? new OneToOneConcurrentArrayQueue<>((int) Math.min(1 << 16, Math.max(16, 2 * maxPeerStreams))) : null;
        this.datagrams = transport.datagramQueueLength() > 0
                ? new DatagramInbox(Integer.highestOneBit(Math.max(1 << 16, Math.min(1 << 24, transport.datagramQueueLength() * 2048)) * 2 - 1))
                : null;
        this.handle = new QuicConnection(this);
    }

    boolean isClosed() {
        return state == CLOSED;
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

    long reserveCredit(long wanted) {
        long bound = engine.settings.connectionWriteBound();
        long used;
        long granted;
        do {
            used = creditUsed;
            granted = Math.min(wanted, bound - used);
            if (granted <= 0) {
                return 0;
            }
        } while (!CREDIT.compareAndSet(this, used, used + granted));
        return granted;
    }

    void returnCredit(long bytes) {
        CREDIT.getAndAdd(this, -bytes);
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
