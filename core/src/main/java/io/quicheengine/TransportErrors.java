package io.quicheengine;

/** Names of QUIC transport error codes (RFC 9000, section 20.1). */
final class TransportErrors {
    private static final String[] NAMES = {
        "NO_ERROR", "INTERNAL_ERROR", "CONNECTION_REFUSED", "FLOW_CONTROL_ERROR", "STREAM_LIMIT_ERROR",
        "STREAM_STATE_ERROR", "FINAL_SIZE_ERROR", "FRAME_ENCODING_ERROR", "TRANSPORT_PARAMETER_ERROR",
        "CONNECTION_ID_LIMIT_ERROR", "PROTOCOL_VIOLATION", "INVALID_TOKEN", "APPLICATION_ERROR",
        "CRYPTO_BUFFER_EXCEEDED", "KEY_UPDATE_ERROR", "AEAD_LIMIT_REACHED", "NO_VIABLE_PATH"};

    static final long CONNECTION_REFUSED = 0x2;
    static final long NO_ERROR = 0x0;
    static final long INTERNAL_ERROR = 0x1;

    private TransportErrors() {
    }

    static String name(long code) {
        if (code >= 0 && code < NAMES.length) {
            return NAMES[(int) code] + " (0x" + Long.toHexString(code) + ")";
        }
        if (code >= 0x100 && code <= 0x1ff) {
            return "CRYPTO_ERROR (0x" + Long.toHexString(code) + ", TLS alert " + (code - 0x100) + ")";
        }
        return "0x" + Long.toHexString(code);
    }
}
