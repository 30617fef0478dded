package io.quicheengine.reliability;

/**
 * How big the reliability suite runs. The default ("ci") keeps the whole suite to a few minutes on
 * two cores; {@code -Dreliability.scale=full} (the {@code -Pstress} profile) runs the sizes of
 * issue 5. Each figure can also be set on its own with the system property named in its constant.
 * Immutable; any thread.
 */
final class ReliabilityScale {
    static final String SCALE = "reliability.scale";
    static final boolean FULL = "full".equalsIgnoreCase(System.getProperty(SCALE, "ci").trim());

    /** Bytes per stream of the fault-injection echo transfers (8 streams): 2 MiB, full 16 MiB. */
    static final int FAULT_BYTES_PER_STREAM = pick("reliability.fault.bytesPerStream", 2 << 20, 16 << 20);
    /**
     * Downloads (8 streams each) through a 3 s blackhole: 2, full 10. Repeated because the failure
     * this guards against (quiche issue 2696, see build/patches) needed about ten runs to show.
     */
    static final int BLACKHOLE_DOWNLOADS = pick("reliability.blackhole.downloads", 2, 10);
    /** Handshakes (each then echoing 16 KiB) through a relay that drops 30% each way: 4, full 50. */
    static final int LOSSY_HANDSHAKES = pick("reliability.handshake.lossyRuns", 4, 50);
    /** Hostile datagrams sent at the server: 20,000, full 1,000,000. */
    static final int FUZZ_DATAGRAMS = pick("reliability.fuzz.datagrams", 20_000, 1_000_000);
    /** Genuine Initial packets of the flood (each sent from several ports): 300, full 3,000. */
    static final int FLOOD_INITIALS = pick("reliability.flood.initials", 300, 3_000);
    /** Connect-transfer-close cycles of the leak test: 300, full 10,000. */
    static final int LEAK_CYCLES = pick("reliability.leak.cycles", 300, 10_000);

    private ReliabilityScale() {
    }

    private static int pick(String property, int ci, int full) {
        return Integer.getInteger(property, FULL ? full : ci);
    }

    static String describe() {
        return (FULL ? "full" : "ci") + " scale (-D" + SCALE + "=full for the stress sizes)";
    }
}
