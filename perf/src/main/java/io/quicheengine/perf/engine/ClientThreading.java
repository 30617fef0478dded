package io.quicheengine.perf.engine;

import java.util.Locale;

/**
 * Where the engine's benchmark client runs its application logic (writing the bulk, sending the
 * pings). Immutable; any thread.
 */
public enum ClientThreading {
    /**
     * A {@link io.quicheengine.QuicListener} on the client engine's loop thread, non-blocking calls
     * only: the threading model of Netty's handlers on their event loop. One thread per side.
     */
    LOOP("loop"),
    /**
     * The benchmark's own application thread, beside the client's loop thread: blocking writes and
     * reads, or offers that idle by the wait strategy. One more thread than {@link #LOOP}, which
     * with BUSY_SPIN or YIELDING is one more always-busy thread.
     */
    APP_THREAD("app-thread");

    private final String label;

    ClientThreading(String label) {
        this.label = label;
    }

    /** The report spelling: {@code loop} or {@code app-thread}. */
    public String label() {
        return label;
    }

    /** Parses {@code loop}, {@code app-thread} (also {@code app_thread}, {@code APP-THREAD}). */
    public static ClientThreading parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (ClientThreading c : values()) {
            if (c.label.equals(t)) {
                return c;
            }
        }
        throw new IllegalArgumentException("client threading must be 'loop' or 'app-thread', got '" + text + "'");
    }
}
