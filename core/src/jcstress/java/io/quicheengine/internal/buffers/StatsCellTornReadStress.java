package io.quicheengine.internal.buffers;

import io.quicheengine.ConnectionStats;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;

/**
 * The loop publishes a second statistics tuple over a first while another thread takes a snapshot:
 * the snapshot holds one tuple or the other, never fields of both. Run with {@code -Pjcstress}.
 */
@JCStressTest
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "the first publication")
@Outcome(id = "2, 2, 2", expect = ACCEPTABLE, desc = "the second publication")
@Outcome(expect = FORBIDDEN, desc = "a torn snapshot: fields of two publications")
@State
public class StatsCellTornReadStress {
    private final StatsCell cell = new StatsCell();

    public StatsCellTornReadStress() {
        publishAll(1);
    }

    private void publishAll(long value) {
        for (int field = 0; field <= StatsCell.DATAGRAMS_DROPPED_ON_RECEIVE; field++) {
            cell.stage(field, value);
        }
        cell.publish();
    }

    @Actor
    public void loop() {
        publishAll(2);
    }

    @Actor
    public void reader(LLL_Result r) {
        ConnectionStats s = cell.snapshot();
        r.r1 = s.rttNanos();
        r.r2 = s.pathMtu();
        r.r3 = s.datagrams().droppedOnReceive();
    }
}
