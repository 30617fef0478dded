package io.quicheengine;

import io.quicheengine.ffi.QuicheError;
import io.quicheengine.ffi.QuicheStream;
import io.quicheengine.internal.buffers.StreamReadRing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;

/**
 * The read path: moves what quiche received on each readable stream into the stream's read ring
 * while the ring has room, opens the peer's new streams, and resumes streams whose reader made
 * room again. Loop thread only.
 */
final class StreamReader {
    private static final int DISCARD_BYTES = 65536;

    private final EventLoop loop;
    private final MemorySegment fin;
    private final MemorySegment errorCode;
    /** Where bytes nobody will read are received into and dropped. */
    private final MemorySegment discard;
    /** Streams whose ring was full (or missing): each knows it is here ({@link StreamState#inReadBlockedList}). */
    private final ArrayList<StreamState> readBlocked = new ArrayList<>();

    StreamReader(EventLoop loop) {
        this.loop = loop;
        Arena arena = loop.engine.arena;
        this.fin = arena.allocate(ValueLayout.JAVA_BOOLEAN);
        this.errorCode = arena.allocate(ValueLayout.JAVA_LONG);
        this.discard = arena.allocate(DISCARD_BYTES, 8);
    }

    void drainReadable(ConnectionState connection) {
        MemorySegment quiche = connection.quiche;
        for (long id = QuicheStream.readableNext(quiche); id >= 0; id = QuicheStream.readableNext(quiche)) {
            StreamState stream = connection.streams.get(id);
            if (stream == null) {
                stream = peerStream(connection, id);
                if (stream == null) {
                    discardReadable(connection, id);
                    continue;
                }
            }
            drainStream(connection, stream);
        }
    }

    private StreamState peerStream(ConnectionState connection, long id) {
        boolean clientInitiated = (id & 1) == 0;
        if (clientInitiated == connection.client) {
            return null; // one of ours that was already collected: nothing can still be owed to it
        }
        StreamState stream = new StreamState(connection, id);
        loop.collector.register(connection, stream);
        if (connection.listener != null) {
            connection.listener.onStreamOpened(stream.handle);
        } else if (!connection.acceptQueue.offer(stream.handle)) {
            loop.settings.errorHandler().onError(connection.handle, "too many unaccepted peer streams: refusing stream " + id, null);
            QuicheStream.shutdown(connection.quiche, id, QuicheStream.SHUTDOWN_READ, 0);
            stream.readShutdown = true;
            if (stream.canWrite) {
                QuicheStream.shutdown(connection.quiche, id, QuicheStream.SHUTDOWN_WRITE, 0);
                stream.resetByApplication = true;
            }
            loop.collector.tryCollect(stream);
            return null;
        }
        return stream;
    }

    /** Takes in and drops what quiche holds for the stream. */
    void discardReadable(ConnectionState connection, long id) {
        while (true) {
            long n = QuicheStream.recv(connection.quiche, id, discard, discard.byteSize(), fin, errorCode);
            if (n <= 0 || fin.get(ValueLayout.JAVA_BOOLEAN, 0)) {
                return;
            }
        }
    }

    /** Moves the stream's readable bytes from quiche into its ring while the ring has room. */
    private void drainStream(ConnectionState connection, StreamState stream) {
        if (stream.readShutdown || stream.collected || connection.pendingClose != null) {
            discardReadable(connection, stream.id);
            return;
        }
        if (stream.finalSize >= 0 || stream.resetCode >= 0) {
            return; // quiche has nothing more for it, and may already have forgotten the stream
        }
        StreamReadRing ring = stream.ring;
        if (ring == null) {
            ring = loop.rings.acquire();
            if (ring == null) {
                blockReads(stream);
                return;
            }
            stream.ring = ring;
        }
        boolean progressed = false;
        long reset = -1;
        while (true) {
            int space = ring.writableBytes();
            if (space == 0) {
                blockReads(stream);
                break;
            }
            long n = QuicheStream.recvToAddress(connection.quiche, stream.id, ring.writeAddress(), space, fin, errorCode);
            if (n == QuicheError.DONE.code()) {
                break;
            }
            if (n == QuicheError.STREAM_RESET.code()) {
                reset = errorCode.get(ValueLayout.JAVA_LONG, 0);
                stream.resetCode = reset;
                progressed = true;
                break;
            }
            if (n < 0) {
                throw new IllegalStateException("quiche_conn_stream_recv on stream " + stream.id + ": " + QuicheError.describe(n));
            }
            ring.commitWrite((int) n);
            stream.bytesReceived = ring.tailPosition();
            progressed = true;
            if (fin.get(ValueLayout.JAVA_BOOLEAN, 0)) {
                stream.finalSize = ring.tailPosition();
                break;
            }
            if (n < space) {
                break;
            }
        }
        if (progressed) {
            EventLoop.unpark(stream.readWaiter);
            QuicListener listener = connection.listener;
            if (listener != null) {
                if (reset >= 0) {
                    listener.onStreamReset(stream.handle, reset);
                } else {
                    listener.onStreamReadable(stream.handle);
                }
            }
            if (reset >= 0 || stream.finalSize >= 0) {
                loop.collector.tryCollect(stream);
            }
        }
    }

    private void blockReads(StreamState stream) {
        stream.readBlocked = true;
        if (!stream.inReadBlockedList) {
            stream.inReadBlockedList = true;
            readBlocked.add(stream);
        }
    }

    boolean hasBlocked() {
        return !readBlocked.isEmpty();
    }

    /** Streams whose ring was full (or missing): resume as soon as their reader made room. */
    int resumeBlockedReaders() {
        int resumed = 0;
        for (int i = readBlocked.size() - 1; i >= 0; i--) {
            StreamState stream = readBlocked.get(i);
            ConnectionState connection = stream.connection;
            if (connection.finalized || stream.collected || stream.readShutdown || stream.finalSize >= 0 || stream.resetCode >= 0) {
                removeBlocked(i, stream);
                continue;
            }
            StreamReadRing ring = stream.ring;
            boolean room = ring == null || ring.writableBytes() > 0;
            if (room) {
                removeBlocked(i, stream);
                stream.readBlocked = false;
                try {
                    drainStream(connection, stream);
                } catch (RuntimeException e) {
                    loop.closer.failConnection(connection, "resuming reads of " + stream, e);
                    continue;
                }
                loop.markDirty(connection);
                resumed++;
            }
        }
        return resumed;
    }

    private void removeBlocked(int index, StreamState stream) {
        int last = readBlocked.size() - 1;
        readBlocked.set(index, readBlocked.get(last));
        readBlocked.remove(last);
        stream.inReadBlockedList = false;
    }

    /** The stream's reader consumed bytes: a blocked stream goes back on the list, a finished one may be collected. */
    void onReadProgress(StreamState stream) {
        ConnectionState connection = stream.connection;
        if (!connection.finalized && !stream.collected && stream.readBlocked && !stream.inReadBlockedList) {
            blockReads(stream);
        }
        loop.collector.tryCollect(stream);
        if (stream.collected && connection.finalized) {
            loop.collector.forgetOrphan(stream);
        }
    }
}
