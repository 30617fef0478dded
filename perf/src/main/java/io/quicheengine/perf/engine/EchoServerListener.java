package io.quicheengine.perf.engine;

import io.quicheengine.CloseReason;
import io.quicheengine.FragmentHandler;
import io.quicheengine.QuicConnection;
import io.quicheengine.QuicListener;
import io.quicheengine.QuicStream;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import org.agrona.DirectBuffer;

/**
 * The echo server's streams, served on the engine's loop thread the way a callback application
 * would: each readable fragment is offered straight back from the read ring (one copy, into the
 * command ring); what the stream does not accept yet is kept and the stream is not read further
 * until it is gone, so backpressure reaches the client through QUIC flow control. After the
 * client's FIN and the last byte, FIN.
 *
 * <p>Loop thread only (it is a {@link QuicListener}). The carry buffer of a stream is allocated
 * once, on its first short offer.
 */
final class EchoServerListener implements QuicListener {
    private final Map<QuicStream, Carry> carries = new IdentityHashMap<>();
    private final FragmentHandler echo = this::onFragment;
    private QuicStream currentStream;
    private Carry currentCarry;

    /** Bytes read but not yet accepted by the stream, and whether the client's FIN was seen. */
    private static final class Carry {
        byte[] bytes;
        int offset;
        int length;
        boolean finSeen;
        boolean finished;
    }

    @Override
    public void onStreamReadable(QuicStream stream) {
        pump(stream);
    }

    @Override
    public void onStreamWritable(QuicStream stream) {
        pump(stream);
    }

    @Override
    public void onStreamReset(QuicStream stream, long applicationErrorCode) {
        carries.remove(stream);
    }

    @Override
    public void onConnectionClosed(QuicConnection connection, CloseReason reason) {
        for (Iterator<QuicStream> it = carries.keySet().iterator(); it.hasNext(); ) {
            if (it.next().connection() == connection) {
                it.remove();
            }
        }
    }

    private void pump(QuicStream stream) {
        Carry carry = carries.get(stream);
        if (carry == null) {
            carry = new Carry();
            carries.put(stream, carry);
        }
        while (!carry.finished) {
            if (carry.length > 0) {
                int n = stream.offer(carry.bytes, carry.offset, carry.length, false);
                carry.offset += n;
                carry.length -= n;
                if (carry.length > 0) {
                    return;
                }
            }
            if (carry.finSeen) {
                // The entry stays until the connection closes: a late event must not FIN twice.
                carry.finished = stream.offerFin();
                return;
            }
            currentStream = stream;
            currentCarry = carry;
            int r = stream.poll(echo, 1);
            if (r == 0) {
                return;
            }
            if (r < 0) {
                carry.finSeen = true;
            }
        }
    }

    private void onFragment(DirectBuffer buffer, int index, int length) {
        int n = currentStream.offer(buffer, index, length, false);
        if (n < length) {
            Carry carry = currentCarry;
            int rest = length - n;
            if (carry.bytes == null || carry.bytes.length < rest) {
                carry.bytes = new byte[Math.max(rest, 64 * 1024)];
            }
            buffer.getBytes(index + n, carry.bytes, 0, rest);
            carry.offset = 0;
            carry.length = rest;
        }
    }
}
