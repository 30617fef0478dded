package io.quicheengine.perf.engine;

import io.quicheengine.CloseReason;
import io.quicheengine.QuicConnection;
import io.quicheengine.QuicListener;
import io.quicheengine.QuicStream;
import io.quicheengine.perf.e2e.PingPongSpec;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.HdrHistogram.Histogram;

/**
 * The ping-pong client as a {@link QuicListener} on the client engine's loop thread, the way
 * Netty's client handler runs on its event loop: no application thread takes part.
 * {@link #onHandshakeComplete} opens the stream and offers the first message;
 * {@link #onStreamReadable} reads the echo with the non-blocking read, checks the sequence number
 * it carries, records the round trip after warm-up and offers the next message. A message the
 * stream takes only in part is completed from {@link #onStreamWritable}. After the last round trip
 * it ends the stream (FIN, again from onStreamWritable when the command ring was full) and
 * completes {@link #result()} when the echo server's FIN arrives with no byte after the last echo.
 * Same checks, warm-up and budget as {@link PingPongClient}; never blocks.
 *
 * <p>Callbacks: the client's loop thread only. {@link #result()}, {@link #roundTrips()} and
 * {@link #toString()}: any thread. One connection per instance; nothing allocated per round trip
 * (fixed-size histogram, reused arrays).
 */
final class LoopPingPongClient implements QuicListener {
    private final PingPongSpec spec;
    private final long budgetNanos;
    private final int size;
    private final byte[] message;
    private final byte[] echo;
    private final ByteBuffer sequenceView;
    private final ByteBuffer echoView;
    private final Histogram histogram = new Histogram(PingPongClient.MAX_ROUND_TRIP_NANOS, 3);
    private final CompletableFuture<Histogram> result = new CompletableFuture<>();
    /** Round trips completed, warm-up included: written by the loop, read by the waiting driver thread. */
    private volatile int roundTrips;

    // ---- loop thread only ----
    private QuicStream stream;
    private int round;
    private int sent;
    private int received;
    private long start;
    private long warmupEnd;
    private long end;
    private boolean finishing;
    private boolean finSent;

    /** @param budget at most this long in all, or null for no limit; see {@link PingPongClient} */
    LoopPingPongClient(PingPongSpec spec, Duration budget) {
        PingPongClient.check(spec);
        this.spec = spec;
        this.budgetNanos = budget == null ? Long.MAX_VALUE / 4 : budget.toNanos();
        this.size = spec.messageSize();
        this.message = StreamBytes.source(size);
        this.echo = new byte[size];
        this.sequenceView = ByteBuffer.wrap(message);
        this.echoView = ByteBuffer.wrap(echo);
    }

    /** Completed with the round trips after warm-up, or exceptionally when the run fails. */
    CompletableFuture<Histogram> result() {
        return result;
    }

    /** Round trips completed so far (warm-up included): the driver's progress watch. */
    int roundTrips() {
        return roundTrips;
    }

    @Override
    public void onHandshakeComplete(QuicConnection connection) {
        try {
            stream = connection.openBidirectionalStream();
            long began = System.nanoTime();
            warmupEnd = began + budgetNanos / 4;
            end = began + budgetNanos;
            nextRound();
        } catch (RuntimeException e) {
            throw failed(e);
        }
    }

    @Override
    public void onStreamWritable(QuicStream s) {
        if (s != stream) {
            return;
        }
        try {
            if (finishing) {
                if (!finSent) {
                    finSent = s.offerFin();
                }
            } else if (sent < size) {
                sent += s.offer(message, sent, size - sent, false);
            }
        } catch (RuntimeException e) {
            throw failed(e);
        }
    }

    @Override
    public void onStreamReadable(QuicStream s) {
        if (s != stream || result.isDone()) {
            return;
        }
        try {
            if (finishing) {
                awaitEnd(s);
                return;
            }
            while (received < size) {
                int r = s.read(echo, received, size - received);
                if (r == 0) {
                    return;
                }
                if (r < 0) {
                    throw new IllegalStateException("the echo stream ended after " + round + " round trips");
                }
                received += r;
            }
            long nanos = System.nanoTime() - start;
            if (echoView.getLong(0) != round) {
                throw new IllegalStateException("round trip " + round + " came back carrying sequence " + echoView.getLong(0));
            }
            if (round >= spec.warmup()) {
                histogram.recordValue(Math.min(nanos, PingPongClient.MAX_ROUND_TRIP_NANOS));
            }
            round++;
            roundTrips = round;
            nextRound();
            if (finishing) {
                awaitEnd(s); // the server's FIN cannot be here yet, but a stray byte after the last echo may be
            }
        } catch (RuntimeException e) {
            throw failed(e);
        }
    }

    @Override
    public void onStreamReset(QuicStream s, long applicationErrorCode) {
        failed(new IllegalStateException("the echo server reset the stream (code " + applicationErrorCode + ") after " + round + " round trips"));
    }

    @Override
    public void onStreamStopped(QuicStream s, long applicationErrorCode) {
        failed(new IllegalStateException("the echo server stopped the stream (code " + applicationErrorCode + ") after " + round + " round trips"));
    }

    @Override
    public void onConnectionClosed(QuicConnection connection, CloseReason reason) {
        failed(new IllegalStateException("the connection closed after " + round + " round trips: " + reason));
    }

    /** Starts the next round trip, or ends the stream when the rounds or the budget are used up. */
    private void nextRound() {
        long now = System.nanoTime();
        if (round < spec.warmup() && now - warmupEnd > 0) {
            round = spec.warmup(); // the rest of the warm-up does not fit the budget
        }
        if (round >= spec.warmup() + spec.count() || (round >= spec.warmup() && now - end > 0 && histogram.getTotalCount() > 0)) {
            finishing = true;
            finSent = stream.offerFin();
            return;
        }
        sequenceView.putLong(0, round);
        received = 0;
        start = System.nanoTime();
        sent = stream.offer(message, 0, size, false);
    }

    /** After our FIN: the server's FIN completes the run; any byte is one too many. */
    private void awaitEnd(QuicStream s) {
        int r = s.read(echo, 0, size);
        if (r > 0) {
            throw new IllegalStateException("the echo server sent bytes after the last round trip");
        }
        if (r < 0) {
            result.complete(histogram);
        }
    }

    /** Fails the run (first failure wins) and returns the exception for the engine to see too. */
    private RuntimeException failed(RuntimeException e) {
        result.completeExceptionally(e);
        return e;
    }

    @Override
    public String toString() {
        return "in-loop ping-pong client: " + roundTrips + " of " + (spec.warmup() + spec.count()) + " round trips (warm-up included)";
    }
}
