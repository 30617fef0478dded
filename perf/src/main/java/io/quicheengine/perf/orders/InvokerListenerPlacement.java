package io.quicheengine.perf.orders;

import io.quicheengine.QuicConnection;
import io.quicheengine.QuicEngine;
import io.quicheengine.WaitStrategy;
import io.quicheengine.perf.engine.EngineTransport;
import java.net.InetSocketAddress;
import java.time.Duration;
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
        return InvokerPlacement.onOwnThread("orders-invoker-listener-app", spec, () -> drive(server, strategy, spec));
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
