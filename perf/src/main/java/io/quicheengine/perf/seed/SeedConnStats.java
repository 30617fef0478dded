package io.quicheengine.perf.seed;

/**
 * One connection's figures for the seed table: RTT and cwnd sampled from
 * {@code quiche_conn_path_stats} while established, packet counts from {@code quiche_conn_stats} at
 * close. Immutable; any thread.
 */
record SeedConnStats(double rttMinMicros, double rttAvgMicros, double rttMaxMicros, long cwndMaxBytes,
                     long packetsSent, long packetsReceived, long packetsLost) {
}
