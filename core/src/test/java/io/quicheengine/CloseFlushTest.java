package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.quicheengine.ffi.QuicheSendComplete;
import io.quicheengine.testing.TestCertificate;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 9 item 2: {@code write + finish + close} must deliver every accepted byte and the fin
 * before the CONNECTION_CLOSE, or report the loss. The number of runs per case is the system
 * property {@code quiche.test.closeRuns} (default 100).
 */
class CloseFlushTest {
    private static final int RUNS = Integer.getInteger("quiche.test.closeRuns", 100);
    private static final int BYTES = 4 << 20;

    /** What the server saw of one stream: its bytes (checked against the pattern) and whether the fin came. */
    record Received(long bytes, boolean fin, long firstWrongByteAt) {
    }

    /**
     * Reads every peer stream to its end, checking each byte against the pattern, then ends its own
     * direction (so quiche can drop the stream once both sides are done). A connection that closes
     * first reports what arrived. Loop thread only.
     */
    static final class CheckingSink implements QuicListener {
        final ConcurrentHashMap<Integer, CompletableFuture<Received>> results = new ConcurrentHashMap<>();
        private final byte[] scratch = new byte[64 * 1024];
        private final java.util.IdentityHashMap<QuicStream, long[]> progress = new java.util.IdentityHashMap<>();

        CompletableFuture<Received> result(int run) {
            return results.computeIfAbsent(run, r -> new CompletableFuture<>());
        }

        @Override
        public void onStreamReadable(QuicStream stream) {
            long[] seen = progress.computeIfAbsent(stream, s -> new long[] {0, -1, -1}); // bytes, run, first wrong byte
            while (true) {
                int n;
                try {
                    n = stream.read(scratch, 0, scratch.length);
                } catch (QuicException e) {
                    finish(stream, seen, false);
                    return;
                }
                if (n == 0) {
                    return;
                }
                if (n < 0) {
                    finish(stream, seen, true);
                    stream.offerFin();
                    return;
                }
                for (int i = 0; i < n; i++) {
                    long position = seen[0] + i;
                    if (position < 4) {
                        seen[1] = (seen[1] == -1 ? 0 : seen[1]) | ((long) (scratch[i] & 0xff) << (8 * position));
                    } else if (seen[2] < 0 && scratch[i] != pattern(position)) {
                        seen[2] = position;
                    }
                }
                seen[0] += n;
            }
        }

        @Override
        public void onConnectionClosed(QuicConnection connection, CloseReason reason) {
            progress.entrySet().removeIf(entry -> {
                if (entry.getKey().connection() == connection) {
                    finish(entry.getKey(), entry.getValue(), false);
                    return true;
                }
                return false;
            });
        }

        private void finish(QuicStream stream, long[] seen, boolean fin) {
            if (seen[1] >= 0) {
                result((int) seen[1]).complete(new Received(seen[0], fin, seen[2]));
            }
        }
    }

    static byte pattern(long position) {
        return (byte) (position * 31 + (position >>> 11));
    }

    /** The payload: the run number in the first four bytes (little-endian), then the pattern. */
    static byte[] payload(int run) {
        byte[] bytes = new byte[BYTES];
        for (int i = 4; i < BYTES; i++) {
            bytes[i] = pattern(i);
        }
        bytes[0] = (byte) run;
        bytes[1] = (byte) (run >>> 8);
        bytes[2] = (byte) (run >>> 16);
        bytes[3] = (byte) (run >>> 24);
        return bytes;
    }

