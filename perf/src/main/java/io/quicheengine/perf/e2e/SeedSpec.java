package io.quicheengine.perf.e2e;

/** The seed document's test: upload at {@code bytesPerSecond} for {@code seconds} on one stream, everything echoed back. */
public record SeedSpec(long bytesPerSecond, int seconds) {
    public static final SeedSpec DEFAULT = new SeedSpec(200_000, 5);
}
