package io.quicheengine;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
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
 */
final class CommandRing {
    private final RingBuffer<Command> ring;
    private final EventPoller<Command> poller;
    private final int slotSize;
    private final int maxClaim;

    CommandRing(Arena arena, int size, int slotSize, NativeResources resources) {
        if (Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("commandRingSize must be a power of two, was " + size);
        }
        MemorySegment slots = arena.allocate((long) size * slotSize, 64);
        resources.slotBytes.add(slots.byteSize());
        int[] next = {0};
        this.ring = RingBuffer.createMultiProducer(() -> new Command(slots.asSlice((long) next[0]++ * slotSize, slotSize)), size,
                new BusySpinWaitStrategy());
        this.poller = ring.newPoller();
        // A poller alone does not gate producers: without this they would overwrite unread events.
        ring.addGatingSequences(poller.getSequence());
        this.slotSize = slotSize;
        this.maxClaim = Math.max(1, size / 4);
    }

    int slotSize() {
        return slotSize;
    }

    /** The most sequences one claim may take, so one large write cannot starve everyone else. */
    int maxClaim() {
        return maxClaim;
    }

    /** Claims {@code n} contiguous sequences; returns the highest, or -1 when the ring has no room. */
    long tryClaim(int n) {
        try {
            return ring.tryNext(n);
        } catch (InsufficientCapacityException e) {
            return -1;
        }
    }

    /** The highest sequence any producer claimed so far: a control command submitted now runs after it. */
    long cursor() {
        return ring.getCursor();
    }

    /** The highest sequence the loop has handled. */
    long processed() {
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
    boolean seal(long deadlineNanos) {
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

    Command get(long sequence) {
        return ring.get(sequence);
    }

    void publish(long low, long high) {
        ring.publish(low, high);
    }

    /** Hands available events to the handler (loop thread). */
    boolean poll(EventPoller.Handler<Command> handler) throws Exception {
        return poller.poll(handler) == EventPoller.PollState.PROCESSING;
    }

    /** Whether something was claimed that the loop has not processed yet (a reason not to park). */
    boolean hasPending() {
        return ring.getCursor() > poller.getSequence().get();
    }
}
