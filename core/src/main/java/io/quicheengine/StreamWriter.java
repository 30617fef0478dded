package io.quicheengine;

import io.quicheengine.ffi.QuicheError;
import io.quicheengine.ffi.QuicheStream;
import io.quicheengine.internal.buffers.ChunkPool;
import io.quicheengine.internal.buffers.PendingWrites;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;

/**
 * The write path: hands written command slots to quiche, keeps what quiche does not take in the
 * stream's pending chunks and retries it when the connection is processed, and returns the
 * writers' credit as quiche takes bytes. Also carries out resets and STOP_SENDING. Loop thread only.
 */
final class StreamWriter {
    private final EventLoop loop;
    private final MemorySegment errorCode;
    /** The payload of a fin sent on its own. */
    private final MemorySegment emptyPayload;
    /** Streams a listener could not write to because the ring was full: told writable next cycle ({@link StreamState#inWritableLater}). */
    private final ArrayList<StreamState> writableLater = new ArrayList<>();

    StreamWriter(EventLoop loop) {
        this.loop = loop;
        Arena arena = loop.engine.arena;
        this.errorCode = arena.allocate(ValueLayout.JAVA_LONG);
        this.emptyPayload = arena.allocate(8);
    }

    void onWrite(Command command) {
        write(command.stream, command.payloadAddress, command.length, command.fin);
    }

    /** Hands {@code length} bytes at {@code address} to quiche; what it does not take is copied to the stream's pending buffer. */
    void write(StreamState stream, long address, int length, boolean fin) {
        ConnectionState connection = stream.connection;
        if (connection.finalized || connection.quiche.address() == 0 || writeDead(stream)) {
            stream.returnCreditFromLoop(length);
            return;
        }
        loop.collector.register(connection, stream);
        loop.markDirty(connection);
        if ((stream.pending != null && !stream.pending.isEmpty()) || stream.finPending) {
            queuePending(stream, address, length, fin);
            return;
        }
        long n = QuicheStream.sendFromAddress(connection.quiche, stream.id, address, length, fin, errorCode);
        knownToQuiche(connection, stream);
        if (n >= 0) {
            if (n > 0) {
                taken(stream, n);
            }
            if (n < length) {
                queuePending(stream, address + n, (int) (length - n), fin);
            } else if (fin) {
                finHandedOver(stream);
                loop.collector.tryCollect(stream);
            }
        } else if (n == QuicheError.DONE.code()) {
            queuePending(stream, address, length, fin);
        } else {
            stream.returnCreditFromLoop(length);
            sendFailed(stream, n);
        }
    }

    /** A listener found the command ring full: tell it the stream is writable next cycle. */
    void writableLater(StreamState stream) {
        if (!stream.inWritableLater) {
            stream.inWritableLater = true;
            writableLater.add(stream);
        }
    }

    int notifyWritableLater() {
        int count = writableLater.size();
        if (count == 0) {
            return 0;
        }
        for (int i = 0; i < count; i++) {
            StreamState stream = writableLater.get(i);
            QuicListener listener = stream.connection.listener;
            if (listener != null && !stream.connection.finalized && stream.writeBlocked) {
                stream.writeBlocked = false;
                try {
                    listener.onStreamWritable(stream.handle);
                } catch (RuntimeException e) {
                    loop.closer.failConnection(stream.connection, "the listener's onStreamWritable for " + stream, e);
                }
            }
        }
        // A listener may have added streams while being told: keep those for the next cycle.
        for (int i = 0; i < count; i++) {
            writableLater.get(i).inWritableLater = false;
        }
        int size = writableLater.size();
        for (int i = count; i < size; i++) {
            writableLater.set(i - count, writableLater.get(i));
        }
        for (int i = size - 1; i >= size - count; i--) {
            writableLater.remove(i);
        }
        return count;
    }

    private void queuePending(StreamState stream, long address, int length, boolean finFlag) {
        if (length > 0) {
            if (stream.pending == null) {
                ChunkPool chunks = loop.chunks;
                stream.pending = new PendingWrites(chunks, (int) (loop.settings.streamWriteBound() / chunks.chunkSize()) + 2);
            }
            stream.pending.append(address, length);
        }
        if (finFlag) {
            stream.finPending = true;
        }
        if (!stream.inBacklog) {
            stream.inBacklog = true;
            stream.connection.backlog.add(stream);
        }
    }

    /** Offers every stream's pending bytes to quiche; streams left with nothing pending leave the backlog. */
    void flushBacklog(ConnectionState connection) {
        ArrayList<StreamState> backlog = connection.backlog;
        int kept = 0;
        for (int i = 0; i < backlog.size(); i++) {
            StreamState stream = backlog.get(i);
            if (flushStream(connection, stream)) {
                stream.inBacklog = false;
            } else {
                backlog.set(kept++, stream);
            }
        }
        for (int i = backlog.size() - 1; i >= kept; i--) {
            backlog.remove(i);
        }
    }

