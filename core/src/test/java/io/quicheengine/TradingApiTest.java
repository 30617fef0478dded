package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * The trading-style API through real engines on 127.0.0.1: framed messages written by offer and by
 * claim and reassembled across fragments, ByteBuffer/DirectBuffer offers, attachments, timed
 * accepts, and a fragment handler that throws.
 */
class TradingApiTest {
    private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);
    /** Small slots and rings, so frames take both framer paths and split across the ring's end. */
    private static final java.util.function.Consumer<QuicEngine.Builder> SMALL = b -> b.slotSize(256).readRingCapacity(4096);

    @Test
    void framedOrdersArriveWholeWhetherOfferedClaimedOrLargerThanASlot() {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, null, TransportSettings.DEFAULTS, SMALL)) {
            QuicConnection client = fixture.connect();
            QuicStream out = client.openBidirectionalStream();
            MessageFramer framer = new MessageFramer(1000);
            StreamClaim claim = new StreamClaim();
            UnsafeBuffer offHeap = new UnsafeBuffer(BufferUtil.allocateDirectAligned(1024, 64));
            int messages = 1500;
            List<Integer> got = new ArrayList<>();
            MessageAssembler assembler = new MessageAssembler(1000, (buffer, index, length) -> {
                int sequence = buffer.getInt(index, ByteOrder.LITTLE_ENDIAN);
                assertThat(length).as("length of message %d", sequence).isEqualTo(lengthOf(sequence));
                for (int i = 4; i < length; i++) {
                    assertThat(buffer.getByte(index + i)).as("byte %d of message %d", i, sequence).isEqualTo((byte) (sequence + i));
                }
                got.add(sequence);
            });
            QuicStream in = null;
            int sent = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (got.size() < messages) {
                assertThat(System.nanoTime() - deadline).as("all messages within 30 s; got %d", got.size()).isNegative();
                if (sent < messages && offerOne(out, framer, claim, offHeap, sent)) {
                    sent++;
                }
                if (in == null) {
                    QuicConnection serverSide = fixture.server.accept(Duration.ZERO);
                    in = serverSide == null ? null : serverSide.acceptStream(FIVE_SECONDS);
                } else {
                    in.poll(assembler, 8);
                }
            }
            for (int i = 0; i < messages; i++) {
                assertThat(got.get(i)).isEqualTo(i);
            }
            assertThat(fixture.errors()).isEmpty();
        }
    }

    /** Message {@code sequence}: 4..999 bytes, the sequence first, then bytes derived from it; every third by each way. */
    private static boolean offerOne(QuicStream out, MessageFramer framer, StreamClaim claim, UnsafeBuffer offHeap, int sequence) {
        int length = lengthOf(sequence);
        switch (sequence % 3) {
            case 0 -> {
                if (length + MessageFramer.HEADER_LENGTH > 256) {
                    fill(offHeap, sequence, length);
                    return framer.offer(out, offHeap, 0, length);
                }
                if (!framer.tryClaim(out, length, claim)) {
                    return false;
                }
                fill(claim.buffer(), claim.offset() + MessageFramer.HEADER_LENGTH, sequence, length);
                claim.commit();
                return true;
            }
            case 1 -> {
                byte[] array = new byte[length + 3];
                fill(new UnsafeBuffer(array), 3, sequence, length);
                return framer.offer(out, array, 3, length);
            }
            default -> {
                fill(offHeap, sequence, length);
                return framer.offer(out, offHeap, 0, length);
            }
        }
    }

    private static int lengthOf(int sequence) {
        return 4 + (sequence * 37) % 996;
    }

    private static void fill(MutableDirectBuffer buffer, int sequence, int length) {
        fill(buffer, 0, sequence, length);
    }

    private static void fill(MutableDirectBuffer buffer, int index, int sequence, int length) {
        buffer.putInt(index, sequence, ByteOrder.LITTLE_ENDIAN);
        for (int i = 4; i < length; i++) {
            buffer.putByte(index + i, (byte) (sequence + i));
        }
    }

    @Test
    void orderAndAckPingPongByClaimsWithTheSessionAttachedToTheStream() {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, null)) {
            QuicConnection client = fixture.connect();
            QuicStream orders = client.openBidirectionalStream();
            assertThat(client.attach("client session")).isNull();
            assertThat(orders.attach(new AtomicInteger())).isNull();
            StreamClaim claim = new StreamClaim();
            byte[] order = new byte[64];
            assertThat(orders.tryClaim(64, false, claim)).isTrue();
            claim.buffer().putBytes(claim.offset(), order);
            claim.commit();
            QuicConnection serverSide = fixture.server.accept(FIVE_SECONDS);
            assertThat(serverSide).isNotNull();
            QuicStream serverOrders = serverSide.acceptStream(FIVE_SECONDS);
            assertThat(serverOrders).isNotNull();
            serverOrders.attach(new int[1]);
            int rounds = 200;
            byte[] scratch = new byte[256];
            for (int round = 0; round < rounds; round++) {
                readExactly(serverOrders, scratch, 64);
                ((int[]) serverOrders.attachment())[0]++;
                StreamClaim ack = new StreamClaim();
                assertThat(serverOrders.tryClaim(32, round == rounds - 1, ack)).isTrue();
                ack.buffer().putInt(ack.offset(), round);
                ack.commit();
                readExactly(orders, scratch, 32);
                assertThat(new UnsafeBuffer(scratch).getInt(0)).isEqualTo(round);
                ((AtomicInteger) orders.attachment()).incrementAndGet();
                if (round < rounds - 1) {
                    while (!orders.tryClaim(64, false, claim)) {
                        Thread.onSpinWait();
                    }
                    claim.buffer().putInt(claim.offset(), round);
                    claim.commit();
                }
            }
            assertThat(((AtomicInteger) orders.attachment()).get()).isEqualTo(rounds);
            assertThat(((int[]) serverOrders.attachment())[0]).isEqualTo(rounds);
            assertThat(client.attachment()).isEqualTo("client session");
            assertThat(client.attach(null)).isEqualTo("client session");
            assertThat(client.attachment()).isNull();
            assertThat(orders.read(scratch, 0, 1, FIVE_SECONDS)).as("the last ack carried the fin").isEqualTo(-1);
            assertThat(fixture.errors()).isEmpty();
        }
    }

    private static void readExactly(QuicStream stream, byte[] into, int length) {
        int done = 0;
        while (done < length) {
            int n = stream.read(into, done, length - done, FIVE_SECONDS);
            assertThat(n).as("bytes before the end").isPositive();
            done += n;
        }
    }

    @Test
    void anAbortedClaimSendsNothingAndGivesItsCreditAndFinBack() {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, null, TransportSettings.DEFAULTS, SMALL)) {
            QuicConnection client = fixture.connect();
            QuicStream out = client.openBidirectionalStream();
            StreamClaim claim = new StreamClaim();
            assertThat(out.tryClaim(100, true, claim)).isTrue();
            assertThat(claim.isActive()).isTrue();
            assertThat(claim.length()).isEqualTo(100);
            assertThat(claim.stream()).isSameAs(out);
            claim.buffer().setMemory(0, 100, (byte) 'x');
            claim.abort();
            assertThat(claim.isActive()).isFalse();
            assertThat(claim.buffer().capacity()).as("an ended claim's buffer points nowhere").isZero();
            assertThatThrownBy(claim::commit).isInstanceOf(IllegalStateException.class).hasMessageContaining("not active");
            assertThatThrownBy(claim::abort).isInstanceOf(IllegalStateException.class).hasMessageContaining("not active");
            assertThat(out.stats().bytesWritten()).isZero();
            // The fin was withdrawn with the claim: the stream is still open for these bytes.
            assertThat(out.tryClaim(3, false, claim)).isTrue();
            claim.buffer().putStringWithoutLengthAscii(claim.offset(), "abc");
            claim.commit();
            assertThat(out.offerFin()).isTrue();
            QuicStream in = fixture.server.accept(FIVE_SECONDS).acceptStream(FIVE_SECONDS);
            byte[] got = new byte[16];
            int n = readAll(in, got);
            assertThat(new String(got, 0, n, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("abc");
        }
    }

    private static int readAll(QuicStream in, byte[] into) {
        int done = 0;
        while (true) {
            int n = in.read(into, done, into.length - done, FIVE_SECONDS);
            if (n < 0) {
                return done;
            }
            done += n;
        }
    }

    @Test
    void claimsRefuseBadInputByName() {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, null, TransportSettings.DEFAULTS, SMALL)) {
            QuicConnection client = fixture.connect();
            QuicStream out = client.openBidirectionalStream();
            StreamClaim claim = new StreamClaim();
            assertThatThrownBy(() -> out.tryClaim(0, false, claim)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("length must be 1..256").hasMessageContaining("was 0");
            assertThatThrownBy(() -> out.tryClaim(257, false, claim)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("length must be 1..256").hasMessageContaining("was 257");
            assertThatThrownBy(() -> out.tryClaim(8, false, null)).isInstanceOf(NullPointerException.class).hasMessageContaining("claim");
            assertThat(out.tryClaim(8, false, claim)).isTrue();
            assertThatThrownBy(() -> out.tryClaim(8, false, claim)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("still active");
            claim.abort();
            MessageFramer framer = new MessageFramer(100);
            assertThatThrownBy(() -> framer.offer(out, new byte[200], 0, 101)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("message length must be 0..100").hasMessageContaining("was 101");
            assertThatThrownBy(() -> framer.offer(out, new byte[10], 5, 10)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("outside its array of 10 bytes");
            assertThatThrownBy(() -> framer.offer(out, new UnsafeBuffer(new byte[10]), -1, 4)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("outside its buffer");
            assertThatThrownBy(() -> out.offerMessage((DirectBuffer) new UnsafeBuffer(new byte[8]), 4, 8, false))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> out.offerMessage((ByteBuffer) null, false)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("source");
            assertThat(out.offerFin()).isTrue();
            assertThatThrownBy(() -> out.tryClaim(8, false, claim)).isInstanceOf(ClosedException.class).hasMessageContaining("finished");
        }
    }

    @Test
    void aClaimLargerThanTheWriteBoundIsRefusedRatherThanNeverGranted() {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, null, TransportSettings.DEFAULTS,
                b -> b.slotSize(256).streamWriteBound(100))) {
            QuicStream out = fixture.connect().openBidirectionalStream();
            assertThatThrownBy(() -> out.tryClaim(101, false, new StreamClaim())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("length 101 is larger than the write bound, 100 bytes");
            StreamClaim claim = new StreamClaim();
            assertThat(out.tryClaim(100, false, claim)).isTrue();
            claim.abort();
        }
    }

    @Test
    void buffersOfEveryKindAreOfferedWholeWithTheirPositionsMovedOnlyWhenAccepted() {
        TransportSettings datagrams = TransportSettings.builder().datagrams(64).build();
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, null, datagrams, b -> { })) {
            QuicConnection client = fixture.connect();
            QuicStream out = client.openBidirectionalStream();
            ByteBuffer heap = ByteBuffer.wrap("..heap..".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 2, 4);
            ByteBuffer direct = ByteBuffer.allocateDirect(16).put("direct".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).flip();
            UnsafeBuffer offHeap = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
            offHeap.putStringWithoutLengthAscii(0, "--agrona--");
            assertThat(out.offerMessage(heap, false)).isTrue();
            assertThat(heap.position()).isEqualTo(6);
            assertThat(out.offerMessage(direct, false)).isTrue();
            assertThat(direct.position()).isEqualTo(6);
            assertThat(out.offerMessage(offHeap, 2, 6, false)).isTrue();
            assertThat(out.offerMessage(new UnsafeBuffer("!array".getBytes(java.nio.charset.StandardCharsets.US_ASCII)), 1, 5, true)).isTrue();
            QuicConnection serverSide = fixture.server.accept(FIVE_SECONDS);
            QuicStream in = serverSide.acceptStream(FIVE_SECONDS);
            byte[] got = new byte[64];
            int n = readAll(in, got);
            assertThat(new String(got, 0, n, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("heapdirectagronaarray");

            ByteBuffer datagram = ByteBuffer.allocateDirect(8).put("dgram".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).flip();
            assertThat(client.offerDatagram(datagram)).isTrue();
            assertThat(datagram.hasRemaining()).isFalse();
            assertThat(client.offerDatagram(ByteBuffer.wrap("heapgram".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))).isTrue();
            assertThat(client.offerDatagram(offHeap, 2, 6)).isTrue();
            List<String> datagramsGot = new ArrayList<>();
            Polling.until(() -> {
                serverSide.pollDatagrams((buffer, index, length) -> datagramsGot.add(buffer.getStringWithoutLengthAscii(index, length)), 10);
                return datagramsGot.size() == 3;
            }, FIVE_SECONDS, "three datagrams");
            assertThat(datagramsGot).containsExactlyInAnyOrder("dgram", "heapgram", "agrona");
            byte[] tooBig = new byte[client.maxDatagramSize() + 1];
            ByteBuffer tooBigBuffer = ByteBuffer.wrap(tooBig);
            assertThatThrownBy(() -> client.offerDatagram(tooBigBuffer)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("larger than");
            assertThat(tooBigBuffer.position()).isZero();
            assertThatThrownBy(() -> client.offerDatagram(new UnsafeBuffer(tooBig), 2, tooBig.length)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void timedAcceptsReturnNullOnTimeoutAndRefuseBadDurationsByName() {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BLOCKING, null)) {
            long start = System.nanoTime();
            assertThat(fixture.server.accept(Duration.ofMillis(50))).isNull();
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
            assertThat(fixture.server.accept(Duration.ZERO)).isNull();
            assertThatThrownBy(() -> fixture.server.accept(null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("timeout must not be null");
            assertThatThrownBy(() -> fixture.server.accept(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("timeout must not be negative").hasMessageContaining("PT-0.001S");
            QuicConnection client = fixture.connect();
            QuicConnection serverSide = fixture.server.accept(FIVE_SECONDS);
            assertThat(serverSide).isNotNull();
            assertThat(serverSide.acceptStream(Duration.ofMillis(20))).isNull();
            assertThatThrownBy(() -> serverSide.acceptStream(null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("timeout must not be null");
            assertThatThrownBy(() -> serverSide.acceptStream(Duration.ofSeconds(-2))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("timeout must not be negative");
            QuicStream opened = client.openBidirectionalStream();
            opened.write(new byte[] {1}, 0, 1, false, FIVE_SECONDS);
            QuicStream accepted = serverSide.acceptStream(FIVE_SECONDS);
            assertThat(accepted).isNotNull();
            assertThat(accepted.id()).isEqualTo(opened.id());
            client.close();
            serverSide.closeFuture().join();
            assertThatThrownBy(() -> serverSide.acceptStream(FIVE_SECONDS)).isInstanceOf(ClosedException.class)
                    .hasMessageContaining("no more peer streams");
            fixture.server.close();
            fixture.server.closeFuture().join();
            assertThatThrownBy(() -> fixture.server.accept(FIVE_SECONDS)).isInstanceOf(ClosedException.class).hasMessageContaining("is closed");
        }
    }

    @Test
    void aThrowingFragmentHandlerConsumesItsFragmentAndTheNextPollGoesOn() {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, null)) {
            QuicConnection client = fixture.connect();
            QuicStream out = client.openBidirectionalStream();
            out.write("first".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, 5, false, FIVE_SECONDS);
            QuicStream in = fixture.server.accept(FIVE_SECONDS).acceptStream(FIVE_SECONDS);
            Polling.until(() -> in.stats().bytesReceived() == 5, FIVE_SECONDS, "the first bytes");
            AtomicInteger calls = new AtomicInteger();
            assertThatThrownBy(() -> in.poll((buffer, index, length) -> {
                calls.incrementAndGet();
                throw new IllegalStateException("handler refuses " + buffer.getStringWithoutLengthAscii(index, length));
            }, 16)).isInstanceOf(IllegalStateException.class).hasMessage("handler refuses first");
            assertThat(calls).hasValue(1);
            assertThat(in.stats().bytesRead()).as("the fragment counts as read").isEqualTo(5);
            assertThat(in.poll((buffer, index, length) -> calls.incrementAndGet(), 16)).as("nothing handed out again").isZero();
            out.write("second".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, 6, true, FIVE_SECONDS);
            StringBuilder rest = new StringBuilder();
            Polling.until(() -> in.poll((buffer, index, length) -> rest.append(buffer.getStringWithoutLengthAscii(index, length)), 16) < 0,
                    FIVE_SECONDS, "the rest and the end");
            assertThat(rest).hasToString("second");
            assertThat(fixture.errors()).isEmpty();
        }
    }

    /** accept is documented as callable from any thread: two threads polling at once each take distinct connections, none twice. */
    @Test
    void twoThreadsAcceptingAtOnceTakeEveryConnectionExactlyOnce() throws Exception {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, null)) {
            int connections = 12;
            java.util.Set<QuicConnection> accepted = java.util.concurrent.ConcurrentHashMap.newKeySet();
            AtomicInteger duplicates = new AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            Runnable acceptor = () -> {
                while (!done.get()) {
                    QuicConnection c = fixture.server.accept(Duration.ofMillis(5));
                    if (c != null && !accepted.add(c)) {
                        duplicates.incrementAndGet();
                    }
                }
            };
            Thread first = new Thread(acceptor, "acceptor-1");
            Thread second = new Thread(acceptor, "acceptor-2");
            first.start();
            second.start();
            for (int i = 0; i < connections; i++) {
                fixture.connect();
            }
            Polling.until(() -> accepted.size() == connections, Duration.ofSeconds(10), "every connection accepted");
            done.set(true);
            first.join(5_000);
            second.join(5_000);
            assertThat(first.isAlive() || second.isAlive()).as("acceptors stopped").isFalse();
            assertThat(duplicates).hasValue(0);
            assertThat(accepted).hasSize(connections);
            assertThat(fixture.errors()).isEmpty();
        }
    }
}
