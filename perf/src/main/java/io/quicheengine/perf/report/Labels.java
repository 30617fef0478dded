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
    /** The engine's clients as listeners on its loop thread (Netty's threading model). */
    public static final String LOOP = "loop";
    /** The engine's clients on an application thread beside its loop. */
    public static final String APP_THREAD = "app-thread";
    /** The client configuration of systems other than the engine. */
    public static final String NO_CONFIG = "n/a";
    /** The engine's client configurations, in chart and target order (the judged one first). */
    public static final List<String> CONFIGS = List.of(LOOP, APP_THREAD);
    /** The engine's wait strategies as reports spell them, in chart order. */
    public static final List<String> STRATEGIES = List.of("busy-spin", "yielding", "backoff", "blocking");

    private Labels() {
    }

    /** "quiche-engine loop busy-spin", or without the parts a system does not have. */
    public static String series(String system, String config, String waitStrategy) {
        String name = config == null || config.equals(NO_CONFIG) ? system : system + " " + config;
        return waitStrategy == null || waitStrategy.equals(NO_STRATEGY) ? name : name + " " + waitStrategy;
    }
}
