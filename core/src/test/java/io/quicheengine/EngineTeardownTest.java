package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Teardown and failure of a whole engine, with real engines and threads: native memory is freed
 * once, by the loop thread after its duty cycle ended, never under a thread still using it; a
 * loop that dies fails everything waiting on it; control commands never wait behind a ring full
 * of data writes.
 */
class EngineTeardownTest {
    private static final Duration PROMPTLY = Duration.ofSeconds(2);

    @Test
    void closeFromAListenerCallbackFreesEverythingOnceTheLoopEnds() throws Exception {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, new EchoListener())) {
            QuicEngine engine = fixture.clientEngine;
            AtomicBoolean closedByCallback = new AtomicBoolean();
            QuicListener closer = new QuicListener() {
                @Override
                public void onStreamReadable(QuicStream stream) {
                    if (closedByCallback.compareAndSet(false, true)) {
                        engine.close(); // on the loop thread, with echoed bytes still unread in the stream's ring
                    }
                }
            };
            QuicConnection connection = engine.connect(fixture.server.localAddress(), fixture.clientConfig, closer)
                    .awaitHandshake(Duration.ofSeconds(10));
            connection.openBidirectionalStream().write(new byte[50_000], 0, 50_000, false, Duration.ofSeconds(5));
            Polling.until(engine::isClosed, Duration.ofSeconds(10), "the listener closed the engine");
            assertThat(closedByCallback).isTrue();
            Polling.until(() -> !loopThreadAlive(engine), Duration.ofSeconds(10), "the loop thread ended");
            EngineStats stats = engine.stats();
            assertThat(stats.nothingAllocated()).as("after a close from a listener callback: %s", stats).isTrue();
            assertThat(stats.commandSlotBytes()).isZero();
            assertThat(stats.readRingBytesAllocated()).isZero();
            assertThat(fixture.errors()).isEmpty();
        }
    }

    @Test
    void aCloseThatTimesOutLeavesTheFreeingToTheLoopInsteadOfFreeingUnderIt() throws Exception {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, new EchoListener(), TransportSettings.DEFAULTS,
                b -> b.closeTimeout(Duration.ZERO))) {
            QuicEngine engine = fixture.clientEngine;
            CountDownLatch inCallback = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean once = new AtomicBoolean();
            // Keeps the loop busy past close()'s wait (closeTimeout + 10 s), as a slow callback would.
            QuicListener slow = new QuicListener() {
                @Override
                public void onStreamReadable(QuicStream stream) {
                    if (once.compareAndSet(false, true)) {
                        inCallback.countDown();
                        try {
                            release.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            };
            QuicConnection connection = engine.connect(fixture.server.localAddress(), fixture.clientConfig, slow)
                    .awaitHandshake(Duration.ofSeconds(10));
            connection.openBidirectionalStream().write(new byte[1], 0, 1, true, Duration.ofSeconds(5));
            assertThat(inCallback.await(10, TimeUnit.SECONDS)).isTrue();
            long start = System.nanoTime();
            engine.close();
            System.out.println("close() gave up after " + (System.nanoTime() - start) / 1_000_000 + " ms");
            assertThat(loopThreadAlive(engine)).isTrue();
            EngineStats whileRunning = engine.stats();
            assertThat(whileRunning.commandSlotBytes()).as("nothing freed while the loop still runs: %s", whileRunning).isPositive();
            assertThat(fixture.errors()).anySatisfy(e -> assertThat(e).hasStackTraceContaining("did not stop"));
            release.countDown();
            Polling.until(() -> !loopThreadAlive(engine), Duration.ofSeconds(10), "the loop thread ended");
            assertThat(engine.stats().nothingAllocated()).as("freed by the loop as it ended: %s", engine.stats()).isTrue();
        }
    }

    @Test
    void aLoopKilledByAThrowableFailsEveryWaiterAndFutureWithTheCause() throws Exception {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, null);
             DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            QuicEngine engine = fixture.clientEngine;
            QuicConnection connection = fixture.connect();
            // A reader waiting for bytes the server never sends, a writer waiting for credit the server never returns.
            QuicStream readStream = connection.openBidirectionalStream();
            readStream.write(new byte[1], 0, 1, false, Duration.ofSeconds(5));
            CompletableFuture<Throwable> reader = failureOf(() -> readStream.read(new byte[16], 0, 16, Duration.ofSeconds(60)));
            QuicStream writeStream = connection.openBidirectionalStream();
            CompletableFuture<Throwable> writer = failureOf(() -> writeStream.write(new byte[64 << 20], 0, 64 << 20, false, Duration.ofSeconds(60)));
            Polling.until(() -> writeStream.stats().bytesWritten() >= 1 << 20, Duration.ofSeconds(10), "the writer filled its credit");
            // A handshake that never completes: nothing answers on this socket.
            QuicConnection pending = engine.connect((InetSocketAddress) silent.getLocalSocketAddress(), fixture.clientConfig);
            Thread.sleep(200);
            assertThat(reader).isNotDone();
            assertThat(writer).isNotDone();
            assertThat(pending.handshake()).isNotDone();

            // A real Throwable escaping the loop: a listener throwing an Error (the loop catches only RuntimeExceptions there).
            Error killer = new Error("test: a listener threw an Error");
            engine.connect(fixture.server.localAddress(), fixture.clientConfig, new QuicListener() {
                @Override
                public void onHandshakeComplete(QuicConnection c) {
                    throw killer;
                }
            });
            long start = System.nanoTime();
            assertThat(reader.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS)).isInstanceOf(ClosedException.class).hasRootCause(killer)
                    .hasMessageContaining(killer.getMessage());
            assertThat(writer.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS)).isInstanceOf(ClosedException.class).hasRootCause(killer)
                    .hasMessageContaining(killer.getMessage());
            assertThatThrownBy(() -> pending.handshake().get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS))
                    .isInstanceOf(ExecutionException.class).hasRootCause(killer);
            assertThatThrownBy(() -> connection.closeFuture().get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS))
                    .isInstanceOf(ExecutionException.class).hasRootCause(killer);
            long failedAfterMillis = (System.nanoTime() - start) / 1_000_000;
            System.out.println("waiters failed " + failedAfterMillis + " ms after the loop was killed");
            assertThat(engine.isClosed()).isTrue();

            // Every later call fails fast, naming the cause; none waits.
            long calls = System.nanoTime();
            assertThatThrownBy(() -> engine.connect(fixture.server.localAddress(), fixture.clientConfig))
                    .isInstanceOf(ClosedException.class).hasMessageContaining(killer.getMessage()).hasRootCause(killer);
            assertThatThrownBy(() -> connection.openBidirectionalStream(Duration.ofSeconds(30))).isInstanceOf(ClosedException.class)
                    .hasMessageContaining(killer.getMessage());
            assertThatThrownBy(() -> writeStream.reset(3)).isInstanceOf(ClosedException.class).hasMessageContaining(killer.getMessage());
            assertThatThrownBy(() -> readStream.read(new byte[16], 0, 16, Duration.ofSeconds(30))).isInstanceOf(ClosedException.class)
                    .hasMessageContaining(killer.getMessage());
            assertThatThrownBy(() -> writeStream.write(new byte[16], 0, 16, false, Duration.ofSeconds(30))).isInstanceOf(ClosedException.class)
                    .hasMessageContaining(killer.getMessage());
            assertThat(Duration.ofNanos(System.nanoTime() - calls)).isLessThan(Duration.ofMillis(500));

            // The dead loop still released what it held, once.
            Polling.until(() -> !loopThreadAlive(engine), Duration.ofSeconds(10), "the loop thread ended");
            assertThat(engine.stats().nothingAllocated()).as("%s", engine.stats()).isTrue();
            engine.close(); // harmless
            assertThat(fixture.errors()).anySatisfy(e -> assertThat(e).hasRootCause(killer));
        }
    }

    @Test
    void controlCallsAfterTheLoopDiedWithAFullRingFailAtOnceInsteadOfSpinning() throws Exception {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, new EchoListener(), TransportSettings.DEFAULTS,
                b -> b.commandRingSize(64))) {
            QuicEngine engine = fixture.clientEngine;
            CountDownLatch loopBlocked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean once = new AtomicBoolean();
            Error killer = new Error("test: a listener stalled the loop, then threw an Error");
            QuicListener staller = new QuicListener() {
                @Override
                public void onStreamReadable(QuicStream stream) {
                    if (once.compareAndSet(false, true)) {
                        loopBlocked.countDown();
                        try {
                            release.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        throw killer;
                    }
                }
            };
            QuicConnection connection = engine.connect(fixture.server.localAddress(), fixture.clientConfig, staller)
                    .awaitHandshake(Duration.ofSeconds(10));
            QuicStream other = connection.openBidirectionalStream();
            QuicStream bulk = connection.openBidirectionalStream();
            connection.openBidirectionalStream().write(new byte[1], 0, 1, true, Duration.ofSeconds(5));
            assertThat(loopBlocked.await(10, TimeUnit.SECONDS)).isTrue();
            int slots = 0;
            while (bulk.offer(new byte[4096], 0, 4096, false) > 0) {
                slots++;
            }
            assertThat(slots).as("slots filled while the loop stalled").isGreaterThanOrEqualTo(60);
            release.countDown();
            Polling.until(() -> !loopThreadAlive(engine), Duration.ofSeconds(10), "the loop thread died");

            CompletableFuture<Throwable> connect = failureOf(() -> engine.connect(fixture.server.localAddress(), fixture.clientConfig));
            CompletableFuture<Throwable> reset = failureOf(() -> other.reset(3));
            CompletableFuture<Throwable> stop = failureOf(() -> other.shutdownRead(4));
            for (CompletableFuture<Throwable> call : java.util.List.of(connect, reset, stop)) {
                assertThat(call.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS)).isInstanceOf(ClosedException.class).hasRootCause(killer);
            }
            assertThat(engine.isClosed()).isTrue();
        }
    }

    @Test
    void controlCommandsDoNotWaitBehindACommandRingFullOfWrites() throws Exception {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, new EchoListener(), TransportSettings.DEFAULTS,
                b -> b.commandRingSize(64))) {
            QuicEngine engine = fixture.clientEngine;
            CountDownLatch loopBlocked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean blockedOnce = new AtomicBoolean();
            // Stalls the client's loop once (bounded), so the command ring fills and stays full.
            QuicListener staller = new QuicListener() {
                @Override
                public void onStreamReadable(QuicStream stream) {
                    if (blockedOnce.compareAndSet(false, true)) {
                        loopBlocked.countDown();
                        try {
                            release.await(4, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            };
            QuicConnection connection = engine.connect(fixture.server.localAddress(), fixture.clientConfig, staller)
                    .awaitHandshake(Duration.ofSeconds(10));
            QuicStream trigger = connection.openBidirectionalStream();
            trigger.write(new byte[1], 0, 1, true, Duration.ofSeconds(5));
            assertThat(loopBlocked.await(10, TimeUnit.SECONDS)).isTrue();

            QuicStream bulk = connection.openBidirectionalStream();
            byte[] data = new byte[4096];
            int written = 0;
            while (true) {
                for (int i = 0; i < data.length; i++) {
                    data[i] = (byte) ((written + i) % 251);
                }
                int n = bulk.offer(data, 0, data.length, false);
                if (n == 0) {
                    break;
                }
                written += n;
            }
            assertThat(written).as("bytes in the full ring").isGreaterThanOrEqualTo(60 * 4096);
            int inRing = written;

            long start = System.nanoTime();
            QuicStream opened = connection.openBidirectionalStream();
            QuicStream toReset = connection.openBidirectionalStream();
            toReset.reset(7);
            toReset.shutdownRead(5);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.println("four control commands behind a full ring (loop stalled) took " + took.toNanos() / 1000 + " us");
            assertThat(took).as("control commands must not wait for ring space").isLessThan(Duration.ofMillis(500));
            release.countDown();

            // They took effect, in order with the writes: the bulk bytes reach the server and the opened stream works.
            opened.write(new byte[] {42}, 0, 1, true, Duration.ofSeconds(5));
            byte[] echo = new byte[1];
            assertThat(opened.read(echo, 0, 1, Duration.ofSeconds(10))).isEqualTo(1);
            assertThat(echo[0]).isEqualTo((byte) 42);
            bulk.finish(Duration.ofSeconds(5));
            byte[] back = new byte[64 * 1024];
            int echoed = 0;
            int wrong = 0;
            for (int n; (n = bulk.read(back, 0, back.length, Duration.ofSeconds(10))) >= 0; echoed += n) {
                for (int i = 0; i < n; i++) {
                    if (back[i] != (byte) ((echoed + i) % 251)) {
                        wrong++;
                    }
                }
            }
            assertThat(echoed).as("bulk bytes echoed").isEqualTo(inRing);
            assertThat(wrong).as("echoed bytes out of order").isZero();
            assertThat(toReset.isWriteClosed()).isTrue();
            assertThat(fixture.errors()).isEmpty();
        }
    }

    @Test
    void aReaderHoldingARingWhileTheEngineClosesKeepsValidMemoryUntilItLetsGo() throws Exception {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, new EchoListener())) {
            QuicEngine engine = fixture.clientEngine;
            HeldRead held = holdRingDuringClose(fixture, 1_500);
            assertThat(held.corrupted).as("bytes read from the ring after the engine began closing").isZero();
            assertThat(held.ringBytesWhileHeld).as("read ring memory while the reader held it").isPositive();
            assertThat(held.closeMillis).as("close waited for the reader").isGreaterThanOrEqualTo(1_000);
            EngineStats stats = engine.stats();
            assertThat(stats.nothingAllocated()).as("freed once the reader let go: %s", stats).isTrue();
            assertThat(fixture.errors()).isEmpty();
        }
    }

    @Test
    void aReaderHoldingARingPastTheDeadlineLeaksItAndSaysSoRatherThanFreeingIt() throws Exception {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, new EchoListener())) {
            QuicEngine engine = fixture.clientEngine;
            HeldRead held = holdRingDuringClose(fixture, 4_000);
            assertThat(held.corrupted).isZero();
            assertThat(held.ringBytesWhileHeld).isPositive();
            assertThat(engine.stats().readRingBytesAllocated()).as("leaked, still counted").isPositive();
            assertThat(engine.stats().nothingAllocated()).isFalse();
            assertThat(fixture.errors()).anySatisfy(e -> assertThat(e).hasStackTraceContaining("leaks its native buffers")
                    .hasStackTraceContaining("a reader kept its read ring's lease"));
        }
    }

    /** What a reader saw while it held a ring's lease across the engine's close. */
    private record HeldRead(long corrupted, long ringBytesWhileHeld, long closeMillis) {
    }

    /**
     * Echoes a known pattern into a stream's ring, then holds the ring inside {@code poll} for
     * {@code holdMillis} while another thread closes the engine, and checks the bytes the reader
     * reads from the ring after that (freed memory would crash the JVM or read back wrong).
     */
    private static HeldRead holdRingDuringClose(EngineFixture fixture, long holdMillis) throws Exception {
        QuicEngine engine = fixture.clientEngine;
        QuicConnection connection = fixture.connect();
        QuicStream stream = connection.openBidirectionalStream();
        int size = 100_000;
        byte[] pattern = new byte[size];
        for (int i = 0; i < size; i++) {
            pattern[i] = (byte) (i % 251);
        }
        stream.write(pattern, 0, size, false, Duration.ofSeconds(5));
        Polling.until(() -> stream.stats().bytesReceived() == size, Duration.ofSeconds(10), "the echo arrived");
        CountDownLatch holding = new CountDownLatch(1);
        long[] result = new long[2];
        AtomicReference<Throwable> readerFailure = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                stream.poll((buffer, index, length) -> {
                    holding.countDown();
                    sleep(holdMillis);
                    result[1] = engine.stats().readRingBytesAllocated();
                    long wrong = 0;
                    for (int i = 0; i < length; i++) {
                        if (buffer.getByte(index + i) != pattern[i]) {
                            wrong++;
                        }
                    }
                    result[0] = wrong;
                }, 1);
            } catch (Throwable t) {
                readerFailure.set(t);
            }
        });
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        long start = System.nanoTime();
        engine.close();
        long closeMillis = (System.nanoTime() - start) / 1_000_000;
        reader.join(10_000);
        assertThat(reader.isAlive()).isFalse();
        assertThat(readerFailure.get()).isNull();
        System.out.println("reader held the ring " + holdMillis + " ms; close took " + closeMillis + " ms; " + engine.stats());
        return new HeldRead(result[0], result[1], closeMillis);
    }

    private static CompletableFuture<Throwable> failureOf(Runnable call) {
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                call.run();
                failure.complete(null);
            } catch (Throwable t) {
                failure.complete(t);
            }
        });
        return failure;
    }

    private static boolean loopThreadAlive(QuicEngine engine) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.threadId() == engine.loopThreadId() && t.isAlive());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
