package io.quicheengine.perf.seed;

import io.quicheengine.ffi.PathStats;
import io.quicheengine.ffi.QuicheConn;
import io.quicheengine.ffi.Stats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * Samples the active path's smoothed RTT and cwnd every {@value #INTERVAL_MILLIS} ms of loop time,
 * and the connection's packet counters once at close. Called by whichever thread drives the
 * connection (under the connection lock in the global-lock design); {@link #snapshot()} is read
 * after that thread has been joined.
 */
final class SeedPathSampler {

    static final long INTERVAL_MILLIS = 10;
    private static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS);

    private final PathStats path;
    private final Stats stats;
    private long nextSampleNanos;
    private long rttMin = Long.MAX_VALUE;
    private long rttMax;
    private long rttSum;
    private long samples;
    private long cwndMax;
    private long packetsSent;
    private long packetsReceived;
    private long packetsLost;

    SeedPathSampler(Arena arena) {
        path = new PathStats(arena);
        stats = new Stats(arena);
        nextSampleNanos = System.nanoTime();
    }

    /** Takes a sample when the interval has passed; call only on an established connection. */
    void sampleIfDue(MemorySegment conn, long nowNanos) {
        if (nowNanos - nextSampleNanos < 0) {
            return;
        }
        nextSampleNanos = nowNanos + INTERVAL_NANOS;
        sample(conn);
    }

    /** Takes the final packet counters (and one last path sample); call before freeing the connection. */
    void captureTotals(MemorySegment conn, boolean established) {
        if (established) {
            sample(conn);
        }
        QuicheConn.stats(conn, stats.segment());
        packetsSent = stats.sent();
        packetsReceived = stats.recv();
        packetsLost = stats.lost();
    }

    private void sample(MemorySegment conn) {
        if (QuicheConn.pathStats(conn, 0, path.segment()) != 0) {
            return;
        }
        long rtt = path.rtt();
        rttMin = Math.min(rttMin, rtt);
        rttMax = Math.max(rttMax, rtt);
        rttSum += rtt;
        samples++;
        cwndMax = Math.max(cwndMax, path.cwnd());
    }

    SeedConnStats snapshot() {
        if (samples == 0) {
            return new SeedConnStats(Double.NaN, Double.NaN, Double.NaN, 0, packetsSent, packetsReceived, packetsLost);
        }
        return new SeedConnStats(rttMin / 1e3, rttSum / 1e3 / samples, rttMax / 1e3, cwndMax,
                packetsSent, packetsReceived, packetsLost);
    }
}
