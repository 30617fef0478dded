package io.quicheengine.tools;

import io.quicheengine.ClosedException;
import io.quicheengine.DatagramHandler;
import io.quicheengine.QuicConnection;
import io.quicheengine.QuicListener;
import io.quicheengine.WaitStrategy;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;

/**
 * The client side of {@code quic client --datagrams N}: sends N QUIC DATAGRAMs, at most
 * {@link #WINDOW} unanswered at a time, and checks the echo of each (its sequence number and every
 * payload byte), timing each round trip. A datagram whose echo has not come within the loss
 * timeout counts as lost (datagrams are never retransmitted); an echo after that is ignored.
 *
 * <p>{@link #run} on the calling thread, which is the only thread that polls the connection's datagrams.
 */
final class DatagramEcho implements DatagramHandler {
    /** Datagrams sent and not yet echoed or lost: well under the engine's datagram queues of {@link #QUEUE_LENGTH}. */
    static final int WINDOW = 32;
    /** Datagram queue length each way, for {@code TransportSettings.Builder#datagrams}, client and server alike. */
    static final int QUEUE_LENGTH = 1024;
    /** The sequence number at the start of each datagram. */
    static final int HEADER = 8;

    private final QuicConnection connection;
    private final int count;
    private final int size;
    private final long lossTimeoutNanos;
    private final WaitStrategy waitStrategy;
    private final long[] sentAt;
    private final BitSet resolved;
    private final byte[] out;
    private final byte[] in;
    private final Histogram rtt = new Histogram(3);

    private int inFlight;
    private long echoed;
    private long lost;
    private long wrong;
    private long late;

    /**
     * @param size        bytes per datagram, {@link #HEADER} up to the connection's {@link QuicConnection#maxDatagramSize()}
     * @param lossTimeout how long an echo may take before its datagram counts as lost
     */
    DatagramEcho(QuicConnection connection, int count, int size, Duration lossTimeout, WaitStrategy waitStrategy) {
        this.connection = connection;
        this.count = count;
        this.size = size;
        this.lossTimeoutNanos = lossTimeout.toNanos();
        this.waitStrategy = waitStrategy;
        this.sentAt = new long[count];
        this.resolved = new BitSet(count);
        this.out = new byte[size];
        this.in = new byte[size];
    }

    /**
     * A listener for the connection that unparks {@code poller} when datagrams arrive, so that a
     * poller idling by {@link Pause} (parked up to 1 ms) does not add its sleep to the measured RTT.
     */
    static QuicListener wakes(Thread poller) {
        return new QuicListener() {
            @Override
            public void onDatagramsReadable(QuicConnection connection) {
                LockSupport.unpark(poller);
            }
        };
    }

    /**
     * What became of the datagrams.
     *
     * @param wrong  echoes with a wrong length, an unknown sequence number or changed bytes
     * @param late   echoes that came after their datagram counted as lost (ignored otherwise)
     * @param rtt    round-trip times of the echoed datagrams, nanoseconds
     */
    record Result(int count, int size, long echoed, long lost, long wrong, long late, double seconds, Histogram rtt) {
        boolean ok() {
            return echoed == count && wrong == 0;
        }
    }

    Result run() {
        long start = System.nanoTime();
        int next = 0;
        int oldest = 0;
        int idle = 0;
        while (oldest < count) {
            boolean progress = false;
            while (next < count && inFlight < WINDOW && send(next)) {
                next++;
                inFlight++;
                progress = true;
            }
            if (connection.pollDatagrams(this, WINDOW) > 0) {
                progress = true;
            }
            long now = System.nanoTime();
            while (oldest < next && (resolved.get(oldest) || now - sentAt[oldest] > lossTimeoutNanos)) {
                if (!resolved.get(oldest)) {
                    resolved.set(oldest);
                    lost++;
                    inFlight--;
                }
                oldest++;
            }
            if (connection.isClosed()) {
                lost += count - oldest; // what was not sent, or not answered, never will be
                break;
            }
            if (progress) {
                idle = 0;
            } else {
                long wakeAt = oldest < next ? sentAt[oldest] + lossTimeoutNanos : Long.MAX_VALUE;
                Pause.pause(waitStrategy, idle++, wakeAt);
            }
        }
        return new Result(count, size, echoed, lost, wrong, late, (System.nanoTime() - start) / 1e9, rtt);
    }

    private boolean send(int sequence) {
        for (int i = 0; i < HEADER; i++) {
            out[i] = (byte) ((long) sequence >>> (56 - 8 * i));
        }
        System.arraycopy(TestData.table(), TestData.offsetOf(TestData.salt(sequence), 0), out, HEADER, size - HEADER);
        sentAt[sequence] = System.nanoTime();
        try {
            return connection.offerDatagram(out, 0, size);
        } catch (ClosedException e) {
            return false; // run() sees the connection closed and stops
        }
    }

    @Override
    public void onDatagram(DirectBuffer buffer, int index, int length) {
        long now = System.nanoTime();
        if (length != size) {
            wrong++;
            return;
        }
        buffer.getBytes(index, in, 0, length);
        long sequence = 0;
        for (int i = 0; i < HEADER; i++) {
            sequence = (sequence << 8) | (in[i] & 0xff);
        }
        if (sequence < 0 || sequence >= count || sentAt[(int) sequence] == 0
                || TestData.mismatch(in, HEADER, size - HEADER, TestData.salt((int) sequence), 0) >= 0) {
            wrong++;
            return;
        }
        int s = (int) sequence;
        if (resolved.get(s)) {
            late++; // already lost by the timeout, or a duplicate
            return;
        }
        resolved.set(s);
        inFlight--;
        echoed++;
        rtt.recordValue(Math.max(1, now - sentAt[s]));
    }
}
