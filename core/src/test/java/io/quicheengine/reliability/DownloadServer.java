package io.quicheengine.reliability;

import io.quicheengine.ClosedException;
import io.quicheengine.QuicListener;
import io.quicheengine.QuicStream;
import java.nio.ByteBuffer;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A server that sends instead of echoing: a client opens a bidirectional stream and writes 16
 * bytes (length, seed) with fin; the server answers with {@code length} bytes of
 * {@code SplittableRandom(seed)} and fin, offering as fast as the stream takes them. The client is
 * then passive (it only acknowledges), so the server alone drives loss recovery. Loop thread only.
 */
final class DownloadServer implements QuicListener {
    private final Map<QuicStream, Download> downloads = new IdentityHashMap<>();

    /** What one stream still has to send. */
    private static final class Download {
        final ByteBuffer request = ByteBuffer.allocate(16);
        SplittableRandom random;
        long remaining = -1;
        final byte[] chunk = new byte[64 * 1024];
        int offset;
        int length;
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
    public void onConnectionClosed(io.quicheengine.QuicConnection connection, io.quicheengine.CloseReason reason) {
        downloads.keySet().removeIf(stream -> stream.connection() == connection);
    }

    private void pump(QuicStream stream) {
        try {
            Download d = downloads.computeIfAbsent(stream, s -> new Download());
            if (d.remaining < 0) {
                int n = stream.read(d.request);
                if (n >= 0 && d.request.hasRemaining()) {
                    return;
                }
                d.request.flip();
                d.remaining = d.request.getLong();
                d.random = new SplittableRandom(d.request.getLong());
            }
            while (true) {
                if (d.length == 0) {
                    if (d.remaining == 0) {
                        if (stream.offerFin()) {
                            downloads.remove(stream);
                        }
                        return;
                    }
                    d.random.nextBytes(d.chunk);
                    d.offset = 0;
                    d.length = (int) Math.min(d.chunk.length, d.remaining);
                    d.remaining -= d.length;
                }
                int n = stream.offer(d.chunk, d.offset, d.length, false);
                d.offset += n;
                d.length -= n;
                if (d.length > 0) {
                    return; // onStreamWritable resumes
                }
            }
        } catch (ClosedException e) {
            downloads.remove(stream);
        }
    }
}
