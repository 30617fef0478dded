package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** QUIC DATAGRAM frames (RFC 9221) through the engine: boundaries kept, both directions. */
class DatagramTest {
    private static final TransportSettings WITH_DATAGRAMS = TransportSettings.builder().datagrams(256).build();

    @Test
    void datagramsGoBothWaysWithTheirBoundaries() throws Exception {
        CompletableFuture<Void> serverSawThree = new CompletableFuture<>();
        List<String> serverGot = new ArrayList<>();
        QuicListener echo = new QuicListener() {
            @Override
            public void onDatagramsReadable(QuicConnection connection) {
                connection.pollDatagrams((buffer, index, length) -> {
                    serverGot.add(buffer.getStringWithoutLengthAscii(index, length));
                    byte[] copy = new byte[length];
                    buffer.getBytes(index, copy);
                    connection.offerDatagram(copy, 0, length);
                }, 100);
                if (serverGot.size() == 3) {
                    serverSawThree.complete(null);
                }
            }
        };
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, echo, WITH_DATAGRAMS, b -> { })) {
            QuicConnection connection = fixture.clientEngine.connect(fixture.server.localAddress(), fixture.clientConfig)
                    .awaitHandshake(Duration.ofSeconds(10));
            assertThat(connection.maxDatagramSize()).isGreaterThan(1000);
            for (String message : List.of("one", "two", "three")) {
                byte[] bytes = message.getBytes(StandardCharsets.US_ASCII);
                assertThat(connection.offerDatagram(bytes, 0, bytes.length)).isTrue();
            }
            serverSawThree.get(10, TimeUnit.SECONDS);
            assertThat(serverGot).containsExactlyInAnyOrder("one", "two", "three");
            List<String> echoed = new ArrayList<>();
            Polling.until(() -> {
                connection.pollDatagrams((buffer, index, length) -> echoed.add(buffer.getStringWithoutLengthAscii(index, length)), 10);
                return echoed.size() == 3;
            }, Duration.ofSeconds(10), "three echoed datagrams");
            assertThat(echoed).containsExactlyInAnyOrder("one", "two", "three");
            assertThat(connection.datagramStats().sent()).isEqualTo(3);
            assertThat(connection.datagramStats().received()).isEqualTo(3);
            byte[] tooBig = new byte[connection.maxDatagramSize() + 1];
            assertThatThrownBy(() -> connection.offerDatagram(tooBig, 0, tooBig.length))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("larger than");
        }
    }

    @Test
    void withoutDatagramsEnabledTheCallsSaySo() throws Exception {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, null)) {
            QuicConnection connection = fixture.connect();
            assertThatThrownBy(() -> connection.offerDatagram(new byte[1], 0, 1))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("datagrams(queueLength)");
            assertThatThrownBy(() -> connection.pollDatagrams((b, i, l) -> { }, 1))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("datagrams are off");
            assertThat(connection.maxDatagramSize()).isZero();
        }
    }
}
