package io.quicheengine.perf.orders;

import io.quicheengine.FragmentHandler;
import io.quicheengine.QuicStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;

/**
 * The client side of the order/ack exchange, whichever thread runs it: sends one order at a time,
 * gathers its ack from polled fragments, checks the sequence number it carries and records the
 * round trip once warm-up is over. Nothing is allocated per round trip (the fragment handler is
 * a field, the histogram fixed-size). One thread at a time (the placement's).
 */
final class OrderRoundTrip {
    static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final byte[] order = new byte[OrderMessages.ORDER_BYTES];
    private final ByteBuffer orderView = ByteBuffer.wrap(order);
    private final byte[] ack = new byte[OrderMessages.ACK_BYTES];
    private final ByteBuffer ackView = ByteBuffer.wrap(ack);
    private final Histogram histogram = new Histogram(MAX_NANOS, 3);
    private final FragmentHandler onFragment = this::onFragment;
    private final long warmupEnd;
    private final long end;
    private long measureStart;
    private long measureEnd;
    private long sequence;
    private long sentAt;
    private int ackBytes;
    private boolean inFlight;
    private boolean done;

    OrderRoundTrip(OrdersSpec spec) {
        long now = System.nanoTime();
        this.warmupEnd = now + spec.warmup().toNanos();
        this.end = warmupEnd + spec.measure().toNanos();
        for (int i = Long.BYTES; i < order.length; i++) {
            order[i] = (byte) i;
        }
    }

    /**
     * Offers the next order when none is in flight and the run is not over; all or nothing.
     *
     * @return true when this call sent an order
     */
    boolean send(QuicStream stream) {
        if (inFlight || done) {
            return false;
        }
        orderView.putLong(0, sequence);
        long now = System.nanoTime();
        if (!stream.offerMessage(order, 0, order.length, false)) {
            return false;
        }
        sentAt = now;
        ackBytes = 0;
        inFlight = true;
        return true;
    }

    /**
     * Polls the ack's bytes.
     *
     * @return true when this poll completed the ack (the round trip is recorded)
     */
    boolean receive(QuicStream stream) {
        if (!inFlight) {
            return false;
        }
        if (stream.poll(onFragment, 4) < 0) {
            throw new IllegalStateException("the order server ended the stream after " + sequence + " orders");
        }
        return ackBytes == ack.length && complete();
    }

    /** Reads the whole ack with the engine's blocking read (its application wait strategy); records the round trip. */
    void receiveBlocking(QuicStream stream, Duration timeout) {
        while (ackBytes < ack.length) {
            int n = stream.read(ack, ackBytes, ack.length - ackBytes, timeout);
            if (n < 0) {
                throw new IllegalStateException("the order server ended the stream after " + sequence + " orders");
            }
            ackBytes += n;
        }
        complete();
    }

    private boolean complete() {
        long now = System.nanoTime();
        if (ackView.getLong(0) != sequence) {
            throw new IllegalStateException("order " + sequence + " was acknowledged as " + ackView.getLong(0));
        }
        if (now - warmupEnd >= 0) {
            if (measureStart == 0) {
                measureStart = sentAt;
            }
            histogram.recordValue(Math.min(now - sentAt, MAX_NANOS));
        }
        sequence++;
        inFlight = false;
        done = now - end >= 0;
        if (done) {
            measureEnd = now;
        }
        return true;
    }

    private void onFragment(DirectBuffer buffer, int index, int length) {
        if (ackBytes + length > ack.length) {
            throw new IllegalStateException("the server sent " + (ackBytes + length) + " bytes for order " + sequence + ", more than one ack");
        }
        buffer.getBytes(index, ack, ackBytes, length);
        ackBytes += length;
    }

    /** True once the measuring time is over (the last round trip completed). */
    boolean done() {
        return done;
    }

    /** Orders acknowledged so far, warm-up included: a progress watch for the driving thread. */
    long acknowledged() {
        return sequence;
    }

    RoundTrips result() {
        return new RoundTrips(histogram, measureStart == 0 ? 0 : (done ? measureEnd : System.nanoTime()) - measureStart);
    }
}
