package io.quicheengine;

/** The peer does not allow another stream of that kind yet (its MAX_STREAMS limit); wait or retry later. */
public final class StreamLimitException extends QuicException {
    private static final long serialVersionUID = 1L;

    public StreamLimitException(String message) {
        super(message);
    }
}
