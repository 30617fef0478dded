package io.quicheengine;

import io.quicheengine.internal.buffers.NativeResources;
import io.quicheengine.internal.buffers.StreamReadRing;
import java.util.ArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * Stream collection: a stream leaves its connection's table, and its read ring goes back to the
 * pool, once both its sides are done. Retries streams whose reader still held the ring, and keeps
 * the unread bytes of closed connections readable for {@link #UNREAD_AFTER_CLOSE_NANOS}. Each
 * stream knows whether it waits in either list ({@link StreamState#inToCollect},
 * {@link StreamState#orphanIndex}), so neither is ever searched. Loop thread only.
 */
final class StreamCollector {
    /** How long bytes a peer sent before closing stay readable when the application does not read them. */
    static final long UNREAD_AFTER_CLOSE_NANOS = 30_000_000_000L;

    private final EventLoop loop;
    private final NativeResources resources;
    /** Streams done on both sides whose ring a reader held at that moment: retried every cycle. */
    private final ArrayList<StreamState> toCollect = new ArrayList<>();
    /** Streams of closed connections with bytes still unread: looked at again when read, or once a stats interval. */
    private final ArrayList<StreamState> orphans = new ArrayList<>();

    StreamCollector(EventLoop loop) {
        this.loop = loop;
        this.resources = loop.resources;
    }

    /** The stream enters its connection's table (once). */
    void register(ConnectionState connection, StreamState stream) {
        if (!stream.registered) {
            stream.registered = true;
            connection.streams.put(stream.id, stream);
            resources.streams.increment();
        }
    }

    private boolean readSideDone(StreamState stream) {
        if (!stream.canRead || stream.readShutdown || stream.resetCode >= 0) {
            return true;
        }
        long end = stream.finalSize;
        if (end >= 0 && stream.bytesRead >= end) {
            return true;
        }
        // After the connection closed, a stream with nothing left to read is done too, and so is
        // one whose connection this side closed, or whose unread bytes were kept long enough.
        ConnectionState connection = stream.connection;
        return connection.finalized && (connection.discardUnread || stream.ring == null || stream.ring.size() == 0
                || loop.now() - connection.finalizedAt >= UNREAD_AFTER_CLOSE_NANOS);
    }

    private static boolean writeSideDone(StreamState stream) {
        if (!stream.canWrite || stream.stoppedCode >= 0 || stream.writeFailure != null || stream.connection.finalized) {
            return true;
        }
        // A reset counts once the loop carried it out (finSent is set then), not when the application asked.
        return stream.finSent && (stream.pending == null || stream.pending.isEmpty());
    }

    /** Collects the stream when both sides are done; otherwise leaves it (or retries later if only a reader lease is in the way). */
    void tryCollect(StreamState stream) {
        if (stream.collected || !readSideDone(stream) || !writeSideDone(stream)) {
            return;
        }
        if (!stream.tryRetireReader()) {
            if (!stream.inToCollect) {
                stream.inToCollect = true;
                toCollect.add(stream);
            }
            return;
        }
        StreamReadRing ring = stream.ring;
        if (ring != null) {
            stream.ring = null;
            loop.rings.release(ring);
        }
        stream.collected = true;
        loop.writer.dropPending(stream);
        ConnectionState connection = stream.connection;
        if (stream.registered) {
            connection.streams.remove(stream.id);
            resources.streams.decrement();
        }
    }

    /** Whether streams wait for their reader to let go of the ring. */
    boolean hasPending() {
        return !toCollect.isEmpty();
    }

    int collectPending() {
        int collected = 0;
        for (int i = toCollect.size() - 1; i >= 0; i--) {
            StreamState stream = toCollect.get(i);
            toCollect.remove(i);
            stream.inToCollect = false;
            tryCollect(stream);
            if (stream.collected) {
                collected++;
            }
        }
        return collected;
    }

    /** A stream of a connection just finalized that could not be collected: its unread bytes stay readable for a while. */
    void keepUnread(StreamState stream) {
        if (!stream.collected && !stream.inToCollect && stream.orphanIndex < 0) {
            stream.orphanIndex = orphans.size();
            orphans.add(stream);
        }
    }

    /** The orphan was collected: it leaves the list (O(1): the last one takes its place). */
    void forgetOrphan(StreamState stream) {
        int index = stream.orphanIndex;
        if (index < 0) {
            return;
        }
        int last = orphans.size() - 1;
        StreamState moved = orphans.get(last);
        orphans.set(index, moved);
        moved.orphanIndex = index;
        orphans.remove(last);
        stream.orphanIndex = -1;
    }

    /** Unread bytes of closed connections that were kept long enough go; once a stats interval, or on the application's close. */
    void collectOrphans() {
        for (int i = orphans.size() - 1; i >= 0; i--) {
            StreamState stream = orphans.get(i);
            tryCollect(stream);
            if (stream.collected || stream.inToCollect) {
                forgetOrphan(stream);
            }
        }
    }

    /** The application closed a connection that had already closed: let its unread bytes go now. */
    void discardUnread(ConnectionState connection) {
        connection.discardUnread = true;
        collectOrphans();
    }

    /** The loop died: readers waiting on streams of closed connections wake and see it. */
    void wakeReaders() {
        for (int i = 0; i < orphans.size(); i++) {
            EventLoop.unpark(orphans.get(i).readWaiter);
        }
        for (int i = 0; i < toCollect.size(); i++) {
            EventLoop.unpark(toCollect.get(i).readWaiter);
        }
    }

    /**
     * Engine shutdown, connections already finalized: takes every ring still lent back, waiting
     * (bounded by {@code deadline}) for readers, which hold one only for the length of a poll/read.
     *
     * @return false when a reader still held a ring's lease at {@code deadline} (that ring stays in use)
     */
    boolean releaseAll(long deadline) {
        boolean readersGone = true;
        ArrayList<StreamState> left = new ArrayList<>(toCollect);
        left.addAll(orphans);
        toCollect.clear();
        orphans.clear();
        for (StreamState stream : left) {
            stream.inToCollect = false;
            stream.orphanIndex = -1;
            boolean retired;
            while (!(retired = stream.tryRetireReader()) && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(100_000);
            }
            if (!retired) {
                readersGone = false; // its ring is neither reset nor freed: the reader may still be looking at it
                continue;
            }
            StreamReadRing ring = stream.ring;
            if (ring != null) {
                stream.ring = null;
                loop.rings.release(ring);
            }
            if (!stream.collected) {
                stream.collected = true;
                if (stream.registered) {
                    resources.streams.decrement();
                }
            }
        }
        return readersGone;
    }
}
