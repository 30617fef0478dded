package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** quiche's timers fire on time even after the loop slept for a long while. */
class TimerTest {

    @Test
    void aCloseAfterALongIdleSleepStillDrainsPromptly() throws Exception {
        for (WaitStrategy strategy : new WaitStrategy[] {WaitStrategy.BLOCKING, WaitStrategy.BACKOFF}) {
            try (EngineFixture fixture = new EngineFixture(strategy, new EchoListener())) {
                QuicConnection connection = fixture.connect();
                EchoTest.echoOne(connection.openBidirectionalStream(), 1000, 1);
                Thread.sleep(2_500); // both loops sleep; their timer wheels must not fall behind the clock
                long start = System.nanoTime();
                connection.close(0, "done");
                connection.closeFuture().get(5, TimeUnit.SECONDS);
                Polling.until(() -> fixture.server.connectionCount() == 0, Duration.ofSeconds(5), "server side drained");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as(strategy + ": close to freed").isLessThan(Duration.ofSeconds(1));
            }
        }
    }
}
