package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The loop's timer heap against a brute-force minimum, through random adds, moves and removals. */
class DeadlineHeapTest {
    private static ConnectionState connection() {
        return new ConnectionState(null, true, null, null, null, "localhost", null, TransportSettings.DEFAULTS);
    }

    @Test
    void firstIsAlwaysTheEarliestDeadlineAndEveryIndexIsRight() {
        SplittableRandom random = new SplittableRandom(11);
        DeadlineHeap heap = new DeadlineHeap();
        List<ConnectionState> all = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            all.add(connection());
        }
        long base = Long.MAX_VALUE - 1_000_000; // deadlines wrap around like nanoTime may
        for (int step = 0; step < 20_000; step++) {
            ConnectionState connection = all.get(random.nextInt(all.size()));
            long deadline = base + random.nextLong(2_000_000);
            if (connection.timerIndex < 0) {
                heap.add(connection, deadline);
            } else if (random.nextBoolean()) {
                heap.move(connection, deadline);
            } else {
                heap.remove(connection);
            }
            ConnectionState earliest = null;
            int inHeap = 0;
            for (ConnectionState candidate : all) {
                if (candidate.timerIndex >= 0) {
                    inHeap++;
                    if (earliest == null || candidate.timerDeadline - earliest.timerDeadline < 0) {
                        earliest = candidate;
                    }
                }
            }
            assertThat(heap.size()).isEqualTo(inHeap);
            if (earliest == null) {
                assertThat(heap.first()).isNull();
            } else {
                assertThat(heap.first().timerDeadline).isEqualTo(earliest.timerDeadline);
            }
        }
        long last = Long.MIN_VALUE;
        boolean started = false;
        ConnectionState first;
        while ((first = heap.first()) != null) {
            assertThat(!started || first.timerDeadline - last >= 0).as("drained in deadline order").isTrue();
            last = first.timerDeadline;
            started = true;
            heap.remove(first);
            assertThat(first.timerIndex).isEqualTo(-1);
        }
    }
}
