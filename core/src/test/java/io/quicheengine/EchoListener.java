package io.quicheengine;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A server-side echo written the way a callback application would: on the loop thread, never
 * blocking. Bytes it could not write yet are kept per stream, and it stops reading that stream
 * until they are gone, so backpressure travels all the way back to the client. Test-only.
 */
class EchoListener implements QuicListener {
    private final byte[] scratch = new byte[64 * 1024];
    private final Map<QuicStream, Carry> carries = new IdentityHashMap<>();

    private static final class Carry {
        byte[] bytes = new byte[0];
        int offset;
        int length;
        boolean fin;
        boolean done;
    }

    @Override
    public void onStreamReadable(QuicStream stream) {
        pump(stream);
    }

    @Override
    public void onStreamWritable(QuicStream stream) {
        pump(stream);
    }

    private void pump(QuicStream stream) {
        if (!stream.isBidirectional()) {
            drainOnly(stream);
            return;
        }
        Carry carry = carries.computeIfAbsent(stream, s -> new Carry());
        if (carry.done) {
            return;
        }
        while (true) {
            if (carry.length > 0) {
                int n = stream.offer(carry.bytes, carry.offset, carry.length, false);
                carry.offset += n;
                carry.length -= n;
                if (carry.length > 0) {
                    return;
                }
            }
            if (carry.fin) {
                if (stream.offerFin()) {
                    carry.done = true;
                    carries.remove(stream);
                }
                return;
            }
            int read = stream.read(scratch, 0, scratch.length);
            if (read == 0) {
                return;
            }
            if (read < 0) {
                carry.fin = true;
                continue;
            }
            int n = stream.offer(scratch, 0, read, false);
            if (n < read) {
                if (carry.bytes.length < read - n) {
                    carry.bytes = new byte[scratch.length];
                }
                System.arraycopy(scratch, n, carry.bytes, 0, read - n);
                carry.offset = 0;
                carry.length = read - n;
                return;
            }
        }
    }

    private void drainOnly(QuicStream stream) {
        while (stream.read(scratch, 0, scratch.length) > 0) {
            // a sink for unidirectional streams
        }
    }
}
