package io.quicheengine.ffi;

/**
 * A quiche call failed. Carries the raw return value and, when it is one, its {@link QuicheError}.
 *
 * <p>Thrown on the thread that made the call.
 */
public class QuicheException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long code;

    /** {@code what} says what was attempted, e.g. "load the private key from /etc/key.pem". */
    public QuicheException(String what, long code) {
        super("could not " + what + ": " + QuicheError.describe(code));
        this.code = code;
    }

    /** A failure described in words only (no quiche return value). */
    public QuicheException(String message) {
        super(message);
        this.code = 0;
    }

    /** The raw return value of the failed call, or 0 when there was none. */
    public long code() {
        return code;
    }

    /** The quiche error, or null when {@link #code()} is not one. */
    public QuicheError error() {
        return QuicheError.of(code);
    }
}
