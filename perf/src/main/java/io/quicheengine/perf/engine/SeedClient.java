package io.quicheengine.perf.engine;

import io.quicheengine.ConnectionStats;
import io.quicheengine.FragmentHandler;
import io.quicheengine.QuicConnection;
import io.quicheengine.QuicStream;
import io.quicheengine.perf.e2e.SeedSpec;
import java.time.Duration;
import org.agrona.DirectBuffer;

/**
 * The seed document's test on one application thread: uploads the {@link StreamBytes} pattern at
 * {@code spec.bytesPerSecond()} on one stream (every {@value #TICK_MILLIS} ms topping up to what the
 * elapsed time allows, with non-blocking offers, as the Netty and seed harnesses do; topping up on
 * every spin would hand the engine a few bytes at a time and measure one packet per few bytes), FIN
 * with the last byte, and checks every echoed byte in place
 * ({@link QuicStream#poll}). RTT and congestion window come from the connection's statistics
 * snapshot ({@link QuicConnection#stats()}, which the loop publishes every 100 ms), sampled at
 * each new snapshot. One run per instance, on one thread.
 */
final class SeedClient {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    static final int TICK_MILLIS = 10;
    private static final long TICK_NANOS = TICK_MILLIS * 1_000_000L;
    private static final int MAX_OFFER = 16 * 1024;
    private static final long GRACE_NANOS = 30 * NANOS_PER_SECOND;
    /** The loop publishes statistics every 100 ms; looking every 10 ms catches each snapshot (each look allocates one). */
    private static final long SAMPLE_EVERY_NANOS = 10_000_000;

    private final SeedSpec spec;
    private final long totalBytes;
    private final AppIdler idler;
    private final long[] echoedPerSecond;
    private final FragmentHandler checker = this::check;

    long written;
    long echoed;
    boolean finReceived;
    String failure;
    long startNanos;
    long lastEchoNanos;
    long rttSamples;
    long rttSumNanos;
    long rttMinNanos = Long.MAX_VALUE;
    long rttMaxNanos;
    long cwndMax;
    private long lastSnapshot;

    SeedClient(SeedSpec spec, AppIdler idler) {
        if (spec.bytesPerSecond() < 1 || spec.seconds() < 1) {
            throw new IllegalArgumentException("seed spec needs bytesPerSecond >= 1 and seconds >= 1, got " + spec);
        }
        this.spec = spec;
        this.totalBytes = Math.multiplyExact(spec.bytesPerSecond(), (long) spec.seconds());
        this.idler = idler;
        this.echoedPerSecond = new long[spec.seconds() + 32];
    }

    long totalBytes() {
        return totalBytes;
    }

    /** Runs until the echo ended, a byte differed, or the spec's time plus 30 s passed. */
    void run(QuicConnection connection) {
        QuicStream stream = connection.openBidirectionalStream(Duration.ofSeconds(10));
        byte[] source = StreamBytes.source(MAX_OFFER);
        startNanos = System.nanoTime();
        long giveUp = startNanos + spec.seconds() * NANOS_PER_SECOND + GRACE_NANOS;
        long nextSample = startNanos;
        long nextTick = startNanos;
        long due = 0;
        while (failure == null && !finReceived) {
            long now = System.nanoTime();
            if (now - giveUp > 0) {
                failure = "timed out after " + echoed + " of " + totalBytes + " bytes echoed";
                break;
            }
            boolean progress = false;
            if (now - nextTick >= 0) {
                nextTick += TICK_NANOS;
                due = (long) Math.min(totalBytes, spec.bytesPerSecond() * ((now - startNanos) / (double) NANOS_PER_SECOND));
            }
            while (written < due) {
                int length = (int) Math.min(MAX_OFFER, due - written);
                int n = stream.offer(source, StreamBytes.sourceIndex(written), length, written + length == totalBytes);
                if (n == 0) {
                    break;
                }
                written += n;
                progress = true;
            }
            int r = stream.poll(checker, 16);
            if (r > 0) {
                progress = true;
            } else if (r < 0) {
                finReceived = true;
                if (echoed != totalBytes) {
                    failure = "server ended the echo after " + echoed + " of " + totalBytes + " bytes";
                }
            }
            if (now - nextSample >= 0) {
                nextSample = now + SAMPLE_EVERY_NANOS;
                sample(connection.stats());
            }
            if (progress) {
                idler.reset();
            } else {
                idler.idle();
            }
        }
    }

    private void check(DirectBuffer buffer, int index, int length) {
        if (failure != null) {
            return;
        }
        if (echoed + length > written) {
            failure = "echo returned " + (echoed + length) + " bytes but only " + written + " were sent";
            return;
        }
        for (int i = 0; i < length; i++) {
            if (buffer.getByte(index + i) != StreamBytes.at(echoed + i)) {
                failure = "echoed byte at stream offset " + (echoed + i) + " differs from what was sent";
                return;
            }
        }
        long now = System.nanoTime();
        int second = (int) Math.min((now - startNanos) / NANOS_PER_SECOND, echoedPerSecond.length - 1);
        echoedPerSecond[second] += length;
        echoed += length;
        lastEchoNanos = now;
    }

    /** Takes RTT and cwnd from each new snapshot the loop published. */
    void sample(ConnectionStats stats) {
        if (stats == null || stats.publishedAtNanos() == 0 || stats.publishedAtNanos() == lastSnapshot) {
            return;
        }
        lastSnapshot = stats.publishedAtNanos();
        long rtt = stats.rttNanos();
        if (rtt > 0) {
            rttSamples++;
            rttSumNanos += rtt;
            rttMinNanos = Math.min(rttMinNanos, rtt);
            rttMaxNanos = Math.max(rttMaxNanos, rtt);
        }
        cwndMax = Math.max(cwndMax, stats.congestionWindow());
    }

    boolean completed() {
        return failure == null && finReceived && echoed == totalBytes;
    }

    double throughputPeakMbit() {
        long peak = 0;
        for (long bytes : echoedPerSecond) {
            peak = Math.max(peak, bytes);
        }
        return peak * 8 / 1e6;
    }

    double throughputAvgMbit() {
        double seconds = (lastEchoNanos - startNanos) / (double) NANOS_PER_SECOND;
        return seconds > 0 ? echoed * 8 / 1e6 / seconds : 0;
    }

    double rttMicros(long nanos) {
        return rttSamples == 0 ? Double.NaN : nanos / 1_000.0;
    }
}
