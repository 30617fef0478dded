package io.quicheengine.tools;

/** What {@code quic server} does with each stream a client opens. Immutable; any thread. */
enum ServerMode {
    /** Sends every byte back on the same stream, and ends its side when the client ends its. */
    ECHO,
    /**
     * Reads and discards. When the client ends a bidirectional stream, answers with the number of
     * bytes it received (8 bytes, big-endian) and ends its side, so the client can check its upload.
     */
    SINK,
    /**
     * Sends data. The client's first 8 bytes on a bidirectional stream (big-endian) say how many
     * bytes it wants: that many follow, then the server ends its side. 0, or a stream ended before
     * 8 bytes, means "until I stop reading" (STOP_SENDING) or the connection closes.
     */
    SOURCE
}
