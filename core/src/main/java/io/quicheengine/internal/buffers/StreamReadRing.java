package io.quicheengine.internal.buffers;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One stream's received bytes: an off-heap byte ring with one producer (the loop, which lets
 * quiche write straight into it) and one consumer (the application thread reading the stream).
 * Positions only grow; each lives on its own cache line so producer and consumer do not share
 * one. Capacity is a power of two.
 *
 * <p>Producer side (loop thread): {@link #writableBytes}, {@link #writeAddress}, {@link #commitWrite}.
 * Consumer side (the stream's current reader): {@link #readableBytes}, {@link #view}, {@link #commitRead}.
 *
 * <p>Internal to the engine (not exported by its module): the event loop's stream reader
 * produces on the loop thread; {@code QuicStream}'s poll/read consume on the stream's reading
 * thread.
 */
public final class StreamReadRing extends StreamReadRingHead {
    private final MemorySegment memory;
    private final UnsafeBuffer view;
    private final long base;
    private final int capacity;
    private final int mask;
    /** Its place among the pool's lent rings, -1 while pooled; the loop only. */
    int lentIndex = -1;

    public StreamReadRing(MemorySegment memory) {
        int size = Math.toIntExact(memory.byteSize());
        if (Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("ring capacity must be a power of two, was " + size);
        }
        this.memory = memory;
        this.view = new UnsafeBuffer(memory.address(), size);
        this.base = memory.address();
        this.capacity = size;
        this.mask = size - 1;
    }

    public int capacity() {
        return capacity;
    }

    public MemorySegment memory() {
        return memory;
    }

    /** The whole ring as an Agrona buffer; indexes are positions masked by {@link #index}. */
    public UnsafeBuffer view() {
        return view;
    }

    public int index(long position) {
        return (int) (position & mask);
    }

    // ---- producer (loop thread) ----

    /** Free bytes that can be written contiguously at the tail. */
    public int writableBytes() {
        long tail = tailPlain();
        long free = capacity - (tail - headAcquire());
        int toEnd = capacity - (int) (tail & mask);
        return (int) Math.min(free, toEnd);
    }

    public long writeAddress() {
        return base + (tailPlain() & mask);
    }

    public void commitWrite(int bytes) {
        setTailRelease(tailPlain() + bytes);
    }

    public long tailPosition() {
        return tailPlain();
    }

    // ---- consumer (the reading thread) ----

    /** Bytes readable contiguously from {@code head} (the consumer's own position). */
    public int readableBytes(long head) {
        long available = tailAcquire() - head;
        int toEnd = capacity - (int) (head & mask);
        return (int) Math.min(available, toEnd);
    }

    public long headPosition() {
        return headAcquire();
    }

    public void commitRead(long newHead) {
        setHeadRelease(newHead);
    }

    /** Bytes written and not yet read; any thread (an estimate while both sides move). */
    public long size() {
        return tailAcquire() - headAcquire();
    }

    /** Back to empty, for reuse by another stream; only when no reader can be using it. */
    public void reset() {
        setTailRelease(0);
        setHeadRelease(0);
    }
}

/** Padding and positions for {@link StreamReadRing}: tail and head on separate cache lines. */
abstract class StreamReadRingPad0 {
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

abstract class StreamReadRingTail extends StreamReadRingPad0 {
    private static final VarHandle TAIL;

    static {
        try {
            TAIL = MethodHandles.lookup().findVarHandle(StreamReadRingTail.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Written by the loop only. */
    private long tail;

    final long tailPlain() {
        return tail;
    }

    final long tailAcquire() {
        return (long) TAIL.getAcquire(this);
    }

    final void setTailRelease(long value) {
        TAIL.setRelease(this, value);
    }
}

abstract class StreamReadRingPad1 extends StreamReadRingTail {
    long p10, p11, p12, p13, p14, p15, p16, p17;
}

abstract class StreamReadRingHead0 extends StreamReadRingPad1 {
    private static final VarHandle HEAD;

    static {
        try {
            HEAD = MethodHandles.lookup().findVarHandle(StreamReadRingHead0.class, "head", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Written by the reader only. */
    private long head;

    final long headAcquire() {
        return (long) HEAD.getAcquire(this);
    }

    final void setHeadRelease(long value) {
        HEAD.setRelease(this, value);
    }
}

abstract class StreamReadRingHead extends StreamReadRingHead0 {
    long p20, p21, p22, p23, p24, p25, p26, p27;
}
