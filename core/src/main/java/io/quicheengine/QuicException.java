package io.quicheengine;

/**
 * A QUIC operation failed; the message says which argument or state was wrong. Thrown on the
 * calling application thread.
 */
public class QuicException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public QuicException(String message) {
        super(message);
    }

    public QuicException(String message, Throwable cause) {
        super(message, cause);
    }
}
