package io.quicheengine.internal.buffers;

import java.lang.foreign.MemorySegment;

/**
 * One pre-allocated event of the {@link CommandRing}: a command's kind and arguments, and the
 * off-heap payload slot its bytes are copied into. Filled by one producer between claim and
 * publish, then read by the consumer, which clears it once done.
 *
 * <p>Internal to the engine (not exported by its module): the engine's {@code Command}
 * extends it; producers fill it on application threads, the loop thread reads and clears it.
 */
public class CommandSlot {
    /** This event's own payload slot, fixed for the ring's life. */
    public final MemorySegment payload;
    public final long payloadAddress;
    public int type;
    public long code;
    public int length;
    public boolean fin;
    public Object attachment;
    /** Control commands only: the ring sequence claimed last when it was submitted; it runs after that one. */
    public long fence;

    public CommandSlot(MemorySegment payload) {
        this.payload = payload;
        this.payloadAddress = payload.address();
    }

    /** Forgets the command, so the slot holds no reference once handled. */
    public void clear() {
        type = 0;
        attachment = null;
        length = 0;
        fin = false;
        code = 0;
        fence = 0;
    }
}