    @Test
    void connectionCloseAfterWriteAndFinishDeliversEveryByteAndTheFin() throws Exception {
        CheckingSink sink = new CheckingSink();
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, sink)) {
            List<String> truncated = new ArrayList<>();
            long started = System.nanoTime();
            for (int run = 0; run < RUNS; run++) {
                QuicConnection connection = fixture.connect();
                QuicStream stream = connection.openBidirectionalStream();
                stream.write(payload(run), 0, BYTES, false, Duration.ofSeconds(10));
                stream.finish(Duration.ofSeconds(5));
                stream.finish(Duration.ofSeconds(5)); // a second finish is harmless
                connection.close();
                check(sink.result(run), run, truncated);
                assertThat(stream.finishFuture()).succeedsWithin(Duration.ofSeconds(5));
                assertThat(connection.closeFuture()).succeedsWithin(Duration.ofSeconds(5));
            }
            System.out.printf("connection.close(): %d of %d runs truncated in %d ms%n", truncated.size(), RUNS,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            assertThat(truncated).isEmpty();
            assertThat(fixture.errors()).isEmpty();
        }
    }

    @Test
    void engineCloseAfterWriteAndFinishDeliversEveryByteAndTheFin() throws Exception {
        CheckingSink sink = new CheckingSink();
        QuicEngine serverEngine = QuicEngine.builder().name("sink").build();
        List<Throwable> clientErrors = new java.util.concurrent.CopyOnWriteArrayList<>();
        try {
            QuicServer server = serverEngine.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    EngineFixture.serverConfig(TransportSettings.DEFAULTS), sink);
            ClientConfig config = ClientConfig.builder().alpn(EngineFixture.ALPN).caFile(TestCertificate.certificate())
                    .serverName("localhost").build();
            List<String> truncated = new ArrayList<>();
            long started = System.nanoTime();
            for (int run = 0; run < RUNS; run++) {
                QuicEngine client = QuicEngine.builder().name("client-" + run)
                        .errorHandler((c, context, error) -> clientErrors.add(new AssertionError(context, error))).build();
                QuicStream stream;
                try {
                    QuicConnection connection = client.connect(server.localAddress(), config).awaitHandshake(Duration.ofSeconds(10));
                    stream = connection.openBidirectionalStream();
                    stream.write(payload(run), 0, BYTES, false, Duration.ofSeconds(10));
                    stream.finish(Duration.ofSeconds(5));
                } finally {
                    client.close();
                }
                check(sink.result(run), run, truncated);
                assertThat(stream.finishFuture()).isCompleted();
            }
            System.out.printf("engine.close(): %d of %d runs truncated in %d ms%n", truncated.size(), RUNS,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            assertThat(truncated).isEmpty();
            assertThat(clientErrors).isEmpty();
        } finally {
            serverEngine.close();
        }
    }

    @Test
    void whenTheFlushTimeRunsOutTheCloseStillHappensAndTheLossIsReported() throws Exception {
        QuicListener neverReads = new QuicListener() { };
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, neverReads)) {
            QuicConnection connection = fixture.connect();
            QuicStream stream = connection.openUnidirectionalStream();
            // More than the peer's stream window (1 MiB) plus its read ring (256 KiB) can absorb.
            int length = 3 << 19;
            stream.write(new byte[length], 0, length, true, Duration.ofSeconds(10));
            long started = System.nanoTime();
            connection.close(5, "giving up", Duration.ofMillis(300));
            assertThat(connection.closeFuture().get(10, TimeUnit.SECONDS).errorCode()).isEqualTo(5);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(250L, 5_000L);
            assertThat(stream.finishFuture()).failsWithin(Duration.ofSeconds(1)).withThrowableThat()
                    .havingCause().isInstanceOf(ClosedException.class).withMessageContaining("streams " + stream.id());
            assertThat(fixture.errors()).singleElement().satisfies(error -> assertThat(error.getCause())
                    .hasMessageContaining("without the peer acknowledging everything accepted").hasMessageContaining("bytes not yet sent"));
        }
    }

    @Test
    void finishFutureCompletesOnceThePeerAcknowledgedAUnidirectionalStream() throws Exception {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, new EchoListener())) {
            QuicConnection connection = fixture.connect();
            QuicStream stream = connection.openUnidirectionalStream();
            stream.write(new byte[100_000], 0, 100_000, false, Duration.ofSeconds(5));
            assertThat(stream.finishFuture()).isNotDone();
            stream.finish(Duration.ofSeconds(5));
            assertThat(stream.finishFuture()).succeedsWithin(Duration.ofSeconds(5));
            assertThat(connection.isClosed()).isFalse();
            assertThat(fixture.errors()).isEmpty();
        }
    }

    /**
     * The peer acknowledged every byte and the fin but never ends its own side of the stream.
     * With the optimized libquiche (patch 0004, {@link QuicheSendComplete}) the engine sees the
     * acknowledgement itself: the close completes at once, well before its flush time, and the
     * finish future succeeds. Upstream quiche (the debug fallback) only forgets a stream once both
     * sides ended, so there the close waits its flush time and reports the fin unconfirmed.
     */
    @Test
    void aBidirectionalStreamWhosePeerNeverEndsItsSideClosesAsSoonAsTheFinIsAcknowledged() throws Exception {
        QuicListener readsButNeverFinishes = new QuicListener() {
            private final byte[] scratch = new byte[65536];

            @Override
            public void onStreamReadable(QuicStream stream) {
                while (stream.read(scratch, 0, scratch.length) > 0) {
                    // drained, never answered
                }
            }
        };
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, readsButNeverFinishes)) {
            QuicConnection connection = fixture.connect();
            QuicStream stream = connection.openBidirectionalStream();
            stream.write(new byte[10_000], 0, 10_000, true, Duration.ofSeconds(5));
            long started = System.nanoTime();
            long flushMillis = 3_000;
            assertThat(connection.closeGracefully(Duration.ofMillis(flushMillis))).succeedsWithin(Duration.ofSeconds(10));
            long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            System.out.printf("[CloseFlushTest] bidirectional stream, peer never ends its side: close took %d ms (flush time %d ms, %s)%n",
                    closeMillis, flushMillis, QuicheSendComplete.available() ? "exact acknowledgement" : "fallback inference");
            if (QuicheSendComplete.available()) {
                assertThat(closeMillis).as("closed on the acknowledgement, not at the flush time").isLessThan(flushMillis / 2);
                assertThat(stream.finishFuture()).succeedsWithin(Duration.ofSeconds(1));
                assertThat(fixture.errors()).isEmpty();
            } else {
                assertThat(closeMillis).isBetween(flushMillis - 50, flushMillis + 5_000);
                assertThat(stream.finishFuture()).failsWithin(Duration.ofSeconds(1)).withThrowableThat()
                        .havingCause().withMessageContaining("fin not acknowledged");
                assertThat(fixture.errors()).singleElement().satisfies(error -> assertThat(error.getCause())
                        .hasMessageContaining("streams " + stream.id() + " (fin not acknowledged)"));
            }
        }
    }

    /**
     * The engine's default close of a server holding a bidirectional stream the client never
     * finished: the server answered and finished its side, the client acknowledged it. The close
     * needs no flush wait and reports nothing (before patch 0004: one report per such connection,
     * after the whole flush time).
     */
    @Test
    void serverEngineCloseWithAStreamTheClientNeverFinishedReportsNothing() throws Exception {
        QuicListener answersAndFinishes = new QuicListener() {
            private final byte[] scratch = new byte[65536];
            private int seen;

            @Override
            public void onStreamReadable(QuicStream stream) {
                int n;
                while ((n = stream.read(scratch, 0, scratch.length)) > 0) {
                    seen += n;
                    if (seen == 100) {
                        assertThat(stream.offer(new byte[100], 0, 100, true)).isEqualTo(100); // answered and finished
                    }
                }
            }
        };
        EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, answersAndFinishes);
        try {
            QuicConnection connection = fixture.connect();
            QuicStream stream = connection.openBidirectionalStream();
            stream.write(new byte[100], 0, 100, false, Duration.ofSeconds(5)); // never finished
            byte[] answer = new byte[200];
            int total = 0;
            int n;
            while ((n = stream.read(answer, total, answer.length - total, Duration.ofSeconds(5))) >= 0) {
                total += n;
            }
            assertThat(total).as("the server's answer and its fin").isEqualTo(100);
            Thread.sleep(200); // the client's ACK of the server's fin reaches the server
            long started = System.nanoTime();
            fixture.serverEngine.close();
            long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            System.out.printf("[CloseFlushTest] server engine close, client never finished its stream: %d ms, %d reports%n",
                    closeMillis, fixture.errors().size());
            if (QuicheSendComplete.available()) {
                assertThat(fixture.errors()).isEmpty();
                assertThat(closeMillis).isLessThan(1_000);
            }
        } finally {
            fixture.close();
        }
    }

    @Test
    void finishFutureFailsWhenThisSideResetsTheStream() throws Exception {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, new QuicListener() { })) {
            QuicStream stream = fixture.connect().openBidirectionalStream();
            stream.write(new byte[1000], 0, 1000, false, Duration.ofSeconds(5));
            stream.reset(9);
            assertThat(stream.finishFuture()).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                    .havingCause().isInstanceOf(ClosedException.class).withMessageContaining("reset by this side");
        }
    }

    private static void check(CompletableFuture<Received> result, int run, List<String> truncated) throws Exception {
        Received received = result.get(20, TimeUnit.SECONDS);
        assertThat(received.firstWrongByteAt()).as("run %d: first byte off the pattern", run).isEqualTo(-1);
        if (received.bytes() != BYTES || !received.fin()) {
            truncated.add("run " + run + ": " + received);
        }
    }
}
