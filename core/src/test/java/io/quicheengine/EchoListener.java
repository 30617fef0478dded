package io.quicheengine;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The tests' echo server, written the way a callback application would: echoes every bidirectional stream back, byte for byte,
 * and ends it when the client ended it. Runs on the server's loop thread and never blocks: bytes
 * the stream cannot take yet are carried until {@code onStreamWritable}, and the stream is not read
 * meanwhile, so backpressure reaches the client through QUIC flow control. Unidirectional streams
 * are drained and dropped; a stream the client resets or stops is abandoned, reading included
 * (STOP_SENDING), so no unread bytes stay behind. Loop thread only.
 */
public class EchoListener implements QuicListener {
    private final byte[] scratch = new byte[64 * 1024];
    private final Map<QuicStream, Carry> carries = new IdentityHashMap<>();

    /** Bytes read but not yet accepted by the stream. */
    private static final class Carry {
        final byte[] bytes = new byte[64 * 1024];
        int offset;
        int length;
        boolean fin;
    }

    @Override
    public void onStreamReadable(QuicStream stream) {
        pump(stream);
    }

    @Override
    public void onStreamWritable(QuicStream stream) {
        pump(stream);
    }

    /** A stream cut short by its connection's close gets no further callback: forget what it still carried. */
    @Override
    public void onConnectionClosed(QuicConnection connection, CloseReason reason) {
        carries.keySet().removeIf(stream -> stream.connection() == connection);
    }

    private void pump(QuicStream stream) {
        try {
            echo(stream);
        } catch (ClosedException e) {
            // The client reset or stopped the stream: nothing more to echo on it.
            abandon(stream);
        }
    }

    /** Stops reading too, so the engine drops what would otherwise wait in the stream's ring to be read. */
    private void abandon(QuicStream stream) {
        carries.remove(stream);
        try {
            if (!stream.isReadFinished()) {
                stream.shutdownRead(0);
            }
        } catch (ClosedException e) {
            // the connection is gone as well
        }
    }

    private void echo(QuicStream stream) {
        if (!stream.isBidirectional()) {
            while (stream.read(scratch, 0, scratch.length) > 0) {
                // a sink: unidirectional streams are not echoed
            }
            return;
        }
        if (stream.isWriteClosed()) {
            abandon(stream);
            return;
        }
        Carry carry = carries.computeIfAbsent(stream, s -> new Carry());
        while (true) {
            if (carry.length > 0) {
                int n = stream.offer(carry.bytes, carry.offset, carry.length, false);
                carry.offset += n;
                carry.length -= n;
                if (carry.length > 0) {
                    return; // onStreamWritable resumes
                }
            }
            if (carry.fin) {
                if (stream.offerFin()) {
                    carries.remove(stream);
                }
                return;
            }
            int read = stream.read(carry.bytes, 0, carry.bytes.length);
            if (read == 0) {
                return;
            }
            if (read < 0) {
                carry.fin = true;
                continue;
            }
            carry.offset = 0;
            carry.length = read;
        }
    }
}
