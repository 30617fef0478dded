package io.quicheengine;

/** quiche's congestion controllers. Immutable; any thread. */
public enum CongestionControl {
    RENO("reno"),
    CUBIC("cubic"),
    /**
     * BBRv2 as quiche's gcongestion module implements it: the only BBR left in quiche 0.29 (named by
     * its full name so the 0.24.5 debug fallback runs the same implementation, not its older BBR2).
     */
    BBR2("bbr2_gcongestion");

    private final String quicheName;

    CongestionControl(String quicheName) {
        this.quicheName = quicheName;
    }

    /** The name {@code quiche_config_set_cc_algorithm_name} takes. */
    public String quicheName() {
        return quicheName;
    }
}