    /** Offers the stream's pending bytes (and fin) to quiche; true when nothing is left pending. */
    private boolean flushStream(ConnectionState connection, StreamState stream) {
        if (writeDead(stream)) {
            dropPending(stream);
            return true;
        }
        PendingWrites pending = stream.pending;
        if (pending != null && !pending.isEmpty()) {
            long n = pending.flush(connection.quiche, stream.id, errorCode);
            if (n > 0) {
                taken(stream, n);
            } else if (n < 0 && n != QuicheError.DONE.code()) {
                dropPending(stream);
                sendFailed(stream, n);
                return true;
            }
            if (!pending.isEmpty()) {
                return false;
            }
        }
        if (stream.finPending) {
            long n = QuicheStream.sendFromAddress(connection.quiche, stream.id, emptyPayload.address(), 0, true, errorCode);
            if (n == QuicheError.DONE.code()) {
                return false;
            }
            stream.finPending = false;
            if (n < 0) {
                sendFailed(stream, n);
                return true;
            }
            finHandedOver(stream);
            loop.collector.tryCollect(stream);
        }
        return true;
    }

    /** quiche took {@code n} bytes: return the credit and wake whoever waits for it. */
    private void taken(StreamState stream, long n) {
        if (stream.taken(n)) {
            EventLoop.unpark(stream.writeWaiter);
            QuicListener listener = stream.connection.listener;
            if (listener != null) {
                listener.onStreamWritable(stream.handle);
            }
        }
    }

    /** Connection credit came back after an offer fell short of it: tell every stream that waits. */
    void notifyCreditWaiters(ConnectionState connection) {
        connection.creditBlocked = false;
        for (StreamState stream : connection.streams.values()) {
            if (stream.writeBlocked) {
                stream.writeBlocked = false;
                EventLoop.unpark(stream.writeWaiter);
                QuicListener listener = connection.listener;
                if (listener != null) {
                    listener.onStreamWritable(stream.handle);
                }
            }
        }
    }

    /** Drops what quiche never took, giving its credit back. */
    void dropPending(StreamState stream) {
        if (stream.pending != null) {
            long dropped = stream.pending.discard();
            if (dropped > 0) {
                stream.returnCreditFromLoop(dropped);
            }
        }
        stream.finPending = false;
    }

    private void sendFailed(StreamState stream, long error) {
        if (error == QuicheError.STREAM_STOPPED.code()) {
            long code = errorCode.get(ValueLayout.JAVA_LONG, 0);
            stream.stoppedCode = code;
            dropPending(stream);
            QuicListener listener = stream.connection.listener;
            if (listener != null) {
                listener.onStreamStopped(stream.handle, code);
            }
        } else {
            stream.writeFailure = "quiche refused data on stream " + stream.id + ": " + QuicheError.describe(error);
            dropPending(stream);
        }
        stream.finished.completeExceptionally(new ClosedException(stream.writeClosedReason()));
        EventLoop.unpark(stream.writeWaiter);
        loop.collector.tryCollect(stream);
    }

    /** Nothing more can be sent on the stream. */
    static boolean writeDead(StreamState stream) {
        return stream.resetByApplication || stream.stoppedCode >= 0 || stream.writeFailure != null || stream.collected;
    }

    /** quiche took the stream's fin: from now on the loop watches for the peer's acknowledgement. */
    private static void finHandedOver(StreamState stream) {
        stream.finSent = true;
        stream.connection.unacked.add(stream);
    }

    /** quiche now knows the local stream: its index counts against the peer's stream limit. */
    private static void knownToQuiche(ConnectionState connection, StreamState stream) {
        if (!stream.knownToQuiche) {
            stream.knownToQuiche = true;
            if (stream.local) {
                long count = (stream.id >>> 2) + 1;
                if (stream.bidirectional) {
                    connection.localBidiOpened = Math.max(connection.localBidiOpened, count);
                } else {
                    connection.localUniOpened = Math.max(connection.localUniOpened, count);
                }
            }
        }
    }

    void onResetStream(StreamState stream, long code) {
        ConnectionState connection = stream.connection;
        if (connection.finalized || stream.collected) {
            return;
        }
        loop.collector.register(connection, stream);
        dropPending(stream);
        stream.finished.completeExceptionally(new ClosedException("stream " + stream.id + " was reset by this side with application error " + code));
        QuicheStream.shutdown(connection.quiche, stream.id, QuicheStream.SHUTDOWN_WRITE, code);
        knownToQuiche(connection, stream);
        stream.finSent = true; // nothing more will be sent: the send side is done
        loop.markDirty(connection);
        loop.collector.tryCollect(stream);
    }

    void onStopSending(StreamState stream, long code) {
        ConnectionState connection = stream.connection;
        if (connection.finalized || stream.collected) {
            loop.collector.tryCollect(stream);
            return;
        }
        loop.collector.register(connection, stream);
        QuicheStream.shutdown(connection.quiche, stream.id, QuicheStream.SHUTDOWN_READ, code);
        knownToQuiche(connection, stream);
        loop.markDirty(connection);
        loop.collector.tryCollect(stream);
    }
}
