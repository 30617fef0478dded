package io.quicheengine.perf.netty;

import java.util.Locale;

/** What a {@link NettyQuicServer} does with each stream's bytes. Immutable; any thread. */
public enum ServerMode {
    /** Count and discard; on the client's FIN answer with a {@code SinkReport} (bytes and first/last read times) and FIN. */
    SINK,
    /** Send every byte back on the same stream; on the client's FIN, FIN after the last byte. */
    ECHO;

    /** Parses {@code sink} or {@code echo} (any case). */
    public static ServerMode parse(String text) {
        try {
            return valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("mode must be 'sink' or 'echo', got '" + text + "'", e);
        }
    }
}
