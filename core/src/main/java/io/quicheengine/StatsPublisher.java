package io.quicheengine;

import io.quicheengine.ffi.PathStats;
import io.quicheengine.ffi.QuicheConn;
import io.quicheengine.ffi.Stats;
import io.quicheengine.internal.buffers.DatagramInbox;
import io.quicheengine.internal.buffers.StatsCell;

/**
 * Publishes statistics: a connection's quiche counters into its {@link StatsCell}, and once a
 * stats interval the engine-wide figures of {@link EngineStats} that only the loop can count.
 * Loop thread only.
 */
final class StatsPublisher {
    private final EventLoop loop;
    private final Stats stats;
    private final PathStats pathStats;
    private final long intervalNanos;
    private long lastEngineStatsNanos;

    StatsPublisher(EventLoop loop) {
        this.loop = loop;
        this.stats = new Stats(loop.engine.arena);
        this.pathStats = new PathStats(loop.engine.arena);
        this.intervalNanos = loop.settings.statsInterval().toNanos();
    }

    void publish(ConnectionState connection) {
        long now = loop.now();
        connection.lastStatsNanos = now;
        QuicheConn.stats(connection.quiche, stats.segment());
        StatsCell cell = connection.stats;
        cell.stage(StatsCell.SENT, stats.sent());
        cell.stage(StatsCell.RECEIVED, stats.recv());
        cell.stage(StatsCell.LOST, stats.lost());
        cell.stage(StatsCell.RETRANSMITTED, stats.retrans());
        cell.stage(StatsCell.SENT_BYTES, stats.sentBytes());
        cell.stage(StatsCell.RECEIVED_BYTES, stats.recvBytes());
        cell.stage(StatsCell.LOST_BYTES, stats.lostBytes());
        cell.stage(StatsCell.STREAM_RETRANS_BYTES, stats.streamRetransBytes());
        if (QuicheConn.pathStats(connection.quiche, 0, pathStats.segment()) == 0) {
            cell.stage(StatsCell.RTT, pathStats.rtt());
            cell.stage(StatsCell.MIN_RTT, pathStats.minRtt());
            cell.stage(StatsCell.RTT_VAR, pathStats.rttvar());
            cell.stage(StatsCell.CWND, pathStats.cwnd());
            cell.stage(StatsCell.DELIVERY_RATE, pathStats.deliveryRate());
            cell.stage(StatsCell.PMTU, pathStats.pmtu());
        }
        DatagramInbox inbox = connection.datagrams;
        if (inbox != null) {
            cell.stage(StatsCell.DATAGRAMS_SENT, connection.datagramsSent);
            cell.stage(StatsCell.DATAGRAMS_REFUSED, connection.datagramsRefused);
            cell.stage(StatsCell.DATAGRAMS_TOO_LARGE, connection.datagramsTooLarge);
            cell.stage(StatsCell.DATAGRAMS_PURGED, connection.datagramsPurged);
            cell.stage(StatsCell.DATAGRAMS_DROPPED_ON_CLOSE, connection.datagramsDroppedOnClose);
            cell.stage(StatsCell.DATAGRAMS_RECEIVED, inbox.received);
            cell.stage(StatsCell.DATAGRAMS_DROPPED_ON_RECEIVE, inbox.dropped);
        }
        cell.stage(StatsCell.PUBLISHED_AT, now);
        cell.publish();
    }

    /**
     * Once a stats interval: the engine's buffered and pending bytes and send drops, and a look at
     * the unread bytes of closed connections. Buffered bytes are summed over the rings lent out,
     * not over every stream; pending bytes over the connections' running credit totals.
     */
    void publishEngineStatsIfDue() {
        long now = loop.now();
        if (now - lastEngineStatsNanos < intervalNanos) {
            return;
        }
        lastEngineStatsNanos = now;
        loop.collector.collectOrphans();
        long pending = 0;
        ConnectionRouter router = loop.router;
        for (int i = 0; i < router.liveCount(); i++) {
            pending += router.live(i).creditUsed();
        }
        EngineCore engine = loop.engine;
        engine.bufferedReadBytes = loop.rings.bufferedBytes();
        engine.pendingWriteBytes = pending;
        engine.datagramsDroppedOnSend = loop.sockets.sendDrops();
    }
}
