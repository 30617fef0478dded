package io.quicheengine.perf.orders;

import io.quicheengine.CloseReason;
import io.quicheengine.QuicConnection;
import io.quicheengine.QuicEngine;
import io.quicheengine.QuicListener;
import io.quicheengine.QuicStream;
import io.quicheengine.WaitStrategy;
import io.quicheengine.perf.engine.EngineTransport;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * (b) Loop-thread listeners: the client's application logic is a {@link QuicListener} on a normal
 * client engine's loop thread (the loop idles by the row's wait strategy): the handshake callback
 * opens the stream and sends the first order, each readable callback polls the ack and sends the
 * next order (through the command ring, taken by the loop's next cycle). One client thread; the
 * benchmark's main thread only waits for the result.
 */
final class ListenerPlacement implements Placement {

    @Override
    public String label() {
        return "loop-listener";
    }

    @Override
    public String description() {
        return "listener callbacks on the client engine's loop thread (poll ack, offer order through the ring); the loop idles by the strategy";
    }

    @Override
    public boolean supports(WaitStrategy strategy) {
        return true;
    }

    @Override
    public RoundTrips run(InetSocketAddress server, WaitStrategy strategy, OrdersSpec spec) throws Exception {
        try (QuicEngine engine = QuicEngine.builder().name("orders-listener").loopWaitStrategy(strategy).appWaitStrategy(strategy).build()) {
            Client client = new Client(spec);
            QuicConnection connection = engine.connect(server, EngineTransport.clientConfig(), client);
            try {
                return client.result.get(spec.warmup().plus(spec.measure()).toSeconds() + 60, TimeUnit.SECONDS);
            } finally {
                connection.close();
            }
        }
    }

    /** The client as callbacks; loop thread (or an invoker's owner) only, except {@link #result}. */
    static final class Client implements QuicListener {
        final CompletableFuture<RoundTrips> result = new CompletableFuture<>();
        private final OrdersSpec spec;
        private OrderRoundTrip orders;
        private QuicStream stream;

        Client(OrdersSpec spec) {
            this.spec = spec;
        }

        @Override
        public void onHandshakeComplete(QuicConnection connection) {
            try {
                stream = connection.openBidirectionalStream();
                orders = new OrderRoundTrip(spec);
                orders.send(stream);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                throw e;
            }
        }

        @Override
        public void onStreamReadable(QuicStream s) {
            if (s != stream || result.isDone()) {
                return;
            }
            try {
                if (orders.receive(s)) {
                    if (orders.done()) {
                        result.complete(orders.result());
                    } else if (!orders.send(s)) {
                        throw new IllegalStateException("the client could not offer order " + orders.acknowledged());
                    }
                }
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                throw e;
            }
        }

        @Override
        public void onConnectionClosed(QuicConnection connection, CloseReason reason) {
            result.completeExceptionally(new IllegalStateException("the connection closed during the run: " + reason));
        }
    }
}
