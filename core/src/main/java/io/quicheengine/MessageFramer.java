package io.quicheengine;

import java.nio.ByteOrder;
import java.util.Objects;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes messages to a stream as length-prefixed frames: a 4-byte big-endian length, then the
 * message. A {@link MessageAssembler} on the reading side hands each message back whole, however
 * the stream split it. Each frame is offered all or nothing ({@link QuicStream#offerMessage}), so
 * frames from several threads writing one stream never interleave.
 *
 * <pre>{@code
 * MessageFramer framer = new MessageFramer(1024);   // one per writing thread
 * while (!framer.offer(stream, order, 0, orderLength)) {
 *     idle.idle();                                  // back-pressured: nothing was taken
 * }
 * // or encode in place, zero copies:
 * StreamClaim claim = new StreamClaim();
 * if (framer.tryClaim(stream, 64, claim)) {
 *     encodeOrder(claim.buffer(), claim.offset() + MessageFramer.HEADER_LENGTH);
 *     claim.commit();
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one per writing thread. A frame that fits one command slot
 * ({@link QuicEngine.Builder#slotSize}) is written straight into it through a claim (one copy, the
 * message into the slot); a larger one is first put together in the framer's own buffer. Neither
 * allocates.
 */
public final class MessageFramer {
    /** Bytes of the length prefix before every message. */
    public static final int HEADER_LENGTH = 4;

    private final int maxMessageLength;
    private final StreamClaim claim = new StreamClaim();
    private final UnsafeBuffer frame;

    /**
     * @param maxMessageLength the largest message this framer writes, 0 or more (its buffer holds one frame of it)
     * @throws IllegalArgumentException when {@code maxMessageLength} is negative or over 2^31 - 9
     */
    public MessageFramer(int maxMessageLength) {
        if (maxMessageLength < 0 || maxMessageLength > Integer.MAX_VALUE - 8 - HEADER_LENGTH) {
            throw new IllegalArgumentException("maxMessageLength must be 0.." + (Integer.MAX_VALUE - 8 - HEADER_LENGTH) + ", was " + maxMessageLength);
        }
        this.maxMessageLength = maxMessageLength;
        this.frame = new UnsafeBuffer(new byte[HEADER_LENGTH + maxMessageLength]);
    }

    /** The largest message this framer writes. */
    public int maxMessageLength() {
        return maxMessageLength;
    }

    /** Writes a frame's length prefix at {@code index}. */
    public static void putHeader(MutableDirectBuffer buffer, int index, int messageLength) {
        buffer.putInt(index, messageLength, ByteOrder.BIG_ENDIAN);
    }

    /**
     * Offers one message as a frame, all or nothing, without blocking.
     *
     * @return true when the whole frame was accepted; false when back-pressured (nothing was taken)
     * @throws IllegalArgumentException when {@code length} is over {@link #maxMessageLength()} or the range is outside {@code message}
     * @throws ClosedException          when the stream's write side, its connection or the engine is closed
     */
    public boolean offer(QuicStream stream, DirectBuffer message, int index, int length) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(message, "message");
        checkLength(length);
        if (index < 0 || index > message.capacity() - length) {
            throw new IllegalArgumentException("message range [" + index + ", " + index + " + " + length + ") is outside its buffer of "
                    + message.capacity() + " bytes");
        }
        if (HEADER_LENGTH + length <= stream.slotSize()) {
            if (!stream.tryClaim(HEADER_LENGTH + length, false, claim)) {
                return false;
            }
            MutableDirectBuffer slot = claim.buffer();
            putHeader(slot, claim.offset(), length);
            slot.putBytes(claim.offset() + HEADER_LENGTH, message, index, length);
            claim.commit();
            return true;
        }
        putHeader(frame, 0, length);
        frame.putBytes(HEADER_LENGTH, message, index, length);
        return stream.offerMessage(frame, 0, HEADER_LENGTH + length, false);
    }

    /** Offers one message from a byte array as a frame; see {@link #offer(QuicStream, DirectBuffer, int, int)}. */
    public boolean offer(QuicStream stream, byte[] message, int offset, int length) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(message, "message");
        checkLength(length);
        if (offset < 0 || offset > message.length - length) {
            throw new IllegalArgumentException("message range [" + offset + ", " + offset + " + " + length + ") is outside its array of "
                    + message.length + " bytes");
        }
        if (HEADER_LENGTH + length <= stream.slotSize()) {
            if (!stream.tryClaim(HEADER_LENGTH + length, false, claim)) {
                return false;
            }
            MutableDirectBuffer slot = claim.buffer();
            putHeader(slot, claim.offset(), length);
            slot.putBytes(claim.offset() + HEADER_LENGTH, message, offset, length);
            claim.commit();
            return true;
        }
        putHeader(frame, 0, length);
        frame.putBytes(HEADER_LENGTH, message, offset, length);
        return stream.offerMessage(frame, 0, HEADER_LENGTH + length, false);
    }

    /**
     * Claims a frame for a message of {@code messageLength} bytes and writes its length prefix;
     * the caller encodes the message at {@code claim.offset() + HEADER_LENGTH} and then commits or
     * aborts the claim, as for {@link QuicStream#tryClaim}.
     *
     * @return true when claimed; false when back-pressured
     * @throws IllegalArgumentException when the frame is larger than one command slot, or the message than {@link #maxMessageLength()}
     */
    public boolean tryClaim(QuicStream stream, int messageLength, StreamClaim streamClaim) {
        Objects.requireNonNull(stream, "stream");
        checkLength(messageLength);
        if (!stream.tryClaim(HEADER_LENGTH + messageLength, false, streamClaim)) {
            return false;
        }
        putHeader(streamClaim.buffer(), streamClaim.offset(), messageLength);
        return true;
    }

    private void checkLength(int length) {
        if (length < 0 || length > maxMessageLength) {
            throw new IllegalArgumentException("message length must be 0.." + maxMessageLength + " (this framer's maxMessageLength), was " + length);
        }
    }
}
