package io.quicheengine;

/**
 * The engine, connection or stream (or one direction of a stream) is closed, so the operation
 * cannot run. The message says what was closed and why (e.g. "stream 4 was reset by the peer
 * with application error 7").
 */
public class ClosedException extends QuicException {
    private static final long serialVersionUID = 1L;

    public ClosedException(String message) {
        super(message);
    }

    public ClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
