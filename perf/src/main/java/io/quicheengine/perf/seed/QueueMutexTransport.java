package io.quicheengine.perf.seed;

import io.quicheengine.ffi.QuicheError;
import io.quicheengine.ffi.QuicheException;
import io.quicheengine.ffi.QuicheStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * Design B, "seed-queue-mutex": the seed's "after" engine. Every quiche call is made on the
 * event-loop thread. A write copies its bytes into a new {@link WriteCommand}, appends it to a
 * mutex-guarded {@link ArrayDeque} and wakes the loop ({@link SeedEventLoop#wakeup()}, the seed's
 * {@code ev_async_send}). The loop swaps the queue out under the mutex, hands the commands to
 * {@code quiche_conn_stream_send}, and copies readable stream data from
 * {@code quiche_conn_stream_recv} into per-stream {@link StreamReadBuffer}s (each with its own lock,
 * looked up in a map guarded by another lock, like the seed's {@code mStreamBuffersMutex}), from
 * which application threads copy again.
 *
 * <p>Two things the seed left out are added because the benchmarks need them to be correct: bytes
 * quiche does not take yet stay queued per stream (in order) and are retried every cycle, and
 * writers wait once {@value #MAX_QUEUED_BYTES} bytes are queued (the seed had no backpressure, so a
 * bulk writer would otherwise park the whole transfer on the heap). Each stream's readable bytes are
 * drained until quiche has none (the seed read one 64 KiB chunk per event, which can strand data).
 *
 * <p>{@link #write} and {@link #read} from any application thread; the {@link SeedEventLoop.Cycle}
 * methods from the loop thread.
 */
final class QueueMutexTransport extends LoopOwnedTransport {

    static final long MAX_QUEUED_BYTES = 16L << 20;
    private static final int SCRATCH_BYTES = 65_536;

    private final LongConsumer readableListener;

    // The command queue; the loop swaps `commands` with its empty `drained` deque under the lock.
    private final ReentrantLock commandLock = new ReentrantLock();
    private final Condition commandSpace = commandLock.newCondition();
    private ArrayDeque<WriteCommand> commands = new ArrayDeque<>();
    private long queuedBytes; // guarded by commandLock: accepted from writers, not yet taken by quiche

    private final ReentrantLock streamBuffersLock = new ReentrantLock();
    private final Map<Long, StreamReadBuffer> streamBuffers = new HashMap<>(); // guarded by streamBuffersLock

    // Loop thread only.
    private ArrayDeque<WriteCommand> drained = new ArrayDeque<>();
    private final Long2ObjectHashMap<StreamWrites> writesByStream = new Long2ObjectHashMap<>();
    private final ArrayList<StreamWrites> streamsWithWrites = new ArrayList<>();
    private final MemorySegment sendScratch;
    private final MemorySegment recvScratch;
    private final MemorySegment fin;
    private final MemorySegment errorCode;
    private final LongConsumer readFromQuicheToBuffer = this::readFromQuicheToBuffer;

    /** Loop thread: one stream's commands not yet fully taken by quiche, oldest first. */
    private static final class StreamWrites {
        final long streamId;
        final ArrayDeque<WriteCommand> queue = new ArrayDeque<>();
        boolean listed;

        StreamWrites(long streamId) {
            this.streamId = streamId;
        }
    }

    private QueueMutexTransport(SeedEndpoint endpoint, LongConsumer readableListener, String name) throws IOException {
        super(endpoint, name);
        this.readableListener = readableListener;
        Arena arena = endpoint.arena();
        this.sendScratch = arena.allocate(SCRATCH_BYTES);
        this.recvScratch = arena.allocate(SCRATCH_BYTES);
        this.fin = arena.allocate(ValueLayout.JAVA_BOOLEAN);
        this.errorCode = arena.allocate(ValueLayout.JAVA_LONG);
    }

    /** A {@link SeedTransportFactory}: wraps the endpoint and starts its loop. */
    static SeedTransport open(SeedEndpoint endpoint, LongConsumer readableListener, String name) throws IOException {
        QueueMutexTransport transport = new QueueMutexTransport(endpoint, readableListener, name);
        transport.loop.start();
        return transport;
    }

    // ---- event-loop thread ----

    @Override
    public long run(long nowNanos) throws IOException {
        endpoint.start();
        int received = endpoint.receiveAll();
        endpoint.onTimeoutIfDue();
        if (endpoint.hasConnection()) {
            if (received > 0) {
                endpoint.forEachReadable(readFromQuicheToBuffer);
            }
            processCommands();
            endpoint.flushEgress();
            endpoint.afterCycle(nowNanos);
        }
        return endpoint.deadlineNanos(System.nanoTime());
    }

    private void readFromQuicheToBuffer(long streamId) {
        StreamReadBuffer buffer = getOrCreateStreamBuffer(streamId);
        MemorySegment conn = endpoint.conn();
        while (true) {
            long n = QuicheStream.recv(conn, streamId, recvScratch, SCRATCH_BYTES, fin, errorCode);
            if (n < 0) {
                break; // DONE, or the stream was reset: the seed ignores both here
            }
            boolean end = fin.get(ValueLayout.JAVA_BOOLEAN, 0);
            buffer.append(recvScratch, (int) n, end);
            if (end) {
                break;
            }
        }
        readableListener.accept(streamId);
    }

    private void processCommands() {
        commandLock.lock();
        try {
            ArrayDeque<WriteCommand> full = commands;
            commands = drained;
            drained = full;
        } finally {
            commandLock.unlock();
        }
        WriteCommand command;
        while ((command = drained.poll()) != null) {
            StreamWrites stream = writesByStream.get(command.streamId);
            if (stream == null) {
                stream = new StreamWrites(command.streamId);
                writesByStream.put(command.streamId, stream);
            }
            stream.queue.add(command);
            if (!stream.listed) {
                stream.listed = true;
                streamsWithWrites.add(stream);
            }
        }
        long taken = 0;
        for (int i = 0; i < streamsWithWrites.size(); ) {
            StreamWrites stream = streamsWithWrites.get(i);
            taken += sendQueued(stream);
            if (stream.queue.isEmpty()) {
                stream.listed = false;
                int last = streamsWithWrites.size() - 1;
                streamsWithWrites.set(i, streamsWithWrites.get(last));
                streamsWithWrites.remove(last);
            } else {
                i++;
            }
        }
        if (taken > 0) {
            commandLock.lock();
            try {
                queuedBytes -= taken;
                commandSpace.signalAll();
            } finally {
                commandLock.unlock();
            }
        }
    }

    /** Hands the stream's queued bytes to quiche until it takes no more; returns how many it took. */
    private long sendQueued(StreamWrites stream) {
        MemorySegment conn = endpoint.conn();
        long taken = 0;
        WriteCommand command;
        while ((command = stream.queue.peek()) != null) {
            int remaining = command.data.length - command.sent;
            int length = remaining;
            if (remaining > 0) {
                // Ask first so bytes are copied into native memory only when quiche can take them;
                // an error (a stream not created yet) means: just try.
                long capacity = QuicheStream.capacity(conn, stream.streamId);
                if (capacity == 0) {
                    break;
                }
                length = (int) Math.min(remaining, capacity > 0 ? Math.min(capacity, SCRATCH_BYTES) : SCRATCH_BYTES);
                MemorySegment.copy(command.data, command.sent, sendScratch, ValueLayout.JAVA_BYTE, 0, length);
            }
            long n = QuicheStream.send(conn, stream.streamId, sendScratch, length, command.fin && length == remaining, errorCode);
            if (n == QuicheError.DONE.code()) {
                break;
            }
            if (n < 0) {
                throw new QuicheException("quiche_conn_stream_send on stream " + stream.streamId, n);
            }
            command.sent += (int) n;
            taken += n;
            if (command.sent == command.data.length) {
                stream.queue.poll();
            } else if (n < length) {
                break;
            }
        }
        return taken;
    }

    @Override
    public void exit() {
        try {
            endpoint.closeAndFree();
        } finally {
            commandLock.lock();
            try {
                commandSpace.signalAll();
            } finally {
                commandLock.unlock();
            }
        }
    }

    // ---- application threads ----

    @Override
    public void write(long streamId, byte[] src, int offset, int length, boolean fin, long timeoutMillis)
            throws InterruptedException, TimeoutException {
        WriteCommand command = new WriteCommand(streamId, Arrays.copyOfRange(src, offset, offset + length), fin);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        commandLock.lock();
        try {
            while (queuedBytes > 0 && queuedBytes + length > MAX_QUEUED_BYTES) {
                checkOpen();
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("stream " + streamId + ": " + queuedBytes + " bytes still queued after "
                            + timeoutMillis + " ms");
                }
                commandSpace.awaitNanos(left);
            }
            checkOpen();
            commands.add(command);
            queuedBytes += length;
        } finally {
            commandLock.unlock();
        }
        loop.wakeup();
    }

    @Override
    public int read(long streamId, byte[] dst, int offset, int length) {
        loop.checkHealthy();
        return getOrCreateStreamBuffer(streamId).read(dst, offset, length);
    }

    private StreamReadBuffer getOrCreateStreamBuffer(long streamId) {
        streamBuffersLock.lock();
        try {
            return streamBuffers.computeIfAbsent(streamId, id -> new StreamReadBuffer());
        } finally {
            streamBuffersLock.unlock();
        }
    }

    private void checkOpen() {
        loop.checkHealthy();
        if (endpoint.isClosed()) {
            throw new IllegalStateException("connection of " + endpoint.localAddress() + " is closed");
        }
    }
}
