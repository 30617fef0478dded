package io.quicheengine;

/** A blocking call ran out of time (handshake, open, read or write); the message says how far it got. */
public final class QuicTimeoutException extends QuicException {
    private static final long serialVersionUID = 1L;

    private final long progress;

    public QuicTimeoutException(String message, long progress) {
        super(message);
        this.progress = progress;
    }

    /** For a write: the bytes accepted before the timeout; otherwise 0. */
    public long progress() {
        return progress;
    }
}
