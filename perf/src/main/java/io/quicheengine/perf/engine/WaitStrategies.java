package io.quicheengine.perf.engine;

import io.quicheengine.WaitStrategy;
import java.util.Locale;

/**
 * Parses a wait strategy as the specs and command lines spell it: {@code BUSY_SPIN},
 * {@code busy-spin}, {@code busy_spin}... Stateless; any thread.
 */
public final class WaitStrategies {
    private WaitStrategies() {
    }

    /**
     * @param text a strategy name; "n/a" or empty means the engine's default, BACKOFF
     */
    public static WaitStrategy parse(String text) {
        if (text == null || text.isBlank() || text.equalsIgnoreCase("n/a")) {
            return WaitStrategy.BACKOFF;
        }
        try {
            return WaitStrategy.valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("wait strategy must be one of busy-spin, yielding, backoff, blocking; got '" + text + "'", e);
        }
    }

    /** The report spelling: {@code busy-spin}. */
    public static String label(WaitStrategy strategy) {
        return strategy.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
