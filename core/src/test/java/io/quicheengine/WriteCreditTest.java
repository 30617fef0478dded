package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The split credit counters (writers reserve with a CAS, the loop returns with release stores)
 * under real contention: several writer threads against one thread playing the loop, on a stream
 * of an engine core that has no loop of its own.
 */
class WriteCreditTest {
    private static final long STREAM_BOUND = 4096;
    private static final long CONNECTION_BOUND = 6000;

    @Test
    void creditInUseNeverPassesTheBoundsAndAllComesBack() throws Exception {
        EngineCore engine = new EngineCore(new EngineSettings("credit", WaitStrategy.BUSY_SPIN, WaitStrategy.BUSY_SPIN, null, null, 1024, 64,
                1 << 16, 4, STREAM_BOUND, CONNECTION_BOUND, 1 << 16, Duration.ofSeconds(1), Duration.ofSeconds(1),
                (connection, context, error) -> { }, true));
        try {
            ConnectionState connection = new ConnectionState(engine, true, null, null, null, "credit",
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 4433), TransportSettings.DEFAULTS);
            StreamState stream = new StreamState(connection, 0);
            ConcurrentLinkedQueue<Long> published = new ConcurrentLinkedQueue<>();
            AtomicLong accepted = new AtomicLong();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int writers = 3;
            int reservationsEach = 20_000;
            Thread[] threads = new Thread[writers];
            for (int w = 0; w < writers; w++) {
                threads[w] = new Thread(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    int done = 0;
                    while (done < reservationsEach && System.nanoTime() < deadline) {
                        int granted = stream.reserveCredit(1 + random.nextInt(700), STREAM_BOUND);
                        if (granted == 0) {
                            Thread.onSpinWait();
                            continue;
                        }
                        int giveBack = random.nextInt(4) == 0 ? random.nextInt(granted + 1) : 0; // as a failed claim does
                        if (giveBack > 0) {
                            stream.unreserveCredit(giveBack);
                        }
                        if (granted - giveBack > 0) {
                            accepted.addAndGet(granted - giveBack);
                            published.add((long) (granted - giveBack));
                        }
                        done++;
                    }
                }, "writer-" + w);
                threads[w].start();
            }
            long sent = 0;
            while (anyAlive(threads) || !published.isEmpty()) {
                assertThat(System.nanoTime()).as("writers and loop finish within 30 s").isLessThan(deadline);
                assertThat(stream.creditUsed()).as("stream credit in use").isBetween(0L, STREAM_BOUND);
                assertThat(connection.creditUsed()).as("connection credit in use").isBetween(0L, CONNECTION_BOUND);
                Long bytes = published.poll();
                if (bytes != null) {
                    stream.taken(bytes);
                    sent += bytes;
                }
            }
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            }
            assertThat(stream.creditUsed()).as("stream credit after the loop took everything").isZero();
            assertThat(connection.creditUsed()).as("connection credit after the loop took everything").isZero();
            assertThat(stream.bytesSent()).isEqualTo(sent);
            assertThat(stream.bytesAccepted()).isEqualTo(accepted.get()).isEqualTo(sent);
        } finally {
            engine.arena.close();
        }
    }

    private static boolean anyAlive(Thread[] threads) {
        for (Thread thread : threads) {
            if (thread.isAlive()) {
                return true;
            }
        }
        return false;
    }
}
