package io.quicheengine;

/** quiche's congestion controllers. Immutable; any thread. */
public enum CongestionControl {
    RENO("reno"),
    CUBIC("cubic"),
    BBR2("bbr2");

    private final String quicheName;

    CongestionControl(String quicheName) {
        this.quicheName = quicheName;
    }

    /** The name {@code quiche_config_set_cc_algorithm_name} takes. */
    public String quicheName() {
        return quicheName;
    }
}
