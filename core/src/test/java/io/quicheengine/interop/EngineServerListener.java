package io.quicheengine.interop;

import io.quicheengine.ClosedException;
import io.quicheengine.CloseReason;
import io.quicheengine.EchoListener;
import io.quicheengine.QuicConnection;
import io.quicheengine.QuicStream;
import java.security.MessageDigest;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The engine's side of the peer-client cases, through core's public API only: echo (the tests'
 * {@link EchoListener}), sink (answers the byte count and SHA-256 of what it got) or source (sends
 * the pattern bytes a client asks for), and echoes QUIC datagrams. Never blocks: what a stream
 * cannot take yet waits for {@code onStreamWritable}. Loop thread only.
 */
final class EngineServerListener extends EchoListener {
    enum Mode { ECHO, SINK, SOURCE }

    private final Mode mode;
    private final byte[] scratch = new byte[64 * 1024];
    private final Map<QuicStream, Progress> streams = new IdentityHashMap<>();

    private static final class Progress {
        final MessageDigest sha = Pattern.sha256();
        long count;
        final byte[] header = new byte[8];
        byte[] pending;          // bytes to send: the sink's answer, or the source's current chunk
        int pendingOffset;
        long sourceSize = -1;    // the count a source client asked for, once its 8 bytes are in
        long sourceOffset;       // pattern bytes handed to the stream
        boolean done;
    }

    EngineServerListener(Mode mode) {
        this.mode = mode;
    }

    @Override
    public void onStreamReadable(QuicStream stream) {
        if (mode == Mode.ECHO) {
            super.onStreamReadable(stream);
        } else {
            serve(stream);
        }
    }

    @Override
    public void onStreamWritable(QuicStream stream) {
        if (mode == Mode.ECHO) {
            super.onStreamWritable(stream);
        } else {
            serve(stream);
        }
    }

    @Override
    public void onConnectionClosed(QuicConnection connection, CloseReason reason) {
        super.onConnectionClosed(connection, reason);
        streams.keySet().removeIf(stream -> stream.connection() == connection);
    }

    @Override
    public void onDatagramsReadable(QuicConnection connection) {
        connection.pollDatagrams((buffer, index, length) -> {
            byte[] copy = new byte[length];
            buffer.getBytes(index, copy);
            connection.offerDatagram(copy, 0, length);
        }, 64);
    }

    private void serve(QuicStream stream) {
        Progress p = streams.computeIfAbsent(stream, s -> new Progress());
        try {
            if (mode == Mode.SINK) {
                sink(stream, p);
            } else {
                source(stream, p);
            }
        } catch (ClosedException e) {
            streams.remove(stream); // reset or stopped by the peer: nothing more to do on it
        }
        if (p.done) {
            streams.remove(stream);
        }
    }

    private void sink(QuicStream stream, Progress p) {
        if (p.pending == null) {
            int n;
            while ((n = stream.read(scratch, 0, scratch.length)) > 0) {
                p.sha.update(scratch, 0, n);
                p.count += n;
            }
            if (n == 0) {
                return;
            }
            p.pending = new byte[40];
            for (int k = 0; k < 8; k++) {
                p.pending[k] = (byte) (p.count >>> (56 - 8 * k));
            }
            System.arraycopy(p.sha.digest(), 0, p.pending, 8, 32);
        }
        sendPending(stream, p, true);
    }

    private void source(QuicStream stream, Progress p) {
        while (p.sourceSize < 0) {
            int n = stream.read(p.header, (int) p.count, 8 - (int) p.count);
            if (n <= 0) {
                if (n < 0) {
                    p.done = true; // ended before asking: nothing to send
                    stream.offerFin();
                }
                return;
            }
            p.count += n;
            if (p.count == 8) {
                long size = 0;
                for (byte b : p.header) {
                    size = (size << 8) | (b & 0xff);
                }
                p.sourceSize = size;
            }
        }
        while (stream.read(scratch, 0, scratch.length) > 0) {
            // a source client sends nothing after its count
        }
        while (!p.done) {
            if (p.pending == null) {
                int n = (int) Math.min(scratch.length, p.sourceSize - p.sourceOffset);
                p.pending = new byte[n];
                Pattern.fill(p.sourceOffset, p.pending, 0, n);
                p.pendingOffset = 0;
                p.sourceOffset += n;
            }
            if (!sendPending(stream, p, p.sourceOffset == p.sourceSize)) {
                return; // onStreamWritable resumes
            }
        }
    }

    /** Offers what is pending, with the fin when {@code last}; true when all of it (and the fin) went. */
    private static boolean sendPending(QuicStream stream, Progress p, boolean last) {
        int left = p.pending.length - p.pendingOffset;
        if (left > 0) {
            p.pendingOffset += stream.offer(p.pending, p.pendingOffset, left, last);
            if (p.pendingOffset < p.pending.length) {
                return false;
            }
        } else if (last && !stream.offerFin()) {
            return false;
        }
        p.pending = null;
        p.done = last;
        return true;
    }
}
