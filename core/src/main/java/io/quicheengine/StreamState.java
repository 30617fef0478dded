package io.quicheengine;

import io.quicheengine.internal.buffers.PendingWrites;
import io.quicheengine.internal.buffers.StreamReadRing;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;

/**
 * Everything the engine knows about one stream. Fields are grouped by who writes them, and the
 * groups that are written often sit on cache lines of their own (see {@link StreamStateReadMostly});
 * the quiche connection itself never appears here, so nothing in this object lets an application
 * thread reach quiche.
 *
 * <h2>Write credit</h2>
 * Credit in use is {@code creditReserved - creditReturned}. Writers add to {@code creditReserved}
 * (a CAS, several writer threads) and take back only what they reserved and never published; the
 * loop alone adds to {@code creditReturned} as quiche takes or drops bytes. A writer compares
 * against the last {@code creditReturned} it saw ({@code creditReturnedSeen}) and reads the loop's
 * line only when that looks short: {@code creditReturned} only grows, so a stale value can only
 * refuse credit, never grant too much.
 */
final class StreamState extends StreamStateLoopFields {
    static final int READER_IDLE = 0;
    static final int READER_BUSY = 1;
    static final int READER_RELEASED = 2;

    private static final VarHandle READER_STATE;
    private static final VarHandle RESERVED;
    private static final VarHandle RETURNED;
    private static final VarHandle RETURNED_SEEN;
    private static final VarHandle SENT;
    private static final VarHandle FIN_SUBMITTED;
    private static final VarHandle READ_BLOCKED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            READER_STATE = lookup.findVarHandle(StreamStateApplicationFields.class, "readerState", int.class);
            RESERVED = lookup.findVarHandle(StreamStateApplicationFields.class, "creditReserved", long.class);
            RETURNED = lookup.findVarHandle(StreamStateLoopFields.class, "creditReturned", long.class);
            RETURNED_SEEN = lookup.findVarHandle(StreamStateApplicationFields.class, "creditReturnedSeen", long.class);
            SENT = lookup.findVarHandle(StreamStateLoopFields.class, "bytesSent", long.class);
            FIN_SUBMITTED = lookup.findVarHandle(StreamStateApplicationFields.class, "finSubmitted", boolean.class);
            READ_BLOCKED = lookup.findVarHandle(StreamStateReadMostly.class, "readBlocked", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final QuicStream handle;

    StreamState(ConnectionState connection, long id) {
        super(connection, id);
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

    // ---- write credit, application side ----

    /**
     * Writer threads: reserves up to {@code wanted} bytes of the stream's and the connection's
     * write credit. When it comes back short after {@link #writeBlocked} was set, it read the
     * loop's {@code creditReturned} with a volatile load after that volatile store, which is
     * what {@link #returnCreditFromLoop}'s fence pairs with.
     *
     * @return the bytes reserved, possibly 0
     */
    int reserveCredit(int wanted, long streamBound) {
        long reserved;
        long granted;
        do {
            reserved = (long) RESERVED.getVolatile(this);
            long returned = (long) RETURNED_SEEN.getOpaque(this);
            granted = Math.min(wanted, streamBound - (reserved - returned));
            if (granted < wanted) {
                returned = (long) RETURNED.getVolatile(this);
                RETURNED_SEEN.setOpaque(this, returned); // racy between writers: any value seen is a lower bound, all it claims
                granted = Math.min(wanted, streamBound - (reserved - returned));
            }
            if (granted <= 0) {
                return 0;
            }
        } while (!RESERVED.compareAndSet(this, reserved, reserved + granted));
        long fromConnection = connection.reserveCredit(granted);
        if (fromConnection < granted) {
            RESERVED.getAndAdd(this, -(granted - fromConnection));
            connection.creditBlocked = true; // the loop then tells every blocked stream when credit returns
        }
        return (int) fromConnection;
    }

    /** Writer threads: gives back credit this writer reserved and never published (a claim failed, or a message did not fit). */
    void unreserveCredit(long bytes) {
        RESERVED.getAndAdd(this, -bytes);
        connection.unreserveCredit(bytes);
    }

    boolean submitFin() {
        return FIN_SUBMITTED.compareAndSet(this, false, true);
    }

    void revokeFin() {
        finSubmitted = false;
    }

    // ---- write credit, loop side ----

    /**
     * Loop thread: gives back the credit of bytes quiche took or the loop dropped. Release stores
     * suffice for the counters (one writer; readers want a value no newer than what it stands
     * for). The fence after them orders them before the loop's next volatile loads of
     * {@link #writeBlocked} and the connection's {@code creditBlocked}: a writer stores its flag,
     * then loads {@code creditReturned}, so either it sees the credit or the loop sees its flag.
     * That one fence replaces the two locked read-modify-writes the loop made per write before.
     * Named apart from {@link #unreserveCredit} so that a writer's call cannot land here by mistake:
     * a second thread writing {@code creditReturned} would lose updates.
     */
    void returnCreditFromLoop(long bytes) {
        RETURNED.setRelease(this, creditReturned + bytes);
        connection.returnCreditFromLoop(bytes);
        VarHandle.fullFence();
    }

    /**
     * Loop thread: quiche took {@code bytes} of this stream. Counts them, returns their credit,
     * and says whether a writer waited for it (clearing that flag): the caller then tells it.
     */
    boolean taken(long bytes) {
        SENT.setRelease(this, bytesSent + bytes);
        returnCreditFromLoop(bytes);
        if (writeBlocked) {
            writeBlocked = false;
            return true;
        }
        return false;
    }

    // ---- counters for any thread ----

    /** Credit in use: accepted bytes quiche has not taken (or the loop dropped) yet, plus offers in progress. */
    long creditUsed() {
        long reserved = (long) RESERVED.getVolatile(this);
        return reserved - (long) RETURNED.getVolatile(this);
    }

    /**
     * Bytes accepted from the application. Derived from the reserved credit, so offers need no
     * counter of their own; a snapshot taken while an offer runs may include its bytes a moment
     * before it returns (or before it gives them back).
     */
    long bytesAccepted() {
        return (long) RESERVED.getVolatile(this);
    }

    /** Bytes quiche took from this stream. */
    long bytesSent() {
        return (long) SENT.getAcquire(this);
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

/**
 * The first of {@link StreamState}'s layout levels: identity and fields read on every offer or
 * loop write but written rarely. HotSpot lays out a superclass's fields before its subclass's, and
 * reorders fields only within one class, so the levels below keep a padding level between the
 * fields application threads write on every offer and the ones the loop writes on every write
 * (HotFieldLayoutTest checks the distance). Plain padding fields in one class would be reordered.
 */
abstract class StreamStateReadMostly {
    // ---- identity: immutable ----
    final ConnectionState connection;
    final long id;
    final boolean local;
    final boolean bidirectional;
    final boolean canRead;
    final boolean canWrite;

    // ---- read side, published by the loop (rarely) ----
    /** Lent by the loop when the first bytes arrive; null before, and after the stream is collected. */
    volatile StreamReadRing ring;
    /** The stream's total length once the peer's fin arrived, else -1. */
    volatile long finalSize = -1;
    /** The peer's RESET_STREAM code, else -1. */
    volatile long resetCode = -1;
    /** Set by the loop when the ring was full; the reader clears it and asks the loop to resume. */
    volatile boolean readBlocked;
    /** A reader parked in a BLOCKING read; the loop unparks it when bytes arrive. */
    volatile Thread readWaiter;
    /** The application called shutdownRead: bytes from now on are discarded. */
    volatile boolean readShutdown;

    // ---- write side, written rarely: read by writers on each offer, by the loop on each write ----
    /** An offer came back short (a writer sets it); the loop clears it and tells the writer once credit returns. */
    volatile boolean writeBlocked;
    volatile Thread writeWaiter;
    /** The peer's STOP_SENDING code, else -1. */
    volatile long stoppedCode = -1;
    /** The application reset the stream (RESET_STREAM sent). */
    volatile boolean resetByApplication;
    /** Why quiche refused the stream's data (e.g. beyond the peer's stream limit), else null. */
    volatile String writeFailure;
    /** Completes once quiche confirms the peer acknowledged every byte and the fin; fails with the reason otherwise. */
    final CompletableFuture<Void> finished = new CompletableFuture<>();

    StreamStateReadMostly(ConnectionState connection, long id) {
        this.connection = connection;
        this.id = id;
        boolean clientInitiated = (id & 1) == 0;
        this.local = clientInitiated == connection.client;
        this.bidirectional = (id & 2) == 0;
        this.canRead = bidirectional || !local;
        this.canWrite = bidirectional || local;
    }
}

/** Layout padding: two cache lines (the adjacent-line prefetcher pulls lines in pairs). Never read or written. */
@SuppressWarnings("unused")
abstract class StreamStatePadding1 extends StreamStateReadMostly {
    private long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15, p16;
    // Bytes fill alignment holes of the levels above, so no later field can be placed there.
    private byte b01, b02, b03, b04, b05, b06, b07;

    StreamStatePadding1(ConnectionState connection, long id) {
        super(connection, id);
    }
}

/** Written by application threads: writers on every offer, the reader on every poll. */
abstract class StreamStateApplicationFields extends StreamStatePadding1 {
    /** Credit writers reserved, less what they gave back unpublished: CAS by any writer. Also the bytes accepted. */
    long creditReserved;
    /** The latest {@code creditReturned} some writer read: a lower bound, opaque (untorn) and racy on purpose. */
    long creditReturnedSeen;
    volatile boolean finSubmitted;
    /** The reader lease: IDLE, BUSY while a thread reads the ring, RELEASED once the loop took the ring back. */
    volatile int readerState;
    /** Bytes the application consumed. */
    volatile long bytesRead;

    StreamStateApplicationFields(ConnectionState connection, long id) {
        super(connection, id);
    }
}

/** Layout padding between the application's fields and the loop's. Never read or written. */
@SuppressWarnings("unused")
abstract class StreamStatePadding2 extends StreamStateApplicationFields {
    private long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15, p16;
    private byte b01, b02, b03, b04, b05, b06, b07;

    StreamStatePadding2(ConnectionState connection, long id) {
        super(connection, id);
    }
}

/** Written by the loop thread: counters it publishes on every write or read, and its own book-keeping. */
abstract class StreamStateLoopFields extends StreamStatePadding2 {
    // ---- single writer (the loop), read by any thread through StreamState's accessors ----
    /** Bytes quiche took; release stores. */
    long bytesSent;
    /** Credit the loop gave back (bytes quiche took or the loop dropped); release stores, see StreamState#returnCreditFromLoop. */
    long creditReturned;
    /** Bytes quiche handed over into the ring; volatile, since a reader registers in readWaiter and then looks at it. */
    volatile long bytesReceived;

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

    StreamStateLoopFields(ConnectionState connection, long id) {
        super(connection, id);
    }
}
