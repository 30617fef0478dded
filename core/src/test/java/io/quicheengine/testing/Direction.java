package io.quicheengine.testing;

/**
 * The two directions a {@link FaultInjectingRelay} forwards, each with its own {@link FaultProfile},
 * random streams and {@link RelayCounters}. Immutable; any thread.
 */
public enum Direction {
    /** Datagrams from a client to the target server. */
    CLIENT_TO_SERVER("c2s"),
    /** Replies from the target server back to the client that caused them. */
    SERVER_TO_CLIENT("s2c");

    private final String shortName;

    Direction(String shortName) {
        this.shortName = shortName;
    }

    /** {@code c2s} or {@code s2c}, for compact test output. */
    public String shortName() {
        return shortName;
    }
}
