package io.quicheengine.tools;

import io.quicheengine.ConnectionStats;

/**
 * Accumulates a connection's published statistics over a run: smoothed RTT min/avg/max, the
 * largest congestion window, quiche's peak delivery-rate estimate. Fed and read by one thread
 * (the reporting thread).
 */
final class StatsSampler {
    private final RttSamples all = new RttSamples();
    private final RttSamples settled = new RttSamples();
    private long quicheMinRtt = Long.MAX_VALUE;
    private long cwndMax;
    private long deliveryRateMax;
    private ConnectionStats last;
    private boolean settledFromSet;
    private long settledFromNanos;

    /** Smoothed-RTT samples: count, sum, min, max. */
    private static final class RttSamples {
        long count;
        long sum;
        long min = Long.MAX_VALUE;
        long max;

        void add(long rtt) {
            count++;
            sum += rtt;
            min = Math.min(min, rtt);
            max = Math.max(max, rtt);
        }
    }

    /**
     * RTT figures count only snapshots published from {@code nanos} on, when there are any: quiche's
     * smoothed RTT decays by 1/8 per ack, so for a while after the handshake it still carries the
     * handshake's (cold, slow) round trips, which say nothing about the transfer.
     */
    void rttSettledFrom(long nanos) {
        this.settledFromNanos = nanos;
        this.settledFromSet = true;
    }

    /** Takes one snapshot; snapshots the loop has not published yet (before the handshake) are skipped. */
    void sample(ConnectionStats stats) {
        if (stats == null || stats.publishedAtNanos() == 0) {
            return;
        }
        last = stats;
        if (stats.rttNanos() > 0) {
            all.add(stats.rttNanos());
            if (!settledFromSet || stats.publishedAtNanos() - settledFromNanos >= 0) {
                settled.add(stats.rttNanos());
            }
        }
        if (stats.minRttNanos() > 0) {
            quicheMinRtt = Math.min(quicheMinRtt, stats.minRttNanos());
        }
        cwndMax = Math.max(cwndMax, stats.congestionWindow());
        deliveryRateMax = Math.max(deliveryRateMax, stats.deliveryRate());
    }

    private RttSamples rtt() {
        return settled.count > 0 ? settled : all;
    }

    /** The latest snapshot, or null before any. */
    ConnectionStats last() {
        return last;
    }

    /** The smallest RTT seen: quiche's own minimum (every ack), or the smallest smoothed sample. */
    long rttMinNanos() {
        long min = Math.min(rtt().min, quicheMinRtt);
        return min == Long.MAX_VALUE ? 0 : min;
    }

    long rttAvgNanos() {
        RttSamples r = rtt();
        return r.count == 0 ? 0 : r.sum / r.count;
    }

    long rttMaxNanos() {
        return rtt().max;
    }

    long cwndMaxBytes() {
        return cwndMax;
    }

    /** quiche's delivery-rate estimate at its highest, bytes per second. */
    long deliveryRateMax() {
        return deliveryRateMax;
    }
}
