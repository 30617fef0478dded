package io.quicheengine.perf.orders;

import io.quicheengine.QuicConnection;
import io.quicheengine.QuicEngine;
import io.quicheengine.QuicStream;
import io.quicheengine.WaitStrategy;
import io.quicheengine.perf.engine.EngineTransport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/**
 * (a) Invoker mode: one application thread builds an invoker-mode client engine and runs the whole
 * duty cycle itself: {@code engine.doWork()}, poll the ack, offer the next order (straight to
 * quiche, no ring hop), then an Agrona {@link IdleStrategy} when nothing happened. The only client
 * thread. BLOCKING has no form here: the application's loop idles by its own strategy.
 */
final class InvokerPlacement implements Placement {
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(10);

    @Override
    public String label() {
        return "invoker";
    }

    @Override
    public String description() {
        return "one application thread: engine.doWork() + poll ack + offer order (straight to quiche), Agrona IdleStrategy "
                + "(BusySpin/Yielding/Backoff) when idle; no client loop thread";
    }

    @Override
    public boolean supports(WaitStrategy strategy) {
        return strategy != WaitStrategy.BLOCKING;
    }

    @Override
    public RoundTrips run(InetSocketAddress server, WaitStrategy strategy, OrdersSpec spec) throws Exception {
        return onOwnThread("orders-invoker-app", spec, () -> drive(server, strategy, spec));
    }

    /**
     * Runs {@code client} on a new thread, which builds and so owns its invoker-mode engine, and
     * waits for its round trips (the run's length and a minute more at most).
     */
    static RoundTrips onOwnThread(String name, OrdersSpec spec, Callable<RoundTrips> client) throws Exception {
        CompletableFuture<RoundTrips> result = new CompletableFuture<>();
        Thread app = new Thread(() -> {
            try {
                result.complete(client.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, name);
        app.start();
        return result.get(spec.warmup().plus(spec.measure()).toSeconds() + 60, TimeUnit.SECONDS);
    }

    private static RoundTrips drive(InetSocketAddress server, WaitStrategy strategy, OrdersSpec spec) {
        try (QuicEngine engine = QuicEngine.builder().name("orders-invoker").invoker(true).loopWaitStrategy(strategy).build()) {
            QuicConnection connection = engine.connect(server, EngineTransport.clientConfig()).awaitHandshake(SETUP_TIMEOUT);
            QuicStream stream = connection.openBidirectionalStream(SETUP_TIMEOUT);
            IdleStrategy idle = idleStrategy(strategy);
            OrderRoundTrip orders = new OrderRoundTrip(spec);
            long lastProgress = System.nanoTime();
            while (!orders.done()) {
                int work = engine.doWork();
                if (orders.receive(stream)) {
                    work++;
                }
                if (orders.send(stream)) {
                    work += 1 + engine.doWork(); // the order is in quiche: this cycle sends it rather than the next
                }
                if (work > 0) {
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > SETUP_TIMEOUT.toNanos()) {
                    throw new IllegalStateException("no progress for " + SETUP_TIMEOUT + " after " + orders.acknowledged() + " orders");
                }
                idle.idle(work);
            }
            connection.close();
            return orders.result();
        }
    }

    static IdleStrategy idleStrategy(WaitStrategy strategy) {
        return switch (strategy) {
            case BUSY_SPIN -> new BusySpinIdleStrategy();
            case YIELDING -> new YieldingIdleStrategy();
            case BACKOFF -> new BackoffIdleStrategy();
            case BLOCKING -> throw new IllegalArgumentException("no Agrona idle strategy stands for BLOCKING here");
        };
    }
}
