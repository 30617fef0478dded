package io.quicheengine.tools;

/** What {@code quic client} does on each stream. Immutable; any thread. */
enum ClientMode {
    /** Sends; the server discards (a `quic server --mode sink` answers with the count it got). */
    UPLOAD,
    /** Asks for data with an 8-byte big-endian byte count (0: until the client stops reading) and receives it. */
    DOWNLOAD,
    /** Sends, and checks that every byte comes back unchanged and in order. */
    ECHO
}
