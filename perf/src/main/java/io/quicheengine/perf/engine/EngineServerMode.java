package io.quicheengine.perf.engine;

import java.util.Locale;

/** What an {@link EngineServer} does with each stream. Immutable; any thread. */
public enum EngineServerMode {
    /** Count, spot-check and discard; after the client's FIN answer with a {@link SinkReport} and FIN. */
    SINK,
    /** Send every byte back on the same stream; after the client's FIN, FIN after the last byte. */
    ECHO;

    /** Parses {@code sink} or {@code echo} (any case). */
    public static EngineServerMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("mode must be 'sink' or 'echo', got '" + text + "'", e);
        }
    }
}
