package io.quicheengine.tools;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parsing and printing of sizes, rates and durations. Sizes and rates are decimal like the seed
 * document's "200 KB/s for 5 s = 1 MB" (K = 1000); KiB/MiB/GiB are binary; rates ending in
 * {@code bit} or {@code bps} count bits. Stateless; any thread.
 */
final class Units {
    private static final Pattern NUMBER_UNIT = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*([a-zA-Z]*)");

    private Units() {
    }

    /** {@code 1000}, {@code 64K}, {@code 1.5MB}, {@code 2MiB}, {@code 1G}. */
    static long parseBytes(String text) {
        Matcher m = NUMBER_UNIT.matcher(text.trim());
        if (!m.matches()) {
            throw new TypeConversionException("'" + text + "' is not a size (examples: 1000, 64K, 1.5MB, 2MiB)");
        }
        double multiplier = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "", "b" -> 1;
            case "k", "kb" -> 1e3;
            case "m", "mb" -> 1e6;
            case "g", "gb" -> 1e9;
            case "kib" -> 1024;
            case "mib" -> 1024 * 1024;
            case "gib" -> 1024 * 1024 * 1024;
            default -> throw new TypeConversionException("'" + text + "': unknown size unit '" + m.group(2) + "' (use K, M, G, KiB, MiB, GiB)");
        };
        return Math.round(Double.parseDouble(m.group(1)) * multiplier);
    }

    /** Bytes per second: {@code 200K}, {@code 200KB/s}, {@code 10MiB/s}; bits: {@code 100Mbit}, {@code 1Gbps}; 0 means unlimited. */
    static long parseRate(String text) {
        String t = text.trim();
        if (t.endsWith("/s")) {
            t = t.substring(0, t.length() - 2);
        }
        String lower = t.toLowerCase(Locale.ROOT);
        boolean bits = lower.endsWith("bit") || lower.endsWith("bps");
        if (bits) {
            t = t.substring(0, t.length() - 3);
        }
        try {
            long value = parseBytes(t);
            return bits ? value / 8 : value;
        } catch (TypeConversionException e) {
            throw new TypeConversionException("'" + text + "' is not a rate (examples: 200K, 200KB/s, 10MiB/s, 100Mbit; 0 = unlimited)");
        }
    }

    /** {@code 5} (seconds), {@code 5s}, {@code 1.5s}, {@code 500ms}, {@code 100us}, {@code 2m}. */
    static Duration parseDuration(String text) {
        Matcher m = NUMBER_UNIT.matcher(text.trim());
        if (!m.matches()) {
            throw new TypeConversionException("'" + text + "' is not a duration (examples: 5, 5s, 500ms, 2m)");
        }
        double value = Double.parseDouble(m.group(1));
        double nanos = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "", "s" -> value * 1e9;
            case "ms" -> value * 1e6;
            case "us" -> value * 1e3;
            case "m", "min" -> value * 60e9;
            default -> throw new TypeConversionException("'" + text + "': unknown time unit '" + m.group(2) + "' (use s, ms, us, m)");
        };
        return Duration.ofNanos(Math.round(nanos));
    }

    /** 999 B, 200.0 KB, 1.00 MB, 1.25 GB (decimal). */
    static String bytes(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        if (bytes < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f KB", bytes / 1e3);
        }
        if (bytes < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.2f MB", bytes / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }

    /** A rate in bits: 1.60 Mbit/s, 2.34 Gbit/s. */
    static String bitRate(double bytesPerSecond) {
        double mbit = bytesPerSecond * 8 / 1e6;
        return mbit >= 1000 ? String.format(Locale.ROOT, "%.2f Gbit/s", mbit / 1000) : String.format(Locale.ROOT, "%.2f Mbit/s", mbit);
    }

    /** A rate in bytes: 200.0 KB/s. */
    static String byteRate(double bytesPerSecond) {
        return bytes(Math.round(bytesPerSecond)) + "/s";
    }

    static double mbit(double bytesPerSecond) {
        return bytesPerSecond * 8 / 1e6;
    }

    /** 86 us, 1.23 ms. */
    static String time(long nanos) {
        if (nanos < 10_000_000) {
            return String.format(Locale.ROOT, "%d us", Math.round(nanos / 1e3));
        }
        return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
    }

    /** 5 s, 1.5 s, 500 ms. */
    static String duration(Duration d) {
        long millis = d.toMillis();
        if (millis % 1000 == 0) {
            return millis / 1000 + " s";
        }
        return millis < 1000 ? millis + " ms" : String.format(Locale.ROOT, "%.1f s", millis / 1e3);
    }

    /** picocli converter for sizes. */
    static final class BytesConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return parseBytes(value);
        }
    }

    /** picocli converter for rates. */
    static final class RateConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return parseRate(value);
        }
    }

    /** picocli converter for durations. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return parseDuration(value);
        }
    }
}
