package io.quicheengine.perf.netty;

/**
 * What the seed client saw, taken on its event loop at the end of the run. Immutable; any thread.
 *
 * @param failure why the run did not complete, or null when every byte came back intact
 */
record SeedOutcome(boolean completed, String failure, long bytesSent, long bytesEchoed,
                   double throughputPeakMbit, double throughputAvgMbit,
                   double rttMinMicros, double rttAvgMicros, double rttMaxMicros, long cwndMaxBytes,
                   long packetsSent, long packetsReceived, long packetsLost) {
}
