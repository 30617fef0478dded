package io.quicheengine.perf.engine;

import io.quicheengine.FragmentHandler;
import io.quicheengine.QuicConnection;
import io.quicheengine.QuicListener;
import io.quicheengine.QuicStream;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import org.agrona.DirectBuffer;

/**
 * The sink server's streams, served on the engine's loop thread: every readable fragment is
 * consumed in place ({@link QuicStream#poll}, zero copy), counted and spot-checked against
 * {@link StreamBytes} (first and last byte of each fragment), and after the client's FIN a
 * {@link SinkReport} goes back with a FIN. A wrong byte throws, which closes the connection with
 * INTERNAL_ERROR and reaches the engine's error handler, so the client's run fails.
 *
 * <p>Loop thread only (it is a {@link QuicListener}); nothing allocated per fragment.
 */
final class SinkListener implements QuicListener {
    private static final int FRAGMENTS_PER_POLL = 64;

    private final Map<QuicStream, SinkStream> streams = new IdentityHashMap<>();
    private final FragmentHandler counter = this::onFragment;
    private final byte[] report = new byte[SinkReport.BYTES];
    private SinkStream current;

    /** One stream's counters. */
    private static final class SinkStream {
        long bytes;
        long firstNanos;
        long lastNanos;
        boolean ended;
        boolean reported;
    }

    @Override
    public void onStreamReadable(QuicStream stream) {
        SinkStream s = streams.get(stream);
        if (s == null) {
            s = new SinkStream();
            streams.put(stream, s);
        }
        if (!s.ended) {
            current = s;
            long before = s.bytes;
            int r;
            do {
                r = stream.poll(counter, FRAGMENTS_PER_POLL);
            } while (r > 0);
            if (s.bytes > before) {
                s.lastNanos = System.nanoTime();
            }
            s.ended = r < 0;
        }
        if (s.ended && !s.reported) {
            sendReport(stream, s);
        }
    }

    @Override
    public void onStreamWritable(QuicStream stream) {
        SinkStream s = streams.get(stream);
        if (s != null && s.ended && !s.reported) {
            sendReport(stream, s);
        }
    }

    @Override
    public void onStreamReset(QuicStream stream, long applicationErrorCode) {
        streams.remove(stream);
    }

    @Override
    public void onConnectionClosed(QuicConnection connection, io.quicheengine.CloseReason reason) {
        for (Iterator<QuicStream> it = streams.keySet().iterator(); it.hasNext(); ) {
            if (it.next().connection() == connection) {
                it.remove();
            }
        }
    }

    private void onFragment(DirectBuffer buffer, int index, int length) {
        SinkStream s = current;
        if (s.bytes == 0) {
            s.firstNanos = System.nanoTime();
        }
        check(buffer, index, s.bytes);
        check(buffer, index + length - 1, s.bytes + length - 1);
        s.bytes += length;
    }

    private static void check(DirectBuffer buffer, int index, long streamOffset) {
        byte actual = buffer.getByte(index);
        if (actual != StreamBytes.at(streamOffset)) {
            throw new IllegalStateException("sink: byte at stream offset " + streamOffset + " is " + actual
                    + ", expected " + StreamBytes.at(streamOffset) + " (data lost, duplicated or reordered)");
        }
    }

    /** All or nothing with the FIN; when the ring or credit is short, onStreamWritable tries again. */
    private void sendReport(QuicStream stream, SinkStream s) {
        new SinkReport(s.bytes, s.firstNanos, s.lastNanos).encode(report);
        // The entry stays (marked) until the connection closes: a late readable event must not report twice.
        s.reported = stream.offerMessage(report, 0, report.length, true);
    }
}
