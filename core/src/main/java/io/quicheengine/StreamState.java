package io.quicheengine;

import io.quicheengine.internal.buffers.PendingWrites;
import io.quicheengine.internal.buffers.StreamReadRing;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Everything the engine knows about one stream. Fields are grouped by who writes them; the
 * quiche connection itself never appears here, so nothing in this object lets an application
 * thread reach quiche.
 */
final class StreamState {
    static final int READER_IDLE = 0;
    static final int READER_BUSY = 1;
    static final int READER_RELEASED = 2;

    private static final VarHandle READER_STATE;
    private static final VarHandle CREDIT;
    private static final VarHandle ACCEPTED;
    private static final VarHandle FIN_SUBMITTED;
    private static final VarHandle READ_BLOCKED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            READER_STATE = lookup.findVarHandle(StreamState.class, "readerState", int.class);
            CREDIT = lookup.findVarHandle(StreamState.class, "creditUsed", long.class);
            ACCEPTED = lookup.findVarHandle(StreamState.class, "bytesAccepted", long.class);
            FIN_SUBMITTED = lookup.findVarHandle(StreamState.class, "finSubmitted", boolean.class);
            READ_BLOCKED = lookup.findVarHandle(StreamState.class, "readBlocked", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // ---- identity: immutable ----
    final ConnectionState connection;
    final long id;
    final boolean local;
    final boolean bidirectional;
    final boolean canRead;
    final boolean canWrite;
    final QuicStream handle;

    // ---- read side, published by the loop ----
    /** Lent by the loop when the first bytes arrive; null before, and after the stream is collected. */
    volatile StreamReadRing ring;
    /** The stream's total length once the peer's fin arrived, else -1. */
    volatile long finalSize = -1;
    /** The peer's RESET_STREAM code, else -1. */
    volatile long resetCode = -1;
    /** Bytes quiche handed over into the ring. */
    volatile long bytesReceived;
    /** Set by the loop when the ring was full; the reader clears it and asks the loop to resume. */
    volatile boolean readBlocked;
    /** A reader parked in a BLOCKING read; the loop unparks it when bytes arrive. */
    volatile Thread readWaiter;

    // ---- read side, written by the reader ----
    /** The reader lease: IDLE, BUSY while a thread reads the ring, RELEASED once the loop took the ring back. */
    volatile int readerState;
    /** Bytes the application consumed. */
    volatile long bytesRead;
    /** The application called shutdownRead: bytes from now on are discarded. */
    volatile boolean readShutdown;

    // ---- write side, written by application threads ----
    /** Bytes accepted from the application and not yet taken by quiche: bounded by the per-stream limit. */
    volatile long creditUsed;
    volatile long bytesAccepted;
    volatile boolean finSubmitted;
    /** An offer came back short; the loop fires onStreamWritable once credit returns. */
    volatile boolean writeBlocked;
    volatile Thread writeWaiter;

    // ---- write side, published by the loop ----
    volatile long bytesSent;
    /** The peer's STOP_SENDING code, else -1. */
    volatile long stoppedCode = -1;
    /** The application reset the stream (RESET_STREAM sent). */
    volatile boolean resetByApplication;
    /** Why quiche refused the stream's data (e.g. beyond the peer's stream limit), else null. */
    volatile String writeFailure;
    /** Completes once quiche confirms the peer acknowledged every byte and the fin; fails with the reason otherwise. */
    final java.util.concurrent.CompletableFuture<Void> finished = new java.util.concurrent.CompletableFuture<>();

    // ---- loop thread only ----
    PendingWrites pending;
    boolean finPending;
    boolean finSent;
    boolean registered;
    boolean inBacklog;
    boolean inReadBlockedList;
    /** In the writer's list of streams told writable next cycle. */
    boolean inWritableLater;
    /** In the collector's list of streams waiting for their reader to let go of the ring. */
    boolean inToCollect;
    /** Its place in the collector's list of unread streams of closed connections, -1 when not there. */
    int orphanIndex = -1;
    /** quiche has seen this stream (a send or shutdown was made on it). */
    boolean knownToQuiche;
    boolean collected;
    boolean readDoneNotified;

    StreamState(ConnectionState connection, long id) {
        this.connection = connection;
        this.id = id;
        boolean clientInitiated = (id & 1) == 0;
        this.local = clientInitiated == connection.client;
        this.bidirectional = (id & 2) == 0;
        this.canRead = bidirectional || !local;
        this.canWrite = bidirectional || local;
        this.handle = new QuicStream(this);
    }

    // ---- reader lease ----

    /** Takes the lease; false when the loop already took the ring back. Throws when another thread holds it. */
    boolean acquireReader() {
        int state = (int) READER_STATE.compareAndExchange(this, READER_IDLE, READER_BUSY);
        if (state == READER_IDLE) {
            return true;
        }
        if (state == READER_BUSY) {
            throw new IllegalStateException("stream " + id + " is being read by another thread: one stream has one reader at a time");
        }
        return false;
    }

    void releaseReader() {
        READER_STATE.setRelease(this, READER_IDLE);
    }

    /** Loop: takes the ring away from readers for good; false while a reader holds the lease (try again later). */
    boolean tryRetireReader() {
        int state = (int) READER_STATE.compareAndExchange(this, READER_IDLE, READER_RELEASED);
        return state != READER_BUSY;
    }

    boolean clearReadBlocked() {
        return READ_BLOCKED.compareAndSet(this, true, false);
    }

    // ---- write credit ----

    /**
     * Reserves up to {@code wanted} bytes of the stream's and the connection's write credit.
     *
     * @return the bytes reserved, possibly 0
     */
    int reserveCredit(int wanted, long streamBound) {
        long used;
        long granted;
        do {
            used = creditUsed;
            granted = Math.min(wanted, streamBound - used);
            if (granted <= 0) {
                return 0;
            }
        } while (!CREDIT.compareAndSet(this, used, used + granted));
        long fromConnection = connection.reserveCredit(granted);
        if (fromConnection < granted) {
            CREDIT.getAndAdd(this, -(granted - fromConnection));
            connection.creditBlocked = true; // the loop then tells every blocked stream when credit returns
        }
        return (int) fromConnection;
    }

    /** Gives back credit: quiche took the bytes, or they were dropped, or a claim failed. */
    void returnCredit(long bytes) {
        CREDIT.getAndAdd(this, -bytes);
        connection.returnCredit(bytes);
    }

    void addAccepted(long bytes) {
        ACCEPTED.getAndAdd(this, bytes);
    }

    boolean submitFin() {
        return FIN_SUBMITTED.compareAndSet(this, false, true);
    }

    void revokeFin() {
        finSubmitted = false;
    }

    /** The write side can take no more bytes: why, or null when it is open. */
    String writeClosedReason() {
        if (!canWrite) {
            return "stream " + id + " is a unidirectional stream opened by the peer: it cannot be written";
        }
        if (resetByApplication) {
            return "stream " + id + " was reset by this side";
        }
        long stopped = stoppedCode;
        if (stopped >= 0) {
            return "stream " + id + " was stopped by the peer (STOP_SENDING) with application error " + stopped;
        }
        String failure = writeFailure;
        if (failure != null) {
            return failure;
        }
        if (finSubmitted) {
            return "stream " + id + " was already finished (fin sent): no more bytes can follow";
        }
        return null;
    }

    @Override
    public String toString() {
        return "stream " + id + " of " + connection;
    }
}
