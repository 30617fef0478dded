package io.quicheengine.internal.buffers;

import io.quicheengine.ConnectionStats;
import io.quicheengine.DatagramStats;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A connection's statistics, written by the loop and read by any thread without locks or garbage
 * on the writer's side: a sequence lock over a fixed array of longs. The writer makes the version
 * odd, writes, makes it even; a reader retries when the version moved under it.
 *
 * <p>Internal to the engine (not exported by its module): the event loop's stats publisher
 * writes on the loop thread; {@code QuicConnection.stats()} reads on any thread.
 */
public final class StatsCell {
    public static final int RTT = 0;
    public static final int MIN_RTT = 1;
    public static final int RTT_VAR = 2;
    public static final int CWND = 3;
    public static final int SENT = 4;
    public static final int RECEIVED = 5;
    public static final int LOST = 6;
    public static final int RETRANSMITTED = 7;
    public static final int SENT_BYTES = 8;
    public static final int RECEIVED_BYTES = 9;
    public static final int LOST_BYTES = 10;
    public static final int STREAM_RETRANS_BYTES = 11;
    public static final int DELIVERY_RATE = 12;
    public static final int PMTU = 13;
    public static final int PUBLISHED_AT = 14;
    public static final int DATAGRAMS_SENT = 15;
    public static final int DATAGRAMS_REFUSED = 16;
    public static final int DATAGRAMS_TOO_LARGE = 17;
    public static final int DATAGRAMS_PURGED = 18;
    public static final int DATAGRAMS_DROPPED_ON_CLOSE = 19;
    public static final int DATAGRAMS_RECEIVED = 20;
    public static final int DATAGRAMS_DROPPED_ON_RECEIVE = 21;
    private static final int SIZE = 22;

    private static final VarHandle VERSION;
    private static final VarHandle VALUES = MethodHandles.arrayElementVarHandle(long[].class);

    static {
        try {
            VERSION = MethodHandles.lookup().findVarHandle(StatsCell.class, "version", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long[] values = new long[SIZE];
    private long version;
    /** Loop thread only: the values being assembled before {@link #publish()}. */
    private final long[] staging = new long[SIZE];

    /** Loop thread: set a value in the staging area. */
    public void stage(int field, long value) {
        staging[field] = value;
    }

    /** Loop thread: makes the staged values visible atomically. */
    public void publish() {
        long v = (long) VERSION.getOpaque(this);
        VERSION.setOpaque(this, v + 1);
        VarHandle.storeStoreFence();
        for (int i = 0; i < SIZE; i++) {
            VALUES.setOpaque(values, i, staging[i]);
        }
        VERSION.setRelease(this, v + 2);
    }

    /** Any thread: a consistent snapshot. */
    public ConnectionStats snapshot() {
        long[] copy = new long[SIZE];
        while (true) {
            long before = (long) VERSION.getAcquire(this);
            if ((before & 1) == 0) {
                for (int i = 0; i < SIZE; i++) {
                    copy[i] = (long) VALUES.getOpaque(values, i);
                }
                VarHandle.loadLoadFence();
                if ((long) VERSION.getVolatile(this) == before) {
                    break;
                }
            }
            Thread.onSpinWait();
        }
        return new ConnectionStats(copy[RTT], copy[MIN_RTT], copy[RTT_VAR], copy[CWND], copy[SENT], copy[RECEIVED], copy[LOST],
                copy[RETRANSMITTED], copy[SENT_BYTES], copy[RECEIVED_BYTES], copy[LOST_BYTES], copy[STREAM_RETRANS_BYTES],
                copy[DELIVERY_RATE], copy[PMTU], copy[PUBLISHED_AT],
                new DatagramStats(copy[DATAGRAMS_SENT], copy[DATAGRAMS_REFUSED], copy[DATAGRAMS_TOO_LARGE], copy[DATAGRAMS_PURGED],
                        copy[DATAGRAMS_DROPPED_ON_CLOSE], copy[DATAGRAMS_RECEIVED], copy[DATAGRAMS_DROPPED_ON_RECEIVE]));
    }
}
