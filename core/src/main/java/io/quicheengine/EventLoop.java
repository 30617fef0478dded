package io.quicheengine;

import io.quicheengine.internal.buffers.ChunkPool;
import io.quicheengine.internal.buffers.NativeResources;
import io.quicheengine.internal.buffers.ReadRingPool;
import io.quicheengine.internal.io.Endpoint;
import io.quicheengine.internal.io.LoopIdler;
import io.quicheengine.internal.server.ConnectionIds;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine's event loop: the only code that calls quiche. One duty cycle ({@link #doWork})
 * drains commands, receives datagrams into quiche, fires due timers, moves readable bytes into
 * read rings, flushes pending writes and egress, then reports the work done so the caller can idle
 * when there was none. The work itself is done by one class per role, wired here; each is loop
 * thread only and reaches the others through this class.
 *
 * <p>Loop thread only, except {@link #run()}'s caller starting the thread and
 * {@link #terminated()}, which any thread may wait on.
 */
final class EventLoop implements Runnable, LoopIdler.Loop {
    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());

    final EngineCore engine;
    final EngineSettings settings;
    final NativeResources resources;
    final NativeConfigs configs;
    final ConnectionIds ids = new ConnectionIds();
    final ReadRingPool rings;
    final ChunkPool chunks;

    final CommandDrain commands;
    final ConnectionRouter router;
    final LoopSockets sockets;
    final ServerAcceptor acceptor;
    final ConnectionLifecycle lifecycle;
    final ConnectionCloser closer;
    final StreamReader reader;
    final StreamWriter writer;
    final StreamCollector collector;
    final DatagramPath datagrams;
    final Egress egress;
    final LoopTimers timers;
    final StatsPublisher stats;
    final LoopShutdown shutdown;

    /** Connections that received, timed out or got commands: processed once at the end of the cycle. */
    private final ArrayList<ConnectionState> dirty = new ArrayList<>();
    /** The loop clock, read once per cycle. */
    private long now;
    private volatile boolean running = true;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();

    EventLoop(EngineCore engine) {
        this.engine = engine;
        this.settings = engine.settings;
        this.resources = engine.resources;
        this.configs = new NativeConfigs(resources);
        this.rings = new ReadRingPool(engine.arena, settings.readRingCapacity(), settings.maxReadRings(), resources);
        // One connection's write bound, plus a partly filled chunk per stream: the bulk case never grows it.
        this.chunks = new ChunkPool(engine.arena, settings.pendingChunkSize(),
                (int) Math.min(4096, settings.connectionWriteBound() / settings.pendingChunkSize() + 64), resources);
        this.now = System.nanoTime();
        this.commands = new CommandDrain(this);
        this.router = new ConnectionRouter();
        this.sockets = new LoopSockets(this);
        this.acceptor = new ServerAcceptor(this, engine.arena);
        this.lifecycle = new ConnectionLifecycle(this);
        this.closer = new ConnectionCloser(this);
        this.reader = new StreamReader(this);
        this.writer = new StreamWriter(this);
        this.collector = new StreamCollector(this);
        this.datagrams = new DatagramPath(this);
        this.egress = new Egress(this);
        this.timers = new LoopTimers(this);
        this.stats = new StatsPublisher(this);
        this.shutdown = new LoopShutdown(this);
    }

    /** Completes when the loop ended and freed what it could; any thread. */
    CompletableFuture<Void> terminated() {
        return terminated;
    }

    /** The loop clock of this cycle. */
    long now() {
        return now;
    }

    @Override
    public void run() {
        Throwable failure = null;
        try {
            while (running) {
                int work = doWork();
                if (engine.state() == EngineCore.CLOSING) {
                    work += shutdown.continueClosing();
                }
                if (work == 0) {
                    engine.idler.idle(this);
                } else {
                    engine.idler.reset();
                }
            }
        } catch (Throwable t) {
            failure = t;
            failed(t);
        } finally {
            shutdown.shutDown(failure, terminated);
        }
    }

    private void failed(Throwable t) {
        engine.fail(t); // closed from here on: every new call fails fast, naming t
        try {
            settings.errorHandler().onError(null, "the event loop failed and stops; the engine is closed", t);
        } catch (Throwable again) {
            LOG.log(System.Logger.Level.ERROR, "the error handler threw", again);
        }
    }

    /**
     * One duty cycle in invoker mode, on the owner's thread ({@link Invoker}): what one turn of
     * {@link #run()} does, and its ending too: the cycle that finishes the close (or fails) frees
     * everything. Returns the work done; 0 once the loop ended.
     */
    int invoke() {
        if (terminated.isDone()) {
            return 0;
        }
        Throwable failure = null;
        int work = 0;
        try {
            work = doWork();
            if (engine.state() == EngineCore.CLOSING) {
                work += shutdown.continueClosing();
            }
        } catch (Throwable t) {
            failure = t;
            running = false;
            failed(t);
        }
        if (!running) {
            shutdown.shutDown(failure, terminated);
        }
        return work;
    }

    /** One pass of the duty cycle; returns the work done (0: the loop may idle). */
    int doWork() {
        now = System.nanoTime();
        int work = commands.drain();
        work += sockets.receive();
        work += timers.fire();
        work += reader.resumeBlockedReaders();
        work += writer.notifyWritableLater();
        work += collector.collectPending();
        work += processDirty();
        stats.publishEngineStatsIfDue();
        return work;
    }

    /** Ends the run loop after the current cycle: the engine's close is done. */
    void stop() {
        running = false;
    }

    @Override
    public boolean hasPendingCommands() {
        return commands.hasPending();
    }

    /** How long the loop may sleep: until the earliest quiche deadline, or briefly while work waits on readers. */
    @Override
    public long nextDeadlineNanos() {
        long earliest = timers.earliestDeadline();
        if (reader.hasBlocked() || collector.hasPending() || engine.state() != EngineCore.RUNNING) {
            earliest = Math.min(earliest, System.nanoTime() + 1_000_000);
        }
        return earliest == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, earliest - System.nanoTime());
    }

    /** Queues a command from the loop thread itself (a listener callback); see {@link CommandDrain#submitLocal}. */
    void submitLocal(int type, ConnectionState connection, StreamState stream, long code, boolean finFlag, Object attachment) {
        commands.submitLocal(type, connection, stream, code, finFlag, attachment);
    }

    // ---- entry points run by commands from the public API ----

    /** An invoker owner's direct write: as a WRITE command from the ring (see {@link StreamWriter#write}). */
    void write(StreamState stream, long address, int length, boolean fin) {
        writer.write(stream, address, length, fin);
    }

    /** Fails one connection after an exception in work done for it (the loop goes on). */
    void failConnection(ConnectionState connection, String context, Throwable error) {
        closer.failConnection(connection, context, error);
    }

    void startServer(ServerState server, Endpoint endpoint) throws java.io.IOException {
        sockets.startServer(server, endpoint);
    }

    void closeServer(ServerState server) {
        sockets.closeServer(server);
    }

    void discardUnread(ConnectionState connection) {
        collector.discardUnread(connection);
    }

    void writableLater(StreamState stream) {
        writer.writableLater(stream);
    }

    int liveConnections() {
        return router.liveCount();
    }

    // ---- processing a connection after it received, timed out or got commands ----

    void markDirty(ConnectionState connection) {
        if (!connection.dirty && !connection.finalized) {
            connection.dirty = true;
            dirty.add(connection);
        }
    }

    private int processDirty() {
        int count = dirty.size();
        for (int i = 0; i < dirty.size(); i++) {
            ConnectionState connection = dirty.get(i);
            connection.dirty = false;
            if (connection.finalized) {
                continue;
            }
            try {
                process(connection);
            } catch (RuntimeException e) {
                closer.failConnection(connection, "processing " + connection, e);
            }
        }
        dirty.clear();
        egress.requeueUnfinished();
        return count;
    }

    /** Everything a connection needs after quiche saw new input: the order matters (see the comments). */
    private void process(ConnectionState connection) {
        lifecycle.advanceHandshake(connection);
        reader.drainReadable(connection);
        if (connection.datagrams != null) {
            datagrams.receiveDatagrams(connection);
        }
        if (commands.hasRingOrLocalPending()) {
            // A listener answered what it just read: send the answer in this cycle, with the ACK on it.
            commands.drain();
            if (connection.finalized) {
                return; // a command closed it for good
            }
        }
        writer.flushBacklog(connection);
        egress.flush(connection);
        if (connection.queuedDatagrams > 0) {
            datagrams.datagramsLeftQuiche(connection);
        }
        if (!connection.unacked.isEmpty()) {
            closer.checkAcknowledged(connection);
        }
        if (connection.pendingClose != null) {
            closer.closeIfFlushed(connection, false);
        }
        lifecycle.watchSessionAndEarlyData(connection);
        if (connection.timerlessDeadline != 0 && now - connection.timerlessDeadline >= 0) {
            closer.closeTimerless(connection);
        }
        if (lifecycle.finalizeIfClosed(connection)) {
            return;
        }
        if (connection.state == ConnectionState.ESTABLISHED) {
            lifecycle.publishStreamLimitsIfNear(connection);
        }
        if (connection.creditBlocked && connection.creditUsed() < settings.connectionWriteBound()) {
            writer.notifyCreditWaiters(connection);
        }
        timers.update(connection);
        if (now - connection.lastStatsNanos >= settings.statsInterval().toNanos()) {
            stats.publish(connection);
        }
    }

    static void unpark(Thread thread) {
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }
}
