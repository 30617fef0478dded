package io.quicheengine.internal.buffers;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import io.quicheengine.internal.io.LoopIdler;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.LockSupport;

/**
 * The one multi-producer LMAX Disruptor ring through which application threads hand commands to
 * the loop. Every event owns a pre-allocated off-heap payload slot of {@link #slotSize()} bytes; a
 * write larger than a slot claims contiguous sequences so its chunks stay in order.
 *
 * <p>Producers (any application thread): {@link #tryClaim}, fill {@link #get}, {@link #publish}.
 * Keep the claim-to-publish window tiny: a producer preempted inside it holds up every event
 * behind it. Consumer: the loop thread only, through {@link #poll}.
 *
 * <p>The ring's own wait strategy is a no-op signal (busy-spin): the loop never waits on it, and
 * producers wake a parked loop themselves ({@link LoopIdler#wake()}), only when it is parked.
 *
 * <p>Internal to the engine (not exported by its module): {@code QuicStream} and {@code
 * QuicConnection} produce on application threads; the event loop's command drain consumes on the
 * loop thread.
 */
public final class CommandRing<E extends CommandSlot> {
    private final RingBuffer<E> ring;
    private final EventPoller<E> poller;
    private final int slotSize;
    private final int maxClaim;

    public CommandRing(Arena arena, int size, int slotSize, NativeResources resources, java.util.function.Function<MemorySegment, E> newSlot) {
        if (Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("commandRingSize must be a power of two, was " + size);
        }
        MemorySegment slots = arena.allocate((long) size * slotSize, 64);
        resources.slotBytes.add(slots.byteSize());
        int[] next = {0};
        this.ring = RingBuffer.createMultiProducer(() -> newSlot.apply(slots.asSlice((long) next[0]++ * slotSize, slotSize)), size,
                new BusySpinWaitStrategy());
        this.poller = ring.newPoller();
        // A poller alone does not gate producers: without this they would overwrite unread events.
        ring.addGatingSequences(poller.getSequence());
        this.slotSize = slotSize;
        this.maxClaim = Math.max(1, size / 4);
    }

    public int slotSize() {
        return slotSize;
    }

    /** The most sequences one claim may take, so one large write cannot starve everyone else. */
    public int maxClaim() {
        return maxClaim;
    }

    /** Claims {@code n} contiguous sequences; returns the highest, or -1 when the ring has no room. */
    public long tryClaim(int n) {
        try {
            return ring.tryNext(n);
        } catch (InsufficientCapacityException e) {
            return -1;
        }
    }

    /** The highest sequence any producer claimed so far: a control command submitted now runs after it. */
    public long cursor() {
        return ring.getCursor();
    }

    /** The highest sequence the loop has handled. */
    public long processed() {
        return poller.getSequence().get();
    }

    /**
     * Loop, once it stopped polling: takes every free sequence for itself, so no producer can claim
     * (and then write into) a slot again, and waits for producers inside their claim-to-publish
     * window. Only then is it safe to free the slots.
     *
     * @return true when no producer can touch a slot any more; false when one still had not
     *         published by {@code deadlineNanos} (its slot must then not be freed)
     */
    public boolean seal(long deadlineNanos) {
        long remaining;
        while ((remaining = ring.remainingCapacity()) > 0) {
            long high = tryClaim((int) Math.min(remaining, Integer.MAX_VALUE));
            if (high >= 0) {
                ring.publish(high - remaining + 1, high); // published but never polled: they keep the ring full
            }
        }
        long cursor = ring.getCursor();
        for (long sequence = poller.getSequence().get() + 1; sequence <= cursor; sequence++) {
            while (!ring.isAvailable(sequence)) {
                if (System.nanoTime() - deadlineNanos >= 0) {
                    return false;
                }
                LockSupport.parkNanos(100_000);
            }
        }
        return true;
    }

    public E get(long sequence) {
        return ring.get(sequence);
    }

    public void publish(long low, long high) {
        ring.publish(low, high);
    }

    /** Hands available events to the handler (loop thread). */
    public boolean poll(EventPoller.Handler<E> handler) throws Exception {
        return poller.poll(handler) == EventPoller.PollState.PROCESSING;
    }

    /** Whether something was claimed that the loop has not processed yet (a reason not to park). */
    public boolean hasPending() {
        return ring.getCursor() > poller.getSequence().get();
    }
}
