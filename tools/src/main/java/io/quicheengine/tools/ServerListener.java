package io.quicheengine.tools;

import io.quicheengine.CloseReason;
import io.quicheengine.ConnectionStats;
import io.quicheengine.DatagramHandler;
import io.quicheengine.DatagramStats;
import io.quicheengine.FragmentHandler;
import io.quicheengine.QuicConnection;
import io.quicheengine.QuicListener;
import io.quicheengine.QuicStream;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The server side of the tools: serves each client stream by {@link ServerMode} (echo, sink,
 * source) from the engine's callbacks, never blocking, and (when datagrams are on) sends every
 * QUIC DATAGRAM back as it came. A stream whose peer is faster than the
 * network is not read further until what is owed to it has been written, so backpressure travels
 * back to the client through QUIC flow control.
 *
 * <p>Called on the engine's loop thread only. Connection events are handed as text to
 * {@code events}, which must not block (a queue that another thread prints).
 */
final class ServerListener implements QuicListener {
    private static final int SCRATCH = 64 * 1024;

    private final ServerMode mode;
    private final Consumer<String> events;
    private final byte[] scratch = new byte[SCRATCH];
    private final Map<QuicStream, StreamHandler> handlers = new IdentityHashMap<>();
    private final Map<QuicConnection, Long> openedAt = new IdentityHashMap<>();
    private final DatagramHandler echoDatagram = this::echoDatagram;
    /** The connection whose datagrams {@link #echoDatagram} is answering, during {@link #onDatagramsReadable}. */
    private QuicConnection datagramPeer;

    ServerListener(ServerMode mode, Consumer<String> events) {
        this.mode = mode;
        this.events = events;
    }

    /** Echo: datagrams are unreliable, so one that finds quiche's queue (or the peer's size limit) too small is dropped and counted, not held. */
    @Override
    public void onDatagramsReadable(QuicConnection connection) {
        datagramPeer = connection;
        while (connection.pollDatagrams(echoDatagram, 64) > 0) {
            // answered in echoDatagram
        }
        datagramPeer = null;
    }

    private void echoDatagram(org.agrona.DirectBuffer buffer, int index, int length) {
        buffer.getBytes(index, scratch, 0, length);
        if (length <= datagramPeer.maxDatagramSize()) {
            datagramPeer.offerDatagram(scratch, 0, length); // false: refused, counted in datagramStats()
        }
    }

    @Override
    public void onHandshakeComplete(QuicConnection connection) {
        openedAt.put(connection, System.nanoTime());
        events.accept("connection from " + addressText(connection) + " (alpn " + connection.applicationProtocol() + ", " + mode.name().toLowerCase(java.util.Locale.ROOT) + ")");
    }

    @Override
    public void onStreamOpened(QuicStream stream) {
        StreamHandler handler = !stream.isBidirectional() ? new Drain()
                : switch (mode) {
                    case ECHO -> new Echo();
                    case SINK -> new Sink();
                    case SOURCE -> new Source();
                };
        handlers.put(stream, handler);
        pump(stream, handler);
    }

    @Override
    public void onStreamReadable(QuicStream stream) {
        StreamHandler handler = handlers.get(stream);
        if (handler == null) {
            drain(stream); // its handler is done: whatever still comes (a late fin) is discarded
        } else {
            pump(stream, handler);
        }
    }

    @Override
    public void onStreamWritable(QuicStream stream) {
        StreamHandler handler = handlers.get(stream);
        if (handler != null) {
            pump(stream, handler);
        }
    }

    @Override
    public void onStreamReset(QuicStream stream, long applicationErrorCode) {
        // The client abandoned what it was sending: abandon what we owe it on that stream too.
        if (handlers.remove(stream) != null && !stream.isWriteClosed()) {
            stream.reset(applicationErrorCode);
        }
    }

    @Override
    public void onStreamStopped(QuicStream stream, long applicationErrorCode) {
        // The client stopped reading (a source stream it has had enough of): stop writing, keep draining.
        if (handlers.remove(stream) != null) {
            drain(stream);
        }
    }

    @Override
    public void onConnectionClosed(QuicConnection connection, CloseReason reason) {
        for (Iterator<QuicStream> it = handlers.keySet().iterator(); it.hasNext(); ) {
            if (it.next().connection() == connection) {
                it.remove();
            }
        }
        Long opened = openedAt.remove(connection);
        ConnectionStats stats = connection.stats();
        String took = opened == null ? "" : String.format(java.util.Locale.ROOT, " after %.1f s", (System.nanoTime() - opened) / 1e9);
        events.accept("connection from " + addressText(connection) + " closed" + took + ": " + reason
                + "; packets sent " + stats.packetsSent() + ", received " + stats.packetsReceived() + ", lost " + stats.packetsLost()
                + "; bytes sent " + Units.bytes(stats.bytesSent()) + ", received " + Units.bytes(stats.bytesReceived())
                + datagramText(stats.datagrams()));
    }

