package io.quicheengine;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Room claimed in the engine's outbound command slot by {@link QuicStream#tryClaim}: the caller
 * writes its bytes straight into {@link #buffer()} and then commits them, or aborts. Zero copies
 * and no allocation: make one claim per writing thread and reuse it for every message.
 *
 * <p>Not thread-safe: one thread claims, fills and ends a claim. Between a successful
 * {@code tryClaim} and {@link #commit()} or {@link #abort()} the claim holds up every command
 * queued behind it, so it must be filled at once and always ended. The buffer points into engine
 * memory only while the claim is active; afterwards it is empty, so a late write fails at once
 * instead of landing in a slot another writer owns.
 */
public final class StreamClaim {
    private static final byte[] NONE = new byte[0];

    private final UnsafeBuffer buffer = new UnsafeBuffer(NONE);
    private QuicStream stream;
    private Command command;
    private long sequence;

    /** An inactive claim, ready for {@link QuicStream#tryClaim}. */
    public StreamClaim() {
    }

    void begin(QuicStream owner, Command slot, long claimedSequence) {
        this.stream = owner;
        this.command = slot;
        this.sequence = claimedSequence;
        buffer.wrap(slot.payloadAddress, slot.length);
    }

    /** True between a successful {@link QuicStream#tryClaim} and its commit or abort. */
    public boolean isActive() {
        return command != null;
    }

    /** The claimed bytes: write {@link #length()} of them from {@link #offset()}. Empty when not active. */
    public MutableDirectBuffer buffer() {
        return buffer;
    }

    /** Where the claimed bytes start in {@link #buffer()} (always 0, named so encoders take it as a parameter). */
    public int offset() {
        return 0;
    }

    /** The bytes claimed; 0 when not active. */
    public int length() {
        return command == null ? 0 : command.length;
    }

    /** The stream claimed on, or null when not active. */
    public QuicStream stream() {
        return stream;
    }

    /**
     * Hands the claimed bytes (all of them, as written) to the engine, with the fin if one was
     * claimed; they then count as accepted, as after an offer.
     *
     * @throws IllegalStateException when the claim is not active (already committed or aborted, or never claimed)
     */
    public void commit() {
        Command slot = end("commit");
        stream.commitClaim(slot, sequence);
        stream = null;
    }

    /**
     * Gives the claimed room back unused: nothing is sent, credit returns and a claimed fin is
     * withdrawn.
     *
     * @throws IllegalStateException when the claim is not active (already committed or aborted, or never claimed)
     */
    public void abort() {
        Command slot = end("abort");
        stream.abortClaim(slot, sequence);
        stream = null;
    }

    private Command end(String what) {
        Command slot = command;
        if (slot == null) {
            throw new IllegalStateException("cannot " + what + ": the claim is not active (tryClaim returned false, or it was already committed or aborted)");
        }
        command = null;
        buffer.wrap(NONE);
        return slot;
    }

    @Override
    public String toString() {
        return command == null ? "StreamClaim[inactive]" : "StreamClaim[" + command.length + " bytes on " + stream + "]";
    }
}
