package io.quicheengine.perf.e2e;

/**
 * The seed document's table: completion, throughput, RTT, cwnd, packets.
 *
 * @param completed true when every byte came back intact
 */
public record SeedResult(String system, SeedSpec spec, boolean completed, long bytesSent, long bytesEchoed,
                         double throughputPeakMbit, double throughputAvgMbit,
                         double rttMinMicros, double rttAvgMicros, double rttMaxMicros, long cwndMaxBytes,
                         long packetsSent, long packetsReceived, long packetsLost) {
}
