package io.quicheengine.perf.orders;

import static org.assertj.core.api.Assertions.assertThat;

import io.quicheengine.WaitStrategy;
import io.quicheengine.perf.report.LatencyRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every placement exchanges orders and acks with a real order server on 127.0.0.1 and measures something. */
class OrdersPlacementsTest {
    private static final OrdersSpec SPEC = new OrdersSpec(Duration.ofMillis(100), Duration.ofMillis(300));

    @Test
    void everyPlacementMeasuresRoundTripsAndTheTableListsThem() throws Exception {
        List<OrdersMain.Row> rows = new ArrayList<>();
        for (Placement placement : List.of(new InvokerPlacement(), new InvokerListenerPlacement(), new ListenerPlacement(), new AppThreadPlacement())) {
            WaitStrategy strategy = WaitStrategy.BACKOFF;
            try (OrderServer server = new OrderServer(strategy)) {
                RoundTrips trips = placement.run(server.address(), strategy, SPEC);
                assertThat(trips.nanos().getTotalCount()).as(placement.label()).isPositive();
                assertThat(trips.perSecond()).as(placement.label()).isPositive();
                rows.add(new OrdersMain.Row(placement.label(), "backoff",
                        LatencyRow.of("engine", placement.label(), "backoff", "one JVM", 64, 0, trips.nanos()), trips.perSecond()));
            }
        }
        assertThat(OrdersMain.table(rows)).contains("| invoker | backoff |", "| invoker-listener | backoff |", "| loop-listener | backoff |", "| app-thread | backoff |");
    }

    @Test
    void theAppThreadWaitsInTheBlockingReadWithBlocking() throws Exception {
        try (OrderServer server = new OrderServer(WaitStrategy.BLOCKING)) {
            RoundTrips trips = new AppThreadPlacement().run(server.address(), WaitStrategy.BLOCKING, SPEC);
            assertThat(trips.nanos().getTotalCount()).isPositive();
        }
        assertThat(new InvokerPlacement().supports(WaitStrategy.BLOCKING)).isFalse();
    }
}
