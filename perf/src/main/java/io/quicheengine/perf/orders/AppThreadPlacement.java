package io.quicheengine.perf.orders;

import io.quicheengine.QuicConnection;
import io.quicheengine.QuicEngine;
import io.quicheengine.QuicStream;
import io.quicheengine.WaitStrategy;
import io.quicheengine.perf.engine.EngineTransport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.IdleStrategy;

/**
 * (c) An application thread beside the loop thread: a normal client engine (its loop idles by the
 * row's strategy) and one application thread that offers each order (through the command ring)
 * and polls for the ack, idling by the matching Agrona {@link IdleStrategy}; with BLOCKING it
 * waits in the engine's blocking read instead, which the loop unparks when bytes arrive. Two
 * client threads.
 */
final class AppThreadPlacement implements Placement {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Override
    public String label() {
        return "app-thread";
    }

    @Override
    public String description() {
        return "an application thread beside the client's loop thread: offer order (ring) + poll ack with an Agrona IdleStrategy "
                + "(BLOCKING: the engine's blocking read, unparked by the loop)";
    }

    @Override
    public boolean supports(WaitStrategy strategy) {
        return true;
    }

    @Override
    public RoundTrips run(InetSocketAddress server, WaitStrategy strategy, OrdersSpec spec) throws Exception {
        try (QuicEngine engine = QuicEngine.builder().name("orders-app").loopWaitStrategy(strategy).appWaitStrategy(strategy).build()) {
            CompletableFuture<RoundTrips> result = new CompletableFuture<>();
            Thread app = new Thread(() -> {
                try {
                    result.complete(drive(engine, server, strategy, spec));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            }, "orders-app-thread");
            app.start();
            return result.get(spec.warmup().plus(spec.measure()).toSeconds() + 60, TimeUnit.SECONDS);
        }
    }

    private static RoundTrips drive(QuicEngine engine, InetSocketAddress server, WaitStrategy strategy, OrdersSpec spec) {
        QuicConnection connection = engine.connect(server, EngineTransport.clientConfig()).awaitHandshake(TIMEOUT);
        QuicStream stream = connection.openBidirectionalStream(TIMEOUT);
        OrderRoundTrip orders = new OrderRoundTrip(spec);
        IdleStrategy idle = strategy == WaitStrategy.BLOCKING ? null : InvokerPlacement.idleStrategy(strategy);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!orders.done()) {
            if (!orders.send(stream)) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new IllegalStateException("the client could not offer order " + orders.acknowledged() + " for " + TIMEOUT);
                }
                idle(idle);
                continue;
            }
            deadline = System.nanoTime() + TIMEOUT.toNanos();
            if (idle == null) {
                orders.receiveBlocking(stream, TIMEOUT);
                continue;
            }
            idle.reset();
            while (!orders.receive(stream)) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new IllegalStateException("no ack for order " + orders.acknowledged() + " within " + TIMEOUT);
                }
                idle.idle(0);
            }
        }
        connection.close();
        return orders.result();
    }

    private static void idle(IdleStrategy idle) {
        if (idle == null) {
            Thread.onSpinWait();
        } else {
            idle.idle(0);
        }
    }
}
