package io.quicheengine.internal.buffers;

import io.quicheengine.ConnectionStats;
import io.quicheengine.DatagramStats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The statistics sequence lock: each field lands where it belongs, and a reader never sees two publications mixed. */
class StatsCellTest {
    private static final int FIELDS = 22;

    /** Every field of publication {@code k}: distinct per field, so a value in the wrong place shows too. */
    private static long value(long k, int field) {
        return k * 100 + field;
    }

    private static void stageAll(StatsCell cell, long k) {
        for (int f = 0; f < FIELDS; f++) {
            cell.stage(f, value(k, f));
        }
    }

    private static long[] fields(ConnectionStats s) {
        DatagramStats d = s.datagrams();
        return new long[] {s.rttNanos(), s.minRttNanos(), s.rttVarNanos(), s.congestionWindow(), s.packetsSent(), s.packetsReceived(),
                s.packetsLost(), s.packetsRetransmitted(), s.bytesSent(), s.bytesReceived(), s.bytesLost(), s.streamBytesRetransmitted(),
                s.deliveryRate(), s.pathMtu(), s.publishedAtNanos(), d.sent(), d.refused(), d.droppedTooLarge(), d.droppedByQuiche(),
                d.droppedOnClose(), d.received(), d.droppedOnReceive()};
    }

    @Test
    void aNewCellReadsAllZeros() {
        assertThat(fields(new StatsCell().snapshot())).containsOnly(0L);
    }

    @Test
    void eachStagedFieldAppearsInItsOwnPlaceOfTheSnapshot() {
        StatsCell cell = new StatsCell();
        stageAll(cell, 7);
        cell.publish();
        long[] got = fields(cell.snapshot());
        for (int f = 0; f < FIELDS; f++) {
            assertThat(got[f]).as("field %d", f).isEqualTo(value(7, f));
        }
        assertThat(cell.snapshot().publishedAtNanos()).isEqualTo(value(7, StatsCell.PUBLISHED_AT));
        assertThat(cell.snapshot().datagrams().droppedOnReceive()).isEqualTo(value(7, StatsCell.DATAGRAMS_DROPPED_ON_RECEIVE));
    }

    @Test
    void stagedValuesStayInvisibleUntilPublished() {
        StatsCell cell = new StatsCell();
        stageAll(cell, 1);
        cell.publish();
        stageAll(cell, 2);
        assertThat(fields(cell.snapshot())[0]).isEqualTo(value(1, 0));
        cell.publish();
        assertThat(fields(cell.snapshot())[0]).isEqualTo(value(2, 0));
    }

    @Test
    void readersOnOtherThreadsNeverSeeAMixOfTwoPublications() throws Exception {
        StatsCell cell = new StatsCell();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong published = new AtomicLong();
        List<String> torn = new CopyOnWriteArrayList<>();
        long[] seen = new long[2];
        Thread writer = Thread.ofPlatform().start(() -> {
            for (long k = 1; !stop.get(); k++) {
                stageAll(cell, k);
                cell.publish();
                published.set(k);
            }
        });
        Thread[] readers = new Thread[2];
        for (int r = 0; r < readers.length; r++) {
            int me = r;
            readers[r] = Thread.ofPlatform().start(() -> {
                long last = 0;
                while (!stop.get()) {
                    long[] got = fields(cell.snapshot());
                    long k = got[0] / 100;
                    for (int f = 0; f < FIELDS; f++) {
                        if (got[f] != value(k, f)) {
                            torn.add("field " + f + " = " + got[f] + " beside field 0 of publication " + k);
                            return;
                        }
                    }
                    if (k < last) {
                        torn.add("publication " + k + " after " + last);
                        return;
                    }
                    if (k != last) {
                        seen[me]++;
                    }
                    last = k;
                }
            });
        }
        // Two seconds of publications overlapping reads; stop early on the first torn read.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < end && torn.isEmpty()) {
            Thread.sleep(10);
        }
        stop.set(true);
        writer.join(5_000);
        for (Thread reader : readers) {
            reader.join(5_000);
        }
        assertThat(torn).isEmpty();
        assertThat(published.get()).isGreaterThan(1000);
        assertThat(seen[0] + seen[1]).as("distinct publications the readers saw").isGreaterThan(10);
    }
}
