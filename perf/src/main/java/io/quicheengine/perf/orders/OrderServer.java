package io.quicheengine.perf.orders;

import io.quicheengine.FragmentHandler;
import io.quicheengine.QuicEngine;
import io.quicheengine.QuicListener;
import io.quicheengine.QuicServer;
import io.quicheengine.QuicStream;
import io.quicheengine.WaitStrategy;
import io.quicheengine.perf.engine.EngineTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.IdentityHashMap;
import java.util.Map;
import org.agrona.DirectBuffer;

/**
 * The order server of every row: a normal engine (its own loop thread, idling by the row's wait
 * strategy) whose listener answers each complete 64-byte order with a 32-byte ack carrying the
 * order's sequence number, from the loop thread, never blocking. Built and closed by the
 * benchmark's main thread; the listener runs on the server's loop thread only.
 */
final class OrderServer implements AutoCloseable {
    private final QuicEngine engine;
    private final QuicServer server;

    OrderServer(WaitStrategy strategy) {
        engine = QuicEngine.builder().name("orders-server").loopWaitStrategy(strategy).appWaitStrategy(strategy).build();
        server = engine.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), EngineTransport.serverConfig(), new Answering());
    }

    InetSocketAddress address() {
        return server.localAddress();
    }

    @Override
    public void close() {
        engine.close();
    }

    /** Gathers each stream's order bytes and acks every complete order; loop thread only. */
    private static final class Answering implements QuicListener {
        private final Map<QuicStream, Gathered> streams = new IdentityHashMap<>();
        private final byte[] ack = new byte[OrderMessages.ACK_BYTES];
        private Gathered current;
        private QuicStream currentStream;
        private final FragmentHandler onFragment = this::onFragment;

        /** One stream's partial order. */
        private static final class Gathered {
            final byte[] order = new byte[OrderMessages.ORDER_BYTES];
            int length;
        }

        @Override
        public void onStreamReadable(QuicStream stream) {
            current = streams.computeIfAbsent(stream, s -> new Gathered());
            currentStream = stream;
            while (stream.poll(onFragment, 16) > 0) {
                // every fragment handled in onFragment
            }
        }

        private void onFragment(DirectBuffer buffer, int index, int length) {
            Gathered gathered = current;
            int offset = 0;
            while (offset < length) {
                int n = Math.min(length - offset, gathered.order.length - gathered.length);
                buffer.getBytes(index + offset, gathered.order, gathered.length, n);
                gathered.length += n;
                offset += n;
                if (gathered.length == gathered.order.length) {
                    System.arraycopy(gathered.order, 0, ack, 0, Long.BYTES);
                    if (!currentStream.offerMessage(ack, 0, ack.length, false)) {
                        // One order in flight per stream and a 1 MiB write bound: refusing a 32-byte ack means something is broken.
                        throw new IllegalStateException("the order server could not offer an ack on " + currentStream);
                    }
                    gathered.length = 0;
                }
            }
        }
    }
}
