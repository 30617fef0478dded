package io.quicheengine.internal.buffers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The command ring without the loop: producers gated by the consumer, contiguous claims, per-producer order, sealing. */
class CommandRingTest {
    private static final int SLOT = 64;

    private final Arena arena = Arena.ofShared();
    private final NativeResources resources = new NativeResources();

    @AfterEach
    void freeSlots() {
        arena.close();
    }

    private CommandRing<CommandSlot> ring(int size) {
        return new CommandRing<>(arena, size, SLOT, resources, CommandSlot::new);
    }

    /** Claims and publishes {@code n} sequences, tagging each with its sequence number; returns the highest. */
    private static long claimAndPublish(CommandRing<CommandSlot> ring, int n) {
        long high = ring.tryClaim(n);
        assertThat(high).as("claim of %d", n).isNotNegative();
        for (long s = high - n + 1; s <= high; s++) {
            ring.get(s).code = s;
            ring.get(s).type = 0;
        }
        ring.publish(high - n + 1, high);
        return high;
    }

    /** Seals with a deadline {@code nanos} from now, and fails rather than hangs should seal itself never return. */
    private static boolean seal(CommandRing<CommandSlot> ring, long nanos) {
        return assertTimeoutPreemptively(Duration.ofSeconds(10), () -> ring.seal(System.nanoTime() + nanos));
    }

    /** Polls everything available; returns the sequences handed over, checking each event carries its own tag. */
    private static List<Long> drain(CommandRing<CommandSlot> ring) throws Exception {
        List<Long> seen = new ArrayList<>();
        while (ring.poll((event, sequence, endOfBatch) -> {
            assertThat(event.code).as("event at sequence %d", sequence).isEqualTo(sequence);
            seen.add(sequence);
            return true;
        })) {
            // until the poller reports idle
        }
        return seen;
    }

