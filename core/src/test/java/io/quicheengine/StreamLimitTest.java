package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The peer's stream limit is a clear error or a wait, never a silent stall. */
class StreamLimitTest {

    @Test
    void beyondThePeersLimitOpeningFailsClearlyOrWaitsUntilItIsRaised() throws Exception {
        TransportSettings four = TransportSettings.builder().initialMaxStreamsBidi(4).build();
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, new EchoListener(), four, b -> { })) {
            QuicConnection connection = fixture.connect();
            List<QuicStream> streams = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                streams.add(connection.openBidirectionalStream());
            }
            assertThatThrownBy(connection::openBidirectionalStream)
                    .isInstanceOf(StreamLimitException.class).hasMessageContaining("the peer allows 4 bidirectional streams");
            assertThatThrownBy(() -> connection.openBidirectionalStream(Duration.ofMillis(200)))
                    .isInstanceOf(QuicTimeoutException.class).hasMessageContaining("stream limit");
            // Finishing streams lets the peer raise its limit (MAX_STREAMS): a waiting open then succeeds.
            for (int i = 0; i < streams.size(); i++) {
                EchoTest.echoOne(streams.get(i), 1000, i);
            }
            for (int round = 0; round < 3; round++) {
                QuicStream more = connection.openBidirectionalStream(Duration.ofSeconds(5));
                EchoTest.echoOne(more, 1000, 10 + round);
            }
            assertThat(fixture.errors()).isEmpty();
        }
    }
}
