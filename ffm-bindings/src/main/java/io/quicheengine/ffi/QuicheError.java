package io.quicheengine.ffi;

/**
 * The {@code QUICHE_ERR_*} codes of {@code enum quiche_error}, with a human message.
 *
 * <p>Immutable; any thread.
 */
public enum QuicheError {
    DONE(-1, "there is no more work to do"),
    BUFFER_TOO_SHORT(-2, "the provided buffer is too short"),
    UNKNOWN_VERSION(-3, "the provided packet cannot be parsed because its version is unknown"),
    INVALID_FRAME(-4, "the provided packet cannot be parsed because it contains an invalid frame"),
    INVALID_PACKET(-5, "the provided packet cannot be parsed"),
    INVALID_STATE(-6, "the operation cannot be completed because the connection is in an invalid state"),
    INVALID_STREAM_STATE(-7, "the operation cannot be completed because the stream is in an invalid state"),
    INVALID_TRANSPORT_PARAM(-8, "the peer's transport params cannot be parsed"),
    CRYPTO_FAIL(-9, "a cryptographic operation failed"),
    TLS_FAIL(-10, "the TLS handshake failed"),
    FLOW_CONTROL(-11, "the peer violated the local flow control limits"),
    STREAM_LIMIT(-12, "the peer violated the local stream limits"),
    FINAL_SIZE(-13, "the received data exceeds the stream's final size"),
    CONGESTION_CONTROL(-14, "error in congestion control"),
    STREAM_STOPPED(-15, "the specified stream was stopped by the peer"),
    STREAM_RESET(-16, "the specified stream was reset by the peer"),
    ID_LIMIT(-17, "too many identifiers were provided"),
    OUT_OF_IDENTIFIERS(-18, "not enough available identifiers"),
    KEY_UPDATE(-19, "error in key update"),
    CRYPTO_BUFFER_EXCEEDED(-20, "the peer sent more data in CRYPTO frames than we can buffer"),
    INVALID_ACK_RANGE(-21, "the peer sent an ACK frame with an invalid range"),
    OPTIMISTIC_ACK_DETECTED(-22, "the peer sent an ACK frame for a skipped packet number"),
    /** New in quiche 0.29 (only with its custom-client-dcid feature, which the engine does not use). */
    INVALID_DCID_INITIALIZATION(-23, "an invalid destination connection id was given for a new connection");

    private static final QuicheError[] BY_NEGATED_CODE = new QuicheError[24];

    static {
        for (QuicheError error : values()) {
            BY_NEGATED_CODE[-error.code] = error;
        }
    }

    private final int code;
    private final String message;

    QuicheError(int code, String message) {
        this.code = code;
        this.message = message;
    }

    /** The negative C value, e.g. -1 for {@code QUICHE_ERR_DONE}. */
    public int code() {
        return code;
    }

    /** What the code means, in words. */
    public String message() {
        return message;
    }

    /** The C name, e.g. {@code QUICHE_ERR_STREAM_RESET}. */
    public String cName() {
        return "QUICHE_ERR_" + name();
    }

    /** The error for a negative return value, or null when {@code code} is not a quiche error code. */
    public static QuicheError of(long code) {
        return code < 0 && code > -BY_NEGATED_CODE.length ? BY_NEGATED_CODE[(int) -code] : null;
    }

    /** A one-line description of any return value: the error's C name and message, or the unknown number. */
    public static String describe(long code) {
        QuicheError error = of(code);
        return error == null ? "unknown quiche error " + code : error.cName() + " (" + code + "): " + error.message;
    }
}
