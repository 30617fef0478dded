package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quicheengine.ffi.QuicheConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Invoker mode: an engine without a loop thread, driven by {@link QuicEngine#doWork()} on the
 * thread that built it, against a normal engine on 127.0.0.1 in both roles. The suite runs with
 * quiche call checks on, so every quiche call the owner makes is checked to come from it.
 */
class InvokerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final TransportSettings TRANSPORT = TransportSettings.builder().initialMaxStreamsBidi(200).datagrams(256).build();

    private final List<Throwable> errors = new CopyOnWriteArrayList<>();

    private QuicEngine.Builder engine(String name) {
        return QuicEngine.builder().name(name).closeTimeout(Duration.ofSeconds(1))
                .errorHandler((connection, context, error) -> errors.add(new AssertionError(context, error)));
    }

    private static ClientConfig clientConfig() {
        return ClientConfig.builder().alpn(EngineFixture.ALPN).caFile(io.quicheengine.testing.TestCertificate.certificate()).serverName("localhost")
                .transport(TRANSPORT).build();
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    @Test
    void invokerClientEchoesWithBlockingCallsThatDriveTheEngine() {
        try (QuicEngine server = engine("server").build()) {
            QuicServer bound = server.bind(loopback(), EngineFixture.serverConfig(TRANSPORT), new EchoListener());
            QuicEngine client = engine("invoker-client").invoker(true).build();
            assertThat(client.isInvoker()).isTrue();
            QuicConnection connection = client.connect(bound.localAddress(), clientConfig()).awaitHandshake(TIMEOUT);
            for (int i = 0; i < 4; i++) {
                // 300 KB per stream: more than quiche takes at once, so the owner's writes queue and wait for credit too.
                EchoTest.echoOne(connection.openBidirectionalStream(TIMEOUT), 300_000, i);
            }
            client.close();
            assertThat(client.isClosed()).isTrue();
            assertThat(client.stats().nothingAllocated()).as("the owner's close ran the shutdown to its end").isTrue();
            assertThat(client.doWork()).isZero();
        }
        assertThat(errors).isEmpty();
    }

    /** accept(Duration) and acceptStream(Duration) on the owner run duty cycles while they wait, or nothing would arrive. */
    @Test
    void timedAcceptsOnTheOwnerDriveTheEngine() {
        try (QuicEngine clientEngine = engine("client").build(); QuicEngine server = engine("invoker-server").invoker(true).build()) {
            QuicServer bound = server.bind(loopback(), EngineFixture.serverConfig(TRANSPORT), null);
            assertThat(bound.accept(Duration.ofMillis(20))).as("nothing connected yet").isNull();
            CompletableFuture<QuicConnection> connecting = CompletableFuture.supplyAsync(() -> {
                QuicConnection c = clientEngine.connect(bound.localAddress(), clientConfig()).awaitHandshake(TIMEOUT);
                QuicStream stream = c.openBidirectionalStream(TIMEOUT);
                stream.write("order".getBytes(StandardCharsets.US_ASCII), 0, 5, true, TIMEOUT);
                return c;
            });
            QuicConnection accepted = bound.accept(TIMEOUT);
            assertThat(accepted).as("accepted while the owner's accept drove the handshake").isNotNull();
            QuicStream stream = accepted.acceptStream(TIMEOUT);
            assertThat(stream).as("the client's stream, accepted on the owner").isNotNull();
            byte[] got = new byte[5];
            assertThat(stream.read(got, 0, 5, TIMEOUT)).isEqualTo(5);
            assertThat(new String(got, StandardCharsets.US_ASCII)).isEqualTo("order");
            connecting.join().close();
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void manyStreamsOfferedAndPolledInTheOwnersDutyCycleComeBackInOrder() {
        try (QuicEngine server = engine("server").build()) {
            QuicServer bound = server.bind(loopback(), EngineFixture.serverConfig(TRANSPORT), new EchoListener());
            try (QuicEngine client = engine("invoker-client").invoker(true).build()) {
                QuicConnection connection = client.connect(bound.localAddress(), clientConfig()).awaitHandshake(TIMEOUT);
                int streams = 100;
                int messages = 20;
                QuicStream[] open = new QuicStream[streams];
                ByteCollector[] echoed = new ByteCollector[streams];
                byte[][] sent = new byte[streams][];
                for (int s = 0; s < streams; s++) {
                    open[s] = connection.openBidirectionalStream();
                    echoed[s] = new ByteCollector();
                    sent[s] = new byte[messages * 100];
                    new SplittableRandom(s).nextBytes(sent[s]);
                }
                // Interleave small offers across streams with duty cycles: some go straight to quiche,
                // some (behind a queued command) through the ring; the echo proves the order either way.
                for (int m = 0; m < messages; m++) {
                    for (int s = 0; s < streams; s++) {
                        int offset = m * 100;
                        int done = 0;
                        long deadline = System.nanoTime() + TIMEOUT.toNanos();
                        while (done < 100) {
                            done += open[s].offer(sent[s], offset + done, 100 - done, false);
                            if (done < 100) {
                                client.doWork();
                                assertThat(System.nanoTime() - deadline).as("credit to offer").isNegative();
                            }
                        }
                    }
                    client.doWork();
                }
                for (QuicStream stream : open) {
                    assertThat(stream.offerFin()).isTrue();
                }
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                int finished = 0;
                while (finished < streams) {
                    client.doWork();
                    finished = 0;
                    for (int s = 0; s < streams; s++) {
                        if (echoed[s].drain(open[s])) {
                            finished++;
                        }
                    }
                    assertThat(System.nanoTime() - deadline).as("all %d streams echoed", streams).isNegative();
                }
                for (int s = 0; s < streams; s++) {
                    assertThat(echoed[s].bytes()).as("stream %d", s).isEqualTo(sent[s]);
                }
            }
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void anOwnerWriteWithNothingQueuedGoesStraightToQuicheAndOneBehindACommandTakesTheRing() {
        try (QuicEngine server = engine("server").build()) {
            QuicServer bound = server.bind(loopback(), EngineFixture.serverConfig(TRANSPORT), new EchoListener());
            try (QuicEngine client = engine("invoker-client").invoker(true).build()) {
                QuicConnection connection = client.connect(bound.localAddress(), clientConfig()).awaitHandshake(TIMEOUT);
                io.quicheengine.internal.buffers.CommandRing<Command> ring = connection.state().engine.commands;
                QuicStream stream = connection.openBidirectionalStream(); // queues STREAM_OPENED: a command ahead
                long cursor = ring.cursor();
                assertThat(stream.offer(new byte[] {1, 2}, 0, 2, false)).isEqualTo(2);
                assertThat(ring.cursor()).as("behind the queued open: through the ring").isEqualTo(cursor + 1);
                client.doWork();
                assertThat(stream.offer(new byte[] {3, 4}, 0, 2, true)).isEqualTo(2);
                assertThat(ring.cursor()).as("nothing queued: straight to quiche").isEqualTo(cursor + 1);
                byte[] echoed = new byte[4];
                int n = 0;
                while (n < 4) {
                    n += stream.read(echoed, n, 4 - n, TIMEOUT);
                }
                assertThat(echoed).containsExactly(1, 2, 3, 4);
            }
        }
        assertThat(errors).isEmpty();
    }

    /** The owner's direct writes take every buffer kind at its own offset: heap and direct ByteBuffers, on- and off-heap DirectBuffers. */
    @Test
    void ownerWritesFromEveryBufferKindArriveWhole() {
        try (QuicEngine server = engine("server").build()) {
            QuicServer bound = server.bind(loopback(), EngineFixture.serverConfig(TRANSPORT), new EchoListener());
            try (QuicEngine client = engine("invoker-client").invoker(true).build()) {
                QuicConnection connection = client.connect(bound.localAddress(), clientConfig()).awaitHandshake(TIMEOUT);
                QuicStream stream = connection.openBidirectionalStream();
                client.doWork(); // the open leaves the ring: the writes below go straight to quiche
                java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
                java.nio.ByteBuffer heap = java.nio.ByteBuffer.allocate(40);
                java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(40);
                org.agrona.concurrent.UnsafeBuffer onHeap = new org.agrona.concurrent.UnsafeBuffer(new byte[40]);
                org.agrona.concurrent.UnsafeBuffer offHeap = new org.agrona.concurrent.UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(40));
                for (int i = 0; i < 40; i++) {
                    heap.put(i, (byte) i);
                    direct.put(i, (byte) (40 + i));
                    onHeap.putByte(i, (byte) (80 + i));
                    offHeap.putByte(i, (byte) (120 + i));
                }
                heap.position(5).limit(25);       // bytes 5..24
                direct.position(10).limit(40);    // bytes 50..79
                long cursor = connection.state().engine.commands.cursor();
                assertThat(stream.offer(heap, false)).isEqualTo(20);
                assertThat(stream.offer(direct, false)).isEqualTo(30);
                assertThat(stream.offer(onHeap, 3, 7, false)).isEqualTo(7);
                assertThat(stream.offerMessage(offHeap, 30, 10, true)).isTrue();
                assertThat(connection.state().engine.commands.cursor()).as("all four went straight to quiche").isEqualTo(cursor);
                for (int i = 5; i < 25; i++) {
                    expected.write(i);
                }
                for (int i = 10; i < 40; i++) {
                    expected.write(40 + i);
                }
                for (int i = 3; i < 10; i++) {
                    expected.write(80 + i);
                }
                for (int i = 30; i < 40; i++) {
                    expected.write(120 + i);
                }
                byte[] want = expected.toByteArray();
                byte[] got = new byte[want.length];
                int n = 0;
                while (n < got.length) {
                    n += stream.read(got, n, got.length - n, TIMEOUT);
                }
                assertThat(got).isEqualTo(want);
            }
        }
        assertThat(errors).isEmpty();
    }

    /** Echoed bytes gathered by the owner's polls without allocating (a handler made once). */
    private static final class EchoCount {
        long bytes;
        final FragmentHandler handler = (buffer, index, length) -> bytes += length;
    }

    @Test
    void theOwnersDutyCycleAndDirectWritesAllocateNothingInSteadyState() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        int warmUp = 2_000;
        int window = 1_000;
        int windows = 4;
        try (QuicEngine server = engine("server").build()) {
            QuicServer bound = server.bind(loopback(), EngineFixture.serverConfig(TRANSPORT), new EchoListener());
            try (QuicEngine client = engine("invoker-client").invoker(true).build()) {
                QuicConnection connection = client.connect(bound.localAddress(), clientConfig()).awaitHandshake(TIMEOUT);
                QuicStream stream = connection.openBidirectionalStream();
                byte[] message = new byte[64];
                EchoCount echoed = new EchoCount();
                long[] perWindow = new long[windows];
                long deadline = System.nanoTime() + 60_000_000_000L;
                long mark = 0;
                for (int round = 0; round < warmUp + window * windows; round++) {
                    if (round >= warmUp && (round - warmUp) % window == 0) {
                        long now = threads.getCurrentThreadAllocatedBytes();
                        if (round > warmUp) {
                            perWindow[(round - warmUp) / window - 1] = now - mark;
                        }
                        mark = threads.getCurrentThreadAllocatedBytes();
                    }
                    while (stream.offer(message, 0, message.length, false) == 0) {
                        client.doWork();
                    }
                    long expected = (long) (round + 1) * message.length;
                    while (echoed.bytes < expected) {
                        if (client.doWork() == 0) {
                            Thread.yield(); // a busy machine: let the server's loop run
                        }
                        stream.poll(echoed.handler, 16);
                        if (System.nanoTime() - deadline >= 0) {
                            throw new AssertionError("round trip " + round + " did not complete in 60 s");
                        }
                    }
                }
                perWindow[windows - 1] = threads.getCurrentThreadAllocatedBytes() - mark;
                System.out.println("invoker owner: bytes allocated per " + window + " round trips: " + Arrays.toString(perWindow));
                // One-time JIT and method-handle work can land in any window on a busy machine: hold the best one to the bound.
                assertThat(Arrays.stream(perWindow).min().orElseThrow()).as("bytes per %d round trips, best window", window).isLessThan(window);
            }
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void invokerClientSendsAndReceivesDatagrams() {
        QuicListener echo = new QuicListener() {
            @Override
            public void onDatagramsReadable(QuicConnection connection) {
                connection.pollDatagrams((buffer, index, length) -> {
                    byte[] copy = new byte[length];
                    buffer.getBytes(index, copy);
                    connection.offerDatagram(copy, 0, length);
                }, 100);
            }
        };
        try (QuicEngine server = engine("server").build()) {
            QuicServer bound = server.bind(loopback(), EngineFixture.serverConfig(TRANSPORT), echo);
            try (QuicEngine client = engine("invoker-client").invoker(true).build()) {
                QuicConnection connection = client.connect(bound.localAddress(), clientConfig()).awaitHandshake(TIMEOUT);
                List<String> got = new ArrayList<>();
                for (String message : List.of("one", "two", "three")) {
                    byte[] bytes = message.getBytes(StandardCharsets.US_ASCII);
                    assertThat(connection.awaitDatagramCredit(TIMEOUT)).isTrue();
                    assertThat(connection.offerDatagram(bytes, 0, bytes.length)).isTrue();
                }
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (got.size() < 3) {
                    client.doWork();
                    connection.pollDatagrams((buffer, index, length) -> got.add(buffer.getStringWithoutLengthAscii(index, length)), 10);
                    assertThat(System.nanoTime() - deadline).as("three echoed datagrams").isNegative();
                }
                assertThat(got).containsExactlyInAnyOrder("one", "two", "three");
            }
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void invokerServerServesANormalClientAndItsOwnerClosesIt() throws Exception {
        QuicListener echoAll = new EchoListener() {
            @Override
            public void onDatagramsReadable(QuicConnection connection) {
                connection.pollDatagrams((buffer, index, length) -> {
                    byte[] copy = new byte[length];
                    buffer.getBytes(index, copy);
                    connection.offerDatagram(copy, 0, length);
                }, 100);
            }
        };
        try (OwnerThread<QuicServer> owner = new OwnerThread<>("invoker-server",
                engine -> engine.bind(loopback(), EngineFixture.serverConfig(TRANSPORT), echoAll));
             QuicEngine client = engine("client").build()) {
            QuicServer bound = owner.started.get(10, TimeUnit.SECONDS);
            QuicConnection connection = client.connect(bound.localAddress(), clientConfig()).awaitHandshake(TIMEOUT);
            for (int i = 0; i < 8; i++) {
                EchoTest.echoOne(connection.openBidirectionalStream(TIMEOUT), 100_000, i);
            }
            for (int i = 0; i < 100; i++) {
                EchoTest.echoOne(connection.openBidirectionalStream(TIMEOUT), 1_000, 100 + i);
            }
            byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
            assertThat(connection.offerDatagram(ping, 0, ping.length)).isTrue();
            List<String> echoed = new ArrayList<>();
            Polling.until(() -> {
                connection.pollDatagrams((buffer, index, length) -> echoed.add(buffer.getStringWithoutLengthAscii(index, length)), 10);
                return !echoed.isEmpty();
            }, TIMEOUT, "the datagram echoed by the invoker server");
            assertThat(echoed).containsExactly("ping");
            owner.closeEngine().get(10, TimeUnit.SECONDS);
            assertThat(owner.engine.isClosed()).isTrue();
            assertThat(owner.engine.stats().nothingAllocated()).isTrue();
            assertThat(connection.closeFuture().get(10, TimeUnit.SECONDS).toString()).as("the client saw the server close").isNotEmpty();
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void closeFromAnotherThreadReturnsOnceTheOwnersDutyCyclesFinishedIt() throws Exception {
        try (OwnerThread<QuicServer> owner = new OwnerThread<>("invoker-server",
                engine -> engine.bind(loopback(), EngineFixture.serverConfig(TRANSPORT), new EchoListener()));
             QuicEngine client = engine("client").build()) {
            QuicServer bound = owner.started.get(10, TimeUnit.SECONDS);
            QuicConnection connection = client.connect(bound.localAddress(), clientConfig()).awaitHandshake(TIMEOUT);
            EchoTest.echoOne(connection.openBidirectionalStream(TIMEOUT), 10_000, 1);
            owner.engine.close(); // this thread is not the owner: it waits while the owner's doWork runs the close
            assertThat(owner.engine.isClosed()).isTrue();
            assertThat(owner.engine.stats().nothingAllocated()).isTrue();
            assertThat(connection.closeFuture().get(10, TimeUnit.SECONDS)).isNotNull();
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void doWorkFromAnotherThreadOrOnALoopThreadEngineFailsClearly() throws Exception {
        try (QuicEngine invoker = engine("owned").invoker(true).build(); QuicEngine threaded = engine("threaded").build()) {
            AtomicReference<Throwable> foreign = new AtomicReference<>();
            Thread other = new Thread(() -> {
                try {
                    invoker.doWork();
                } catch (Throwable t) {
                    foreign.set(t);
                }
            }, "not-the-owner");
            other.start();
            other.join(10_000);
            assertThat(foreign.get()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not-the-owner").hasMessageContaining("owned by thread '" + Thread.currentThread().getName() + "'");
            assertThatThrownBy(threaded::doWork).isInstanceOf(IllegalStateException.class).hasMessageContaining("invoker(true)");
            assertThat(invoker.doWork()).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void callChecksAcceptTheOwnerAndRefuseEveryoneElse() throws Exception {
        try (QuicEngine invoker = engine("owned").invoker(true).build()) {
            // The owner may call quiche (here: make and free a config directly); another thread may not.
            QuicheConfig.free(QuicheConfig.newConfig(1));
            AtomicReference<Throwable> foreign = new AtomicReference<>();
            Thread other = new Thread(() -> {
                try {
                    QuicheConfig.newConfig(1);
                } catch (Throwable t) {
                    foreign.set(t);
                }
            }, "not-the-owner");
            other.start();
            other.join(10_000);
            assertThat(foreign.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("quiche_config_new")
                    .hasMessageContaining("owner of an invoker-mode engine");
            invoker.doWork();
        }
        assertThatThrownBy(() -> QuicheConfig.newConfig(1)).as("the owner's right ends with its engine")
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aBlockingReadInsideTheOwnersListenerCallbackFailsFast() {
        AtomicReference<Throwable> inCallback = new AtomicReference<>();
        QuicListener blocking = new QuicListener() {
            @Override
            public void onStreamReadable(QuicStream stream) {
                try {
                    stream.read(new byte[10], 0, 10, Duration.ofSeconds(1));
                } catch (Throwable t) {
                    inCallback.compareAndSet(null, t);
                }
            }
        };
        try (QuicEngine server = engine("server").build()) {
            QuicServer bound = server.bind(loopback(), EngineFixture.serverConfig(TRANSPORT), new EchoListener());
            try (QuicEngine client = engine("invoker-client").invoker(true).build()) {
                QuicConnection connection = client.connect(bound.localAddress(), clientConfig(), blocking).awaitHandshake(TIMEOUT);
                QuicStream stream = connection.openBidirectionalStream();
                stream.write(new byte[] {1, 2, 3}, 0, 3, true, TIMEOUT);
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (inCallback.get() == null) {
                    client.doWork();
                    assertThat(System.nanoTime() - deadline).as("the echo to arrive").isNegative();
                }
                assertThat(inCallback.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("would wait for itself");
            }
        }
    }

    /** Collects one stream's bytes from polls in the owner's duty cycle. */
    private static final class ByteCollector {
        private byte[] bytes = new byte[0];
        private boolean ended;

        /** Polls what arrived; true once the stream ended. */
        boolean drain(QuicStream stream) {
            if (ended) {
                return true;
            }
            int n;
            while ((n = stream.poll((buffer, index, length) -> {
                int old = bytes.length;
                bytes = Arrays.copyOf(bytes, old + length);
                buffer.getBytes(index, bytes, old, length);
            }, 16)) > 0) {
                // keep polling
            }
            ended = n < 0;
            return ended;
        }

        byte[] bytes() {
            return bytes;
        }
    }

    /** A thread that builds an invoker engine, sets it up, and drives it until told to close it. */
    private final class OwnerThread<T> implements AutoCloseable {
        final CompletableFuture<T> started = new CompletableFuture<>();
        private final CompletableFuture<Void> closed = new CompletableFuture<>();
        private volatile boolean closeRequested;
        volatile QuicEngine engine;
        private final Thread thread;

        OwnerThread(String name, Function<QuicEngine, T> setUp) {
            thread = new Thread(() -> {
                try {
                    QuicEngine owned = engine(name).invoker(true).build();
                    engine = owned;
                    started.complete(setUp.apply(owned));
                    while (!closeRequested) {
                        if (owned.doWork() == 0) {
                            Thread.onSpinWait();
                        }
                    }
                    owned.close();
                    closed.complete(null);
                } catch (Throwable t) {
                    started.completeExceptionally(t);
                    closed.completeExceptionally(t);
                }
            }, name + "-owner");
            thread.start();
        }

        /** Asks the owner to close its engine; completes once close() returned there. */
        CompletableFuture<Void> closeEngine() {
            closeRequested = true;
            return closed;
        }

        @Override
        public void close() {
            closeRequested = true;
            try {
                thread.join(20_000);
            } catch (InterruptedException e) {
                throw new AssertionError("interrupted while waiting for the owner thread", e);
            }
            assertThat(thread.isAlive()).as("the owner thread ended").isFalse();
        }
    }
}
