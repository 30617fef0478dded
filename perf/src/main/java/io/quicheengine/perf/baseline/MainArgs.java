package io.quicheengine.perf.baseline;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code key=value} command-line arguments of the baseline mains, with sizes that may end in
 * {@code k}, {@code m} or {@code g} (binary multiples). Unknown keys are refused so a typo does
 * not silently run the default.
 *
 * <p>Not thread-safe; used by one {@code main}.
 */
final class MainArgs {

    private final Map<String, String> values = new HashMap<>();

    MainArgs(String[] args, String... knownKeys) {
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("argument '" + arg + "' is not key=value; known keys: " + String.join(", ", knownKeys));
            }
            String key = arg.substring(0, eq);
            if (!List.of(knownKeys).contains(key)) {
                throw new IllegalArgumentException("unknown argument key '" + key + "'; known keys: " + String.join(", ", knownKeys));
            }
            values.put(key, arg.substring(eq + 1));
        }
    }

    /** A size or count; {@code 1g} is 2^30. */
    long size(String key, long defaultValue) {
        String text = values.get(key);
        if (text == null) {
            return defaultValue;
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        long multiplier = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        String digits = multiplier == 1 ? t : t.substring(0, t.length() - 1);
        try {
            return Math.multiplyExact(Long.parseLong(digits), multiplier);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(key + "=" + text + " is not a size (e.g. 1g, 256m, 100000)", e);
        }
    }

    double decimal(String key, double defaultValue) {
        String text = values.get(key);
        if (text == null) {
            return defaultValue;
        }
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "=" + text + " is not a number", e);
        }
    }
}
