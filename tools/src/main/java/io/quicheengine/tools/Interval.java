package io.quicheengine.tools;

/**
 * One reporting interval of a run (iperf3 style): bytes in the interval, totals so far, and the
 * connection's figures at its end. Immutable; any thread.
 *
 * @param startSeconds  seconds since the run started
 * @param sentBytes     bytes sent during the interval
 * @param receivedBytes bytes received (echoed or downloaded) during the interval
 * @param rttMicros     smoothed RTT at the end of the interval
 * @param cwndBytes     congestion window at the end of the interval
 */
record Interval(double startSeconds, double endSeconds, long sentBytes, long receivedBytes, long totalSent, long totalReceived,
                double rttMicros, long cwndBytes, long packetsSent, long packetsReceived, long packetsLost) {

    double seconds() {
        return endSeconds - startSeconds;
    }

    double sentRate() {
        return sentBytes / Math.max(1e-9, seconds());
    }

    double receivedRate() {
        return receivedBytes / Math.max(1e-9, seconds());
    }
}
