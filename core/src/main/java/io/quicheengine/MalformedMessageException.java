package io.quicheengine;

/**
 * A length-prefixed stream carried a length the {@link MessageAssembler} refuses: negative, or
 * larger than its maximum. The stream's framing is lost from that point; the usual answer is to
 * reset the stream or close the connection. Thrown on the polling thread, out of
 * {@link QuicStream#poll}.
 */
public final class MalformedMessageException extends QuicException {
    private static final long serialVersionUID = 1L;

    private final long length;

    /** @param length the declared length, as an unsigned 32-bit value */
    public MalformedMessageException(String message, long length) {
        super(message);
        this.length = length;
    }

    /** The length the prefix declared (as an unsigned 32-bit value). */
    public long length() {
        return length;
    }
}
