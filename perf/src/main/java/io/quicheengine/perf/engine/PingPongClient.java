package io.quicheengine.perf.engine;

import io.quicheengine.QuicConnection;
import io.quicheengine.QuicStream;
import io.quicheengine.perf.e2e.PingPongSpec;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The ping-pong client on one application thread: writes a message with the engine's blocking
 * {@link QuicStream#write}, reads the whole echo back with its blocking {@link QuicStream#read}
 * (both wait by the engine's application wait strategy), checks the sequence number it carries,
 * and records the round trip after warm-up. The measured loop allocates nothing (fixed-size
 * histogram, reused arrays). One run per instance, on one thread.
 */
final class PingPongClient {
    static final long MAX_ROUND_TRIP_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(10);

    private final PingPongSpec spec;
    private final long budgetNanos;

    /**
     * @param budget at most this long in all (null: no limit): warm-up stops after a quarter of it,
     *               measurement when it is spent, so a pathological setting (e.g. more spinning
     *               threads than cores) still ends; the histogram's count then says how many were recorded
     */
    PingPongClient(PingPongSpec spec, Duration budget) {
        check(spec);
        this.spec = spec;
        this.budgetNanos = budget == null ? Long.MAX_VALUE / 4 : budget.toNanos();
    }

    /** The spec both ping-pong clients accept: room for the sequence number, something to measure. */
    static void check(PingPongSpec spec) {
        if (spec.messageSize() < Long.BYTES || spec.count() < 1 || spec.warmup() < 0) {
            throw new IllegalArgumentException("ping-pong spec needs messageSize >= 8, count >= 1, warmup >= 0; got " + spec);
        }
    }

    Histogram run(QuicConnection connection) {
        QuicStream stream = connection.openBidirectionalStream(STEP_TIMEOUT);
        int size = spec.messageSize();
        byte[] message = StreamBytes.source(size);
        byte[] echo = new byte[size];
        ByteBuffer sequenceView = ByteBuffer.wrap(message);
        ByteBuffer echoView = ByteBuffer.wrap(echo);
        Histogram histogram = new Histogram(MAX_ROUND_TRIP_NANOS, 3);
        int rounds = spec.warmup() + spec.count();
        long began = System.nanoTime();
        long warmupEnd = began + budgetNanos / 4;
        long end = began + budgetNanos;
        for (int i = 0; i < rounds; i++) {
            sequenceView.putLong(0, i);
            long start = System.nanoTime();
            if (i < spec.warmup() && start - warmupEnd > 0) {
                i = spec.warmup() - 1; // the rest of the warm-up does not fit the budget
                continue;
            }
            if (i >= spec.warmup() && start - end > 0 && histogram.getTotalCount() > 0) {
                break;
            }
            stream.write(message, 0, size, false, STEP_TIMEOUT);
            int got = 0;
            while (got < size) {
                int r = stream.read(echo, got, size - got, STEP_TIMEOUT);
                if (r < 0) {
                    throw new IllegalStateException("echo stream ended after " + i + " round trips");
                }
                got += r;
            }
            long nanos = System.nanoTime() - start;
            if (echoView.getLong(0) != i) {
                throw new IllegalStateException("round trip " + i + " came back carrying sequence " + echoView.getLong(0));
            }
            if (i >= spec.warmup()) {
                histogram.recordValue(Math.min(nanos, MAX_ROUND_TRIP_NANOS));
            }
        }
        stream.finish(STEP_TIMEOUT);
        if (stream.read(echo, 0, size, STEP_TIMEOUT) != -1) {
            throw new IllegalStateException("the echo server sent bytes after the last round trip");
        }
        return histogram;
    }
}
