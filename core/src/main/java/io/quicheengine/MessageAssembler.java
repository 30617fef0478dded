package io.quicheengine;

import java.nio.ByteOrder;
import java.util.Objects;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * Turns a stream of length-prefixed frames ({@link MessageFramer}'s format: a 4-byte big-endian
 * length, then that many bytes) back into whole messages, whatever fragments the bytes arrive in.
 * Pass it to {@link QuicStream#poll} as the fragment handler; it calls its {@link MessageHandler}
 * once per message.
 *
 * <pre>{@code
 * MessageAssembler assembler = new MessageAssembler(1024, (buffer, index, length) -> onOrder(buffer, index, length));
 * while (running) {
 *     if (stream.poll(assembler, 16) == 0) {
 *         idle.idle();
 *     }
 * }
 * }</pre>
 *
 * <p>One per stream, used by the stream's reading thread only (not thread-safe). A message that
 * lies whole in one fragment is handed over in place, straight from the read ring; one split
 * across fragments is copied into the assembler's buffer, which grows up to the largest message
 * and is then reused (no allocation in steady state).
 *
 * <p>Errors: a length prefix that is negative or larger than {@code maxMessageLength} throws
 * {@link MalformedMessageException}, and every later fragment throws again (the framing is lost;
 * {@link #reset()} to reuse the assembler on another stream). When the {@link MessageHandler}
 * throws, that message counts as delivered, the messages after it in the same fragment are still
 * delivered, and then the first exception propagates to the poll caller (later ones added as
 * suppressed): no byte is lost and no message repeats.
 */
public final class MessageAssembler implements FragmentHandler {
    private final int maxMessageLength;
    private final MessageHandler handler;
    private final ExpandableArrayBuffer partial;
    /** Bytes of the current frame held in {@link #partial}: header first, then payload. */
    private int held;
    /** The current frame's payload length once its header is complete, else -1. */
    private int messageLength = -1;
    /** Why the framing was lost, or null. */
    private String failure;
    private long failedLength;

    /**
     * @param maxMessageLength the largest message accepted, 0 or more; also bounds the assembler's buffer
     * @param handler          called once per whole message
     * @throws IllegalArgumentException when {@code maxMessageLength} is negative or over 2^31 - 9
     */
    public MessageAssembler(int maxMessageLength, MessageHandler handler) {
        if (maxMessageLength < 0 || maxMessageLength > Integer.MAX_VALUE - 8 - MessageFramer.HEADER_LENGTH) {
            throw new IllegalArgumentException("maxMessageLength must be 0.." + (Integer.MAX_VALUE - 8 - MessageFramer.HEADER_LENGTH)
                    + ", was " + maxMessageLength);
        }
        this.maxMessageLength = maxMessageLength;
        this.handler = Objects.requireNonNull(handler, "handler");
        this.partial = new ExpandableArrayBuffer(Math.min(MessageFramer.HEADER_LENGTH + maxMessageLength, 4096));
    }

    /** The largest message this assembler accepts. */
    public int maxMessageLength() {
        return maxMessageLength;
    }

    /** Forgets a partial message and an earlier framing error, for a new stream. */
    public void reset() {
        held = 0;
        messageLength = -1;
        failure = null;
    }

    @Override
    public void onFragment(DirectBuffer buffer, int index, int length) {
        if (failure != null) {
            throw new MalformedMessageException(failure, failedLength);
        }
        int position = index;
        int end = index + length;
        RuntimeException thrown = null;
        try {
            while (position < end) {
                if (held == 0 && end - position >= MessageFramer.HEADER_LENGTH) {
                    int size = checkedLength(buffer.getInt(position, ByteOrder.BIG_ENDIAN));
                    if (end - position - MessageFramer.HEADER_LENGTH >= size) {
                        int start = position + MessageFramer.HEADER_LENGTH;
                        position = start + size;
                        thrown = deliver(buffer, start, size, thrown);
                        continue;
                    }
                }
                position = accumulate(buffer, position, end);
                if (messageLength >= 0 && held == MessageFramer.HEADER_LENGTH + messageLength) {
                    int size = messageLength;
                    held = 0;
                    messageLength = -1;
                    thrown = deliver(partial, MessageFramer.HEADER_LENGTH, size, thrown);
                }
            }
        } catch (MalformedMessageException e) {
            if (thrown != null) {
                e.addSuppressed(thrown);
            }
            throw e;
        }
        if (thrown != null) {
            throw thrown;
        }
    }

    /** Copies what the current frame still needs from {@code [position, end)}; returns the new position. */
    private int accumulate(DirectBuffer buffer, int position, int end) {
        if (held < MessageFramer.HEADER_LENGTH) {
            int n = Math.min(MessageFramer.HEADER_LENGTH - held, end - position);
            partial.putBytes(held, buffer, position, n);
            held += n;
            position += n;
            if (held < MessageFramer.HEADER_LENGTH) {
                return position;
            }
            messageLength = checkedLength(partial.getInt(0, ByteOrder.BIG_ENDIAN));
        }
        int n = Math.min(MessageFramer.HEADER_LENGTH + messageLength - held, end - position);
        partial.putBytes(held, buffer, position, n);
        held += n;
        return position + n;
    }

    private int checkedLength(int declared) {
        if (declared < 0 || declared > maxMessageLength) {
            failedLength = Integer.toUnsignedLong(declared);
            failure = "malformed frame: a message length of " + failedLength + " bytes, the most is " + maxMessageLength
                    + " (the stream's framing is lost)";
            throw new MalformedMessageException(failure, failedLength);
        }
        return declared;
    }

    private RuntimeException deliver(DirectBuffer buffer, int index, int length, RuntimeException earlier) {
        try {
            handler.onMessage(buffer, index, length);
            return earlier;
        } catch (RuntimeException e) {
            if (earlier == null) {
                return e;
            }
            earlier.addSuppressed(e);
            return earlier;
        }
    }
}