    private void pump(QuicStream stream, StreamHandler handler) {
        if (handler.pump(stream)) {
            handlers.remove(stream);
        }
    }

    private void drain(QuicStream stream) {
        while (stream.read(scratch, 0, scratch.length) > 0) {
            // discarded
        }
    }

    private static String datagramText(DatagramStats datagrams) {
        return datagrams.received() == 0 && datagrams.sent() == 0 ? ""
                : "; datagrams received " + datagrams.received() + ", echoed " + datagrams.sent()
                        + (datagrams.refused() == 0 ? "" : ", refused for want of queue room " + datagrams.refused());
    }

    private static String addressText(QuicConnection connection) {
        return HostPort.of(connection.remoteAddress(), "peer").toString();
    }

    /** Serves one stream; {@link #pump} returns true once it owes the stream nothing more. */
    private abstract static class StreamHandler {
        abstract boolean pump(QuicStream stream);
    }

    /** Reads and discards (a client's unidirectional stream). */
    private final class Drain extends StreamHandler {
        @Override
        boolean pump(QuicStream stream) {
            int n;
            while ((n = stream.read(scratch, 0, scratch.length)) > 0) {
                // discarded
            }
            return n < 0;
        }
    }

    /** Writes back what it reads; bytes the stream would not take yet wait in {@code carry}. */
    private final class Echo extends StreamHandler {
        private byte[] carry;
        private int carryOffset;
        private int carryLength;
        private boolean ended;

        @Override
        boolean pump(QuicStream stream) {
            while (true) {
                if (carryLength > 0) {
                    int n = stream.offer(carry, carryOffset, carryLength, false);
                    carryOffset += n;
                    carryLength -= n;
                    if (carryLength > 0) {
                        return false; // onStreamWritable resumes us
                    }
                }
                if (ended) {
                    return stream.offerFin(); // false: the ring was full, onStreamWritable resumes us
                }
                int read = stream.read(scratch, 0, scratch.length);
                if (read == 0) {
                    return false;
                }
                if (read < 0) {
                    ended = true;
                    continue;
                }
                int n = stream.offer(scratch, 0, read, false);
                if (n < read) {
                    if (carry == null) {
                        carry = new byte[SCRATCH];
                    }
                    System.arraycopy(scratch, n, carry, 0, read - n);
                    carryOffset = 0;
                    carryLength = read - n;
                    return false;
                }
            }
        }
    }

    /** Counts and discards, zero-copy; answers the count when the client ends the stream. */
    private static final class Sink extends StreamHandler implements FragmentHandler {
        private long received;
        private byte[] answer;

        @Override
        public void onFragment(org.agrona.DirectBuffer buffer, int index, int length) {
            received += length;
        }

        @Override
        boolean pump(QuicStream stream) {
            if (answer == null) {
                int fragments;
                while ((fragments = stream.poll(this, 64)) > 0) {
                    // counted in onFragment
                }
                if (fragments == 0) {
                    return false;
                }
                answer = new byte[8];
                for (int i = 0; i < 8; i++) {
                    answer[i] = (byte) (received >>> (56 - 8 * i));
                }
            }
            return stream.offerMessage(answer, 0, answer.length, true);
        }
    }

    /** Sends {@link TestData} after reading the 8-byte request; 0 or no request means until stopped. */
    private final class Source extends StreamHandler {
        private static final long UNLIMITED = Long.MAX_VALUE;
        private long wanted = -1;
        private long requestBytesRead;
        private long requested;
        private long sent;
        private boolean readEnded;

        @Override
        boolean pump(QuicStream stream) {
            readRequest(stream);
            if (wanted < 0) {
                return false;
            }
            byte[] data = TestData.table();
            while (sent < wanted) {
                int n = (int) Math.min(wanted - sent, TestData.MAX_SLICE);
                int accepted = stream.offer(data, TestData.offsetOf(0, sent), n, false);
                sent += accepted;
                if (accepted < n) {
                    return false; // onStreamWritable resumes us
                }
            }
            return stream.offerFin();
        }

        /** Reads the request (and discards anything after it, so the client's fin is consumed). */
        private void readRequest(QuicStream stream) {
            while (!readEnded) {
                int n = stream.read(scratch, 0, scratch.length);
                if (n == 0) {
                    return;
                }
                if (n < 0) {
                    readEnded = true;
                    break;
                }
                for (int i = 0; i < n && requestBytesRead < 8; i++, requestBytesRead++) {
                    requested = (requested << 8) | (scratch[i] & 0xff);
                }
                if (requestBytesRead == 8 && wanted < 0) {
                    wanted = requested <= 0 ? UNLIMITED : requested;
                }
            }
            if (wanted < 0) {
                wanted = requestBytesRead == 8 && requested > 0 ? requested : UNLIMITED;
            }
        }
    }
}
