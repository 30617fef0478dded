package io.quicheengine.perf.orders;

import io.quicheengine.QuicConnection;
import io.quicheengine.QuicEngine;
import io.quicheengine.WaitStrategy;
import io.quicheengine.perf.engine.EngineTransport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.IdleStrategy;

/**
 * (d) Invoker mode with listeners: one application thread builds an invoker-mode client engine
 * and only runs {@code engine.doWork()} and an Agrona {@link IdleStrategy}; the order logic is
 * {@link ListenerPlacement}'s listener, called inside {@code doWork}, so each next order leaves in
 * the cycle that read the ack (with quiche's ACK in the same packet), as on a loop thread. The
 * only client thread.
 */
final class InvokerListenerPlacement implements Placement {
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(10);

    @Override
    public String label() {
        return "invoker-listener";
    }

    @Override
    public String description() {
        return "one application thread: engine.doWork() in invoker mode, the order logic in listener callbacks inside it, "
                + "Agrona IdleStrategy when idle; no client loop thread";
    }

    @Override
    public boolean supports(WaitStrategy strategy) {
        return strategy != WaitStrategy.BLOCKING;
    }

    @Override
    public RoundTrips run(InetSocketAddress server, WaitStrategy strategy, OrdersSpec spec) throws Exception {
        CompletableFuture<RoundTrips> result = new CompletableFuture<>();
        Thread app = new Thread(() -> {
            try {
                result.complete(drive(server, strategy, spec));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, "orders-invoker-listener-app");
        app.start();
        return result.get(spec.warmup().plus(spec.measure()).toSeconds() + 60, TimeUnit.SECONDS);
    }

    private static RoundTrips drive(InetSocketAddress server, WaitStrategy strategy, OrdersSpec spec) throws Exception {
        try (QuicEngine engine = QuicEngine.builder().name("orders-invoker-listener").invoker(true).loopWaitStrategy(strategy).build()) {
            ListenerPlacement.Client client = new ListenerPlacement.Client(spec);
            QuicConnection connection = engine.connect(server, EngineTransport.clientConfig(), client);
            IdleStrategy idle = InvokerPlacement.idleStrategy(strategy);
            long deadline = System.nanoTime() + spec.warmup().plus(spec.measure()).toNanos() + SETUP_TIMEOUT.toNanos() * 6;
            while (!client.result.isDone()) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("the run did not finish in time");
                }
                idle.idle(engine.doWork());
            }
            connection.close();
            return client.result.get();
        }
    }
}
