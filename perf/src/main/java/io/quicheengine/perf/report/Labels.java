package io.quicheengine.perf.report;

import java.util.List;

/** The names rows carry, shared by the runner, the targets and the charts. Constants only. */
public final class Labels {
    public static final String ENGINE = "quiche-engine";
    public static final String NETTY = "netty-quic";
    public static final String RAW = "raw-quiche";
    public static final String UDP = "plain-udp";
    public static final String SEED_GLOBAL_LOCK = "seed-global-lock";
    public static final String SEED_QUEUE_MUTEX = "seed-queue-mutex";
    public static final String ONE_JVM = "one JVM";
    public static final String TWO_PROCESSES = "two processes";
    public static final String NO_STRATEGY = "n/a";
    /** The engine's wait strategies as reports spell them, in chart order. */
    public static final List<String> STRATEGIES = List.of("busy-spin", "yielding", "backoff", "blocking");

    private Labels() {
    }

    /** "quiche-engine busy-spin", or the system alone when it has no strategy. */
    public static String series(String system, String waitStrategy) {
        return waitStrategy == null || waitStrategy.equals(NO_STRATEGY) ? system : system + " " + waitStrategy;
    }
}
