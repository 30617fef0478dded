package io.quicheengine;

/**
 * A snapshot of one connection's transport statistics from {@code quiche_conn_stats} and
 * {@code quiche_conn_path_stats}, published by the loop every stats interval and when the
 * connection closes. Immutable; any thread.
 *
 * @param rttNanos          smoothed round-trip time
 * @param minRttNanos       the smallest round-trip time seen
 * @param congestionWindow  bytes
 * @param deliveryRate      bytes per second, quiche's estimate
 * @param publishedAtNanos  {@link System#nanoTime()} when the loop took the snapshot (0: never)
 * @param datagrams         QUIC DATAGRAM counters, with why any was dropped (all zero when datagrams are off)
 */
public record ConnectionStats(long rttNanos, long minRttNanos, long rttVarNanos, long congestionWindow,
                              long packetsSent, long packetsReceived, long packetsLost, long packetsRetransmitted,
                              long bytesSent, long bytesReceived, long bytesLost, long streamBytesRetransmitted,
                              long deliveryRate, long pathMtu, long publishedAtNanos, DatagramStats datagrams) {
}
