package io.quicheengine.internal.buffers;

import io.quicheengine.ffi.QuicheStream;
import java.lang.foreign.MemorySegment;
import org.agrona.UnsafeApi;

/**
 * One stream's bytes accepted from the application that quiche could not take yet (stream or
 * connection flow control, congestion window): a FIFO of pooled chunks, flushed into quiche when
 * it has room again. Holds chunks only while it holds bytes. Loop thread only.
 *
 * <p>Internal to the engine (not exported by its module): used by the event loop's stream writer,
 * on the loop thread.
 */
public final class PendingWrites {
    private final ChunkPool pool;
    private int[] chunks;
    private int first;
    private int count;
    private int headOffset;
    private int tailFill;
    private long bytes;

    /** {@code expectedChunks}: enough for the stream's write bound, so the queue never grows in steady state. */
    public PendingWrites(ChunkPool pool, int expectedChunks) {
        this.pool = pool;
        this.chunks = new int[Integer.highestOneBit(Math.max(4, expectedChunks - 1)) * 2];
    }

    public boolean isEmpty() {
        return bytes == 0;
    }

    public long bytes() {
        return bytes;
    }

    /** Copies {@code length} bytes from native memory at {@code source} to the end of the queue. */
    public void append(long source, int length) {
        int chunkSize = pool.chunkSize();
        int room = count == 0 ? 0 : chunkSize - tailFill;
        int needed = length <= room ? 0 : (length - room + chunkSize - 1) / chunkSize;
        if (count + needed > chunks.length) {
            chunks = grow(needed);
        }
        int mask = chunks.length - 1;
        for (int i = 0; i < needed; i++) {
            chunks[(first + count + i) & mask] = pool.acquire();
        }
        long from = source;
        int remaining = length;
        if (room > 0) {
            int n = Math.min(room, remaining);
            UnsafeApi.copyMemory(from, pool.address(chunks[(first + count - 1) & mask]) + tailFill, n);
            tailFill += n;
            from += n;
            remaining -= n;
        }
        for (int i = 0; i < needed; i++) {
            int n = Math.min(chunkSize, remaining);
            UnsafeApi.copyMemory(from, pool.address(chunks[(first + count) & mask]), n);
            count++;
            tailFill = n;
            from += n;
            remaining -= n;
        }
        bytes += length;
    }

    /**
     * Hands queued bytes to quiche until it takes less than offered or the queue is empty.
     *
     * @return bytes quiche took (>= 0), or the negative quiche error of the first failed call when it took none
     */
    public long flush(MemorySegment conn, long streamId, MemorySegment errorCode) {
        long taken = 0;
        int chunkSize = pool.chunkSize();
        while (bytes > 0) {
            int end = count == 1 ? tailFill : chunkSize;
            int length = end - headOffset;
            long n = QuicheStream.sendFromAddress(conn, streamId, pool.address(chunks[first]) + headOffset, length, false, errorCode);
            if (n < 0) {
                return taken == 0 ? n : taken;
            }
            headOffset += (int) n;
            bytes -= n;
            taken += n;
            if (headOffset == end) {
                pool.release(chunks[first]);
                first = (first + 1) & (chunks.length - 1);
                count--;
                headOffset = 0;
                if (count == 0) {
                    tailFill = 0;
                }
            }
            if (n < length) {
                break;
            }
        }
        return taken;
    }

    /** Drops everything (stream reset or connection gone) and returns the chunks; returns the bytes dropped. */
    public long discard() {
        long dropped = bytes;
        while (count > 0) {
            pool.release(chunks[first]);
            first = (first + 1) & (chunks.length - 1);
            count--;
        }
        first = 0;
        headOffset = 0;
        tailFill = 0;
        bytes = 0;
        return dropped;
    }

    private int[] grow(int extra) {
        int size = chunks.length;
        while (size < count + extra) {
            size <<= 1;
        }
        int[] bigger = new int[size];
        for (int i = 0; i < count; i++) {
            bigger[i] = chunks[(first + i) & (chunks.length - 1)];
        }
        first = 0;
        return bigger;
    }
}
