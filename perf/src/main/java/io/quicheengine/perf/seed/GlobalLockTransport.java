package io.quicheengine.perf.seed;

import io.quicheengine.ffi.QuicheError;
import io.quicheengine.ffi.QuicheException;
import io.quicheengine.ffi.QuicheStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * Design A, "seed-global-lock": the seed's original engine. One recursive lock (the seed's
 * {@code mConnMutex}, a recursive pthread mutex) guards the {@code quiche_conn}. Application threads
 * take it and call {@code quiche_conn_stream_send} / {@code quiche_conn_stream_recv} themselves and
 * flush the packets that produces ({@code flushEgress} takes the lock again: that is why the seed
 * needed a recursive mutex). The event-loop thread takes the same lock for every receive, timeout
 * and flush, and releases it only while blocked in the selector.
 *
 * <p>As in the seed, the STREAM_READABLE event is raised by the loop while it holds the lock, so an
 * application thread woken by it usually finds the lock still taken. Writers that find the stream
 * full wait on a condition of the lock, signalled after every loop cycle (new ACKs or window updates
 * may have made room). {@link #write} and {@link #read} from any
 * application thread; the {@link SeedEventLoop.Cycle} methods from the loop thread.
 */
final class GlobalLockTransport extends LoopOwnedTransport {

    private static final int SCRATCH_BYTES = 65_536;
    /** Java cannot hand quiche a byte[] like C hands it a pointer: each writer thread copies once into its own native buffer. */
    private static final ThreadLocal<MemorySegment> WRITE_SCRATCH =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(SCRATCH_BYTES));

    private final ReentrantLock connLock = new ReentrantLock();
    private final Condition writable = connLock.newCondition();
    private final LongConsumer readableListener;
    // Guarded by connLock, like the connection itself.
    private final MemorySegment readScratch;
    private final MemorySegment fin;
    private final MemorySegment errorCode;
    private final Set<Long> finishedStreams = new HashSet<>();

    private GlobalLockTransport(SeedEndpoint endpoint, LongConsumer readableListener, String name) throws IOException {
        super(endpoint, name);
        this.readableListener = readableListener;
        Arena arena = endpoint.arena();
        this.readScratch = arena.allocate(SCRATCH_BYTES);
        this.fin = arena.allocate(ValueLayout.JAVA_BOOLEAN);
        this.errorCode = arena.allocate(ValueLayout.JAVA_LONG);
    }

    /** A {@link SeedTransportFactory}: wraps the endpoint and starts its loop. */
    static SeedTransport open(SeedEndpoint endpoint, LongConsumer readableListener, String name) throws IOException {
        GlobalLockTransport transport = new GlobalLockTransport(endpoint, readableListener, name);
        transport.loop.start();
        return transport;
    }

    // ---- event-loop thread ----

    @Override
    public long run(long nowNanos) throws IOException {
        connLock.lock();
        try {
            endpoint.start();
            int received = endpoint.receiveAll();
            endpoint.onTimeoutIfDue();
            endpoint.flushEgress();
            if (received > 0) {
                // The seed's STREAM_READABLE event; the application then reads under the lock.
                endpoint.forEachReadable(readableListener);
            }
            writable.signalAll();
            endpoint.afterCycle(nowNanos);
            long deadline = endpoint.deadlineNanos(System.nanoTime());
            loop.armDeadline(deadline); // under the lock, so an app thread's flush compares against the current one
            return deadline;
        } finally {
            connLock.unlock();
        }
    }

    @Override
    public void exit() {
        connLock.lock();
        try {
            endpoint.closeAndFree();
            writable.signalAll();
        } finally {
            connLock.unlock();
        }
    }

    // ---- application threads ----

    @Override
    public void write(long streamId, byte[] src, int offset, int length, boolean fin, long timeoutMillis)
            throws InterruptedException, TimeoutException {
        MemorySegment scratch = writeScratch(length);
        MemorySegment.copy(src, offset, scratch, ValueLayout.JAVA_BYTE, 0, length);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        connLock.lock();
        try {
            int sent = 0;
            while (true) {
                checkOpen();
                MemorySegment from = sent == 0 ? scratch : scratch.asSlice(sent);
                long taken = QuicheStream.send(endpoint.conn(), streamId, from, length - sent, fin, errorCode);
                if (taken >= 0) {
                    sent += (int) taken;
                    flushEgress();
                    if (sent == length) {
                        return;
                    }
                } else if (taken != QuicheError.DONE.code()) {
                    throw new QuicheException("quiche_conn_stream_send on stream " + streamId, taken);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("stream " + streamId + " took " + sent + " of " + length
                            + " bytes within " + timeoutMillis + " ms");
                }
                writable.awaitNanos(left);
            }
        } finally {
            connLock.unlock();
        }
    }

    private static MemorySegment writeScratch(int length) {
        MemorySegment scratch = WRITE_SCRATCH.get();
        if (scratch.byteSize() < length) {
            scratch = Arena.ofAuto().allocate(length);
            WRITE_SCRATCH.set(scratch);
        }
        return scratch;
    }

    @Override
    public int read(long streamId, byte[] dst, int offset, int length) {
        connLock.lock();
        try {
            checkOpen();
            if (finishedStreams.contains(streamId)) {
                return -1;
            }
            long n = QuicheStream.recv(endpoint.conn(), streamId, readScratch, Math.min(length, SCRATCH_BYTES), fin, errorCode);
            if (n == QuicheError.DONE.code() || n == QuicheError.INVALID_STREAM_STATE.code()) {
                return 0; // nothing readable yet, or the peer has not opened the stream yet
            }
            if (n < 0) {
                throw new QuicheException("quiche_conn_stream_recv on stream " + streamId, n);
            }
            MemorySegment.copy(readScratch, ValueLayout.JAVA_BYTE, 0, dst, offset, (int) n);
            boolean end = fin.get(ValueLayout.JAVA_BOOLEAN, 0);
            if (end) {
                finishedStreams.add(streamId);
            }
            if (n > 0) {
                // Reading returned flow-control credit; send the window update now rather than at the next packet.
                flushEgress();
            }
            return n == 0 && end ? -1 : (int) n;
        } finally {
            connLock.unlock();
        }
    }

    /** The seed's flushEgress from an application thread: takes the (already held) lock again. */
    private void flushEgress() {
        connLock.lock();
        try {
            endpoint.flushEgress();
            loop.wakeIfEarlierThan(endpoint.deadlineNanos(System.nanoTime()));
        } finally {
            connLock.unlock();
        }
    }

    private void checkOpen() {
        loop.checkHealthy();
        if (!endpoint.hasConnection() || endpoint.isClosed()) {
            throw new IllegalStateException("connection of " + endpoint.localAddress() + " is not open");
        }
    }
}
