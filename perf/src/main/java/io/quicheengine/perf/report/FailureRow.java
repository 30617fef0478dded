package io.quicheengine.perf.report;

/** A scenario that threw instead of producing a figure. Immutable; any thread. */
public record FailureRow(String scenario, String error) {
}