    @Test
    void refusesASizeThatIsNotAPowerOfTwo() {
        assertThatThrownBy(() -> ring(100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("commandRingSize")
                .hasMessageContaining("100");
    }

    @Test
    void everyEventOwnsItsOwnSlotAndTheSlotBytesAreCounted() {
        CommandRing<CommandSlot> ring = ring(16);
        assertThat(ring.slotSize()).isEqualTo(SLOT);
        assertThat(ring.maxClaim()).isEqualTo(4);
        assertThat(resources.slotBytes.sum()).isEqualTo(16L * SLOT);
        IdentityHashMap<CommandSlot, Boolean> events = new IdentityHashMap<>();
        List<Long> addresses = new ArrayList<>();
        for (long s = 0; s < 16; s++) {
            CommandSlot c = ring.get(s);
            events.put(c, true);
            assertThat(c.payload.byteSize()).isEqualTo(SLOT);
            assertThat(c.payloadAddress).isEqualTo(c.payload.address());
            addresses.add(c.payloadAddress);
        }
        assertThat(events).hasSize(16);
        addresses.sort(null);
        for (int i = 1; i < addresses.size(); i++) {
            assertThat(addresses.get(i) - addresses.get(i - 1)).isEqualTo(SLOT);
        }
        assertThat(ring.get(16)).as("sequence 16 reuses the first event").isSameAs(ring.get(0));
    }

    @Test
    void maxClaimIsAQuarterOfTheRingAndAtLeastOne() {
        assertThat(ring(1024).maxClaim()).isEqualTo(256);
        assertThat(ring(2).maxClaim()).isEqualTo(1);
        assertThat(ring(1).maxClaim()).isEqualTo(1);
    }

    @Test
    void producerCannotOverrunEventsTheConsumerHasNotPolled() throws Exception {
        CommandRing<CommandSlot> ring = ring(8);
        claimAndPublish(ring, 4);
        claimAndPublish(ring, 4);
        assertThat(ring.tryClaim(1)).as("full ring").isEqualTo(-1);
        assertThat(ring.hasPending()).isTrue();
        assertThat(ring.cursor()).isEqualTo(7);
        assertThat(ring.processed()).isEqualTo(-1);

        assertThat(drain(ring)).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(ring.processed()).isEqualTo(7);
        assertThat(ring.hasPending()).isFalse();
        assertThat(ring.tryClaim(8)).as("all eight free again").isEqualTo(15);
    }

    @Test
    void aClaimLargerThanTheFreeSpaceFailsWholeAndTakesNothing() {
        CommandRing<CommandSlot> ring = ring(8);
        claimAndPublish(ring, 5);
        assertThat(ring.tryClaim(4)).isEqualTo(-1);
        assertThat(ring.cursor()).as("the failed claim took no sequence").isEqualTo(4);
        assertThat(ring.tryClaim(3)).isEqualTo(7);
    }

    @Test
    void claimedButUnpublishedEventsAreNotHandedToTheConsumer() throws Exception {
        CommandRing<CommandSlot> ring = ring(8);
        long high = ring.tryClaim(2);
        ring.get(high - 1).code = high - 1;
        ring.get(high).code = high;
        assertThat(drain(ring)).isEmpty();
        assertThat(ring.hasPending()).as("claimed counts as pending: the loop must not park").isTrue();
        ring.publish(high - 1, high);
        assertThat(drain(ring)).containsExactly(0L, 1L);
        assertThat(ring.hasPending()).isFalse();
        ring.tryClaim(1);
        assertThat(ring.hasPending()).as("a single claimed sequence").isTrue();
    }

    @Test
    void aClaimAcrossTheWrapIsContiguousInSequencesAndDeliveredInOrder() throws Exception {
        CommandRing<CommandSlot> ring = ring(8);
        claimAndPublish(ring, 3);
        claimAndPublish(ring, 3);
        drain(ring);
        // Sequences 6..9 sit at indexes 6, 7, 0, 1.
        long high = claimAndPublish(ring, 4);
        assertThat(high).isEqualTo(9);
        IdentityHashMap<CommandSlot, Boolean> events = new IdentityHashMap<>();
        for (long s = 6; s <= 9; s++) {
            events.put(ring.get(s), true);
        }
        assertThat(events).as("four distinct events").hasSize(4);
        assertThat(drain(ring)).containsExactly(6L, 7L, 8L, 9L);
    }

    @Test
    void fourProducersEachSeeTheirOwnCommandsConsumedInTheOrderTheyPublished() throws Exception {
        CommandRing<CommandSlot> ring = ring(64);
        int producers = 4;
        int perProducer = 20_000;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        CountDownLatch start = new CountDownLatch(1);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int me = p;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    int next = 0;
                    while (next < perProducer) {
                        // Claims of 1 to 4 sequences, so multi-sequence claims interleave with other producers'.
                        int n = Math.min(perProducer - next, 1 + (next % 4));
                        long high;
                        while ((high = ring.tryClaim(n)) < 0) {
                            if (System.nanoTime() - deadline > 0) {
                                throw new AssertionError("producer " + me + " starved at " + next);
                            }
                            Thread.yield();
                        }
                        for (long s = high - n + 1; s <= high; s++) {
                            CommandSlot c = ring.get(s);
                            c.code = me;
                            c.length = next++;
                            c.payload.set(ValueLayout.JAVA_INT, 0, c.length);
                        }
                        ring.publish(high - n + 1, high);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        int[] expected = new int[producers];
        long[] total = {0};
        start.countDown();
        while (total[0] < (long) producers * perProducer && failures.isEmpty()) {
            assertThat(System.nanoTime() - deadline).as("consumer waiting at %d", total[0]).isNegative();
            boolean busy = ring.poll((event, sequence, endOfBatch) -> {
                int producer = (int) event.code;
                if (event.length != expected[producer] || event.payload.get(ValueLayout.JAVA_INT, 0) != event.length) {
                    failures.add(new AssertionError("producer " + producer + ": expected " + expected[producer] + " but got "
                            + event.length + " (payload " + event.payload.get(ValueLayout.JAVA_INT, 0) + ") at sequence " + sequence));
                    return false;
                }
                expected[producer]++;
                total[0]++;
                return true;
            });
            if (!busy) {
                Thread.yield();
            }
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(20));
        }
        assertThat(failures).isEmpty();
        assertThat(expected).containsOnly(perProducer);
    }

    @Test
    void sealTakesEveryFreeSequenceSoNoProducerCanClaimAgain() throws Exception {
        CommandRing<CommandSlot> ring = ring(8);
        claimAndPublish(ring, 3);
        drain(ring);
        claimAndPublish(ring, 2);
        assertThat(seal(ring, TimeUnit.SECONDS.toNanos(5))).isTrue();
        assertThat(ring.tryClaim(1)).isEqualTo(-1);
    }

    @Test
    void sealWaitsForAProducerInsideItsClaimAndGivesUpAtTheDeadline() throws Exception {
        CommandRing<CommandSlot> ring = ring(8);
        long high = ring.tryClaim(1);
        long start = System.nanoTime();
        assertThat(seal(ring, TimeUnit.MILLISECONDS.toNanos(200))).as("unpublished claim at the deadline").isFalse();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));

        Thread late = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ring.publish(high, high);
        });
        assertThat(seal(ring, TimeUnit.SECONDS.toNanos(5))).as("once the producer published").isTrue();
        late.join(5_000);
    }
}
