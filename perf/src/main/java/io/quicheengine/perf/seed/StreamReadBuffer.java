package io.quicheengine.perf.seed;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The seed's {@code StreamReadBuffer}: a growable byte array ({@code std::vector<uint8_t>}), a read
 * offset, the fin flag and its own lock ({@code pthread_mutex_t}). The loop thread appends what
 * {@code quiche_conn_stream_recv} returned; application threads copy out under the same lock.
 *
 * <p>Like a sensible use of a vector, space already read is reused (reset when fully read,
 * compacted before growing) rather than kept forever; the buffer grows without bound when the
 * reader falls behind, as the seed's did.
 */
final class StreamReadBuffer {

    private static final int INITIAL_CAPACITY = 64 * 1024;

    private final ReentrantLock lock = new ReentrantLock();
    private byte[] data = new byte[INITIAL_CAPACITY];
    private int size;
    private int readOffset;
    private boolean finReceived;

    /** Loop thread: appends {@code length} bytes of {@code src}; {@code fin} marks the stream's end. */
    void append(MemorySegment src, int length, boolean fin) {
        lock.lock();
        try {
            if (size + length > data.length) {
                makeRoom(length);
            }
            MemorySegment.copy(src, ValueLayout.JAVA_BYTE, 0, data, size, length);
            size += length;
            if (fin) {
                finReceived = true;
            }
        } finally {
            lock.unlock();
        }
    }

    private void makeRoom(int length) {
        int unread = size - readOffset;
        if (readOffset > 0) {
            System.arraycopy(data, readOffset, data, 0, unread);
            size = unread;
            readOffset = 0;
        }
        if (size + length > data.length) {
            data = Arrays.copyOf(data, Math.max(data.length * 2, size + length));
        }
    }

    /**
     * Application thread: copies up to {@code length} bytes into {@code dst}.
     *
     * @return bytes copied, 0 when nothing is buffered, -1 when the fin was received and all was read
     */
    int read(byte[] dst, int offset, int length) {
        lock.lock();
        try {
            int available = size - readOffset;
            if (available == 0) {
                return finReceived ? -1 : 0;
            }
            int n = Math.min(available, length);
            System.arraycopy(data, readOffset, dst, offset, n);
            readOffset += n;
            if (readOffset == size) {
                readOffset = 0;
                size = 0;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }
}
