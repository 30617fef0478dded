package io.quicheengine.perf.report;

/**
 * One target of issue 4 checked against one measured case. Immutable; any thread.
 *
 * @param ratio  measured over reference (NaN when not measured)
 * @param status "met", "not met", "not measured", or "for reference" (measured and shown, not judged)
 */
public record TargetRow(String target, String scenario, String measured, String reference, double ratio, String threshold,
                        String status) {
    public static final String MET = "met";
    public static final String NOT_MET = "not met";
    public static final String NOT_MEASURED = "not measured";
    public static final String FOR_REFERENCE = "for reference";
}
