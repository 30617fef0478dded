package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Client and server in one JVM, real UDP on 127.0.0.1: every byte sent comes back, in order. */
class EchoTest {

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (WaitStrategy strategy : WaitStrategy.values()) {
            cases.add(Arguments.of(strategy, 1, 1024));
            cases.add(Arguments.of(strategy, 1, 4 << 20));
            cases.add(Arguments.of(strategy, 16, 256 * 1024));
            cases.add(Arguments.of(strategy, 256, 1024));
        }
        cases.add(Arguments.of(WaitStrategy.BUSY_SPIN, 1, 64 << 20));
        cases.add(Arguments.of(WaitStrategy.BLOCKING, 256, 64 * 1024));
        return cases;
    }

    @ParameterizedTest(name = "portable NIO sockets, {0}: {1} streams x {2} bytes")
    @MethodSource("portableCases")
    void portableSocketsEchoToo(WaitStrategy strategy, int streams, int bytesPerStream) throws Exception {
        TransportSettings transport = TransportSettings.builder().initialMaxStreamsBidi(Math.max(100, streams)).build();
        try (EngineFixture fixture = new EngineFixture(strategy, new EchoListener(), transport, b -> b.portableSockets(true))) {
            QuicConnection connection = fixture.connect();
            for (int i = 0; i < streams; i++) {
                echoOne(connection.openBidirectionalStream(Duration.ofSeconds(10)), bytesPerStream, i);
            }
            assertThat(fixture.errors()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(CongestionControl.class)
    void everyCongestionControllerEchoes(CongestionControl congestionControl) throws Exception {
        TransportSettings transport = TransportSettings.builder().congestionControl(congestionControl).build();
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, new EchoListener(), transport, b -> { })) {
            QuicConnection connection = fixture.connect();
            for (int i = 0; i < 4; i++) {
                echoOne(connection.openBidirectionalStream(Duration.ofSeconds(10)), 1 << 20, i);
            }
            assertThat(fixture.errors()).isEmpty();
        }
    }

    static List<Arguments> portableCases() {
        return List.of(Arguments.of(WaitStrategy.BLOCKING, 1, 4 << 20), Arguments.of(WaitStrategy.BACKOFF, 4, 256 * 1024));
    }

    @ParameterizedTest(name = "{0}: {1} streams x {2} bytes")
    @MethodSource("cases")
    void everyByteComesBackInOrder(WaitStrategy strategy, int streams, int bytesPerStream) throws Exception {
        TransportSettings transport = TransportSettings.builder().initialMaxStreamsBidi(Math.max(100, streams)).build();
        try (EngineFixture fixture = new EngineFixture(strategy, new EchoListener(), transport, b -> { })) {
            QuicConnection connection = fixture.connect();
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(streams, 8));
            try {
                List<Future<?>> results = new ArrayList<>();
                for (int i = 0; i < streams; i++) {
                    QuicStream stream = connection.openBidirectionalStream(Duration.ofSeconds(10));
                    long seed = i;
                    results.add(pool.submit(() -> {
                        echoOne(stream, bytesPerStream, seed);
                        return null;
                    }));
                }
                for (Future<?> result : results) {
                    result.get();
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(fixture.errors()).isEmpty();
        }
    }

    static void echoOne(QuicStream stream, int bytes, long seed) {
        byte[] data = new byte[bytes];
        new SplittableRandom(seed).nextBytes(data);
        CRC32 sent = new CRC32();
        sent.update(data);
        Thread writer = Thread.ofVirtual().start(() -> stream.write(data, 0, data.length, true, Duration.ofSeconds(60)));
        byte[] buffer = new byte[64 * 1024];
        CRC32 received = new CRC32();
        long total = 0;
        while (true) {
            int n = stream.read(buffer, 0, buffer.length, Duration.ofSeconds(60));
            if (n < 0) {
                break;
            }
            received.update(buffer, 0, n);
            total += n;
        }
        try {
            writer.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertThat(total).as("bytes echoed on stream %d", stream.id()).isEqualTo(bytes);
        assertThat(received.getValue()).as("checksum on stream %d", stream.id()).isEqualTo(sent.getValue());
    }
}
