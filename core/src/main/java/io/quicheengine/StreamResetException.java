package io.quicheengine;

/**
 * The peer reset the stream (RESET_STREAM) while we read, or stopped it (STOP_SENDING) while we
 * wrote. Carries the peer's application error code.
 */
public final class StreamResetException extends ClosedException {
    private static final long serialVersionUID = 1L;

    private final long applicationErrorCode;

    public StreamResetException(String message, long applicationErrorCode) {
        super(message);
        this.applicationErrorCode = applicationErrorCode;
    }

    /** The application error code the peer sent. */
    public long applicationErrorCode() {
        return applicationErrorCode;
    }
}
