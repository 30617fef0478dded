package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;

/** Agrona idle strategies in place of the {@link WaitStrategy} enum: who calls them, and that waits still end on time. */
class IdleStrategyTest {
    private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);

    /** Counts calls and remembers the calling threads, then idles as {@code delegate}. */
    private static final class Recording implements IdleStrategy {
        final Set<String> threads = ConcurrentHashMap.newKeySet();
        final AtomicLong idles = new AtomicLong();
        final AtomicLong resets = new AtomicLong();
        private final Runnable delegate;

        Recording(Runnable delegate) {
            this.delegate = delegate;
        }

        @Override
        public void idle(int workCount) {
            if (workCount > 0) {
                reset();
            } else {
                idle();
            }
        }

        @Override
        public void idle() {
            threads.add(Thread.currentThread().getName());
            idles.incrementAndGet();
            delegate.run();
        }

        @Override
        public void reset() {
            threads.add(Thread.currentThread().getName());
            resets.incrementAndGet();
        }
    }

    @Test
    void theLoopIdlesByTheApplicationsStrategyOnItsOwnThreadOnly() throws Exception {
        Recording serverIdle = new Recording(new BackoffIdleStrategy(10, 10, 1_000, 100_000)::idle);
        Recording clientIdle = new Recording(new BackoffIdleStrategy(10, 10, 1_000, 100_000)::idle);
        Recording[] next = {serverIdle, clientIdle};
        int[] built = {0};
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BLOCKING, new EchoListener(), TransportSettings.DEFAULTS,
                b -> b.loopIdleStrategy(next[built[0]++]))) {
            QuicConnection client = fixture.connect();
            QuicStream stream = client.openBidirectionalStream();
            byte[] request = new byte[10_000];
            stream.write(request, 0, request.length, true, FIVE_SECONDS);
            byte[] echoed = new byte[request.length + 1];
            int got = 0;
            while (got < request.length) {
                int n = stream.read(echoed, got, echoed.length - got, FIVE_SECONDS);
                assertThat(n).isPositive();
                got += n;
            }
            assertThat(fixture.errors()).isEmpty();
        }
        assertThat(serverIdle.threads).containsExactly("server-loop");
        assertThat(clientIdle.threads).containsExactly("client-loop");
        assertThat(serverIdle.idles.get()).isPositive();
        assertThat(clientIdle.idles.get()).isPositive();
        assertThat(clientIdle.resets.get()).as("reset after cycles that did work").isPositive();
    }

    @Test
    void anApplicationStrategyThatParksIsUnparkedWhenTheBytesArrive() throws Exception {
        // Parks far longer than the test allows: only the loop's unpark can end the read in time.
        Recording parkLong = new Recording(() -> LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(20)));
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, null, TransportSettings.DEFAULTS,
                b -> b.appIdleStrategy(parkLong))) {
            QuicConnection client = fixture.connect();
            QuicStream out = client.openBidirectionalStream();
            out.write(new byte[] {1}, 0, 1, false, FIVE_SECONDS);
            QuicStream in = fixture.server.accept(FIVE_SECONDS).acceptStream(FIVE_SECONDS);
            byte[] into = new byte[8];
            assertThat(in.read(into, 0, 8, FIVE_SECONDS)).isEqualTo(1);
            CompletableFuture<Long> waited = CompletableFuture.supplyAsync(() -> {
                long start = System.nanoTime();
                Thread.currentThread().setName("blocked-reader");
                int n = in.read(into, 0, 8, Duration.ofSeconds(60));
                assertThat(n).isEqualTo(1);
                return System.nanoTime() - start;
            }, r -> Thread.ofPlatform().start(r));
            Polling.until(() -> parkLong.threads.contains("blocked-reader"), FIVE_SECONDS, "the reader to idle");
            out.write(new byte[] {2}, 0, 1, false, FIVE_SECONDS);
            long nanos = waited.get(15, TimeUnit.SECONDS);
            assertThat(nanos).as("read ended by the loop's unpark, not the 20 s park").isLessThan(TimeUnit.SECONDS.toNanos(15));
            assertThat(into[0]).isEqualTo((byte) 2);
        }
    }

    @Test
    void badIdleStrategiesAreRefusedByName() {
        QuicEngine.Builder builder = QuicEngine.builder();
        assertThatThrownBy(() -> builder.loopIdleStrategy(null)).isInstanceOf(NullPointerException.class).hasMessage("loopIdleStrategy");
        assertThatThrownBy(() -> builder.appIdleStrategy(null)).isInstanceOf(NullPointerException.class).hasMessage("appIdleStrategy");
        assertThatThrownBy(() -> builder.appIdleStrategy(new BackoffIdleStrategy())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("appIdleStrategy must be safe to share").hasMessageContaining("WaitStrategy.BACKOFF");
    }
}
