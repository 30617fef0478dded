package io.quicheengine;

import com.lmax.disruptor.EventPoller;
import io.quicheengine.ffi.PathStats;
import io.quicheengine.ffi.QuicheConn;
import io.quicheengine.ffi.QuicheDgram;
import io.quicheengine.ffi.QuicheError;
import io.quicheengine.ffi.QuicheSendComplete;
import io.quicheengine.ffi.QuicheStream;
import io.quicheengine.ffi.RecvInfo;
import io.quicheengine.ffi.SendInfo;
import io.quicheengine.ffi.SockAddr;
import io.quicheengine.ffi.Stats;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * The engine's event loop: the only code that calls quiche. One duty cycle drains commands,
 * receives datagrams into quiche, fires due timers, moves readable bytes into read rings, flushes
 * pending writes and egress, then reports the work done so the caller can idle when there was none.
 *
 * <p>Loop thread only, except {@link #run()}'s caller starting the thread.
 */
final class EventLoop implements Runnable {
    private static final int RECEIVE_BATCH = 64;
    private static final int COMMAND_BATCH = 4096;
    /**
     * Packets one flush of one connection takes from quiche before the loop moves on (about 1.4 MB
     * at 1350 bytes). A quiche that never says DONE (0.24.5 did, closing with a Handshake probe due:
     * patch 0006) must not keep the loop, its timers and every other connection waiting.
     */
    private static final int MAX_PACKETS_PER_FLUSH = 1024;
    private static final long TICK_NANOS = 1L << 17;
    /** The most bytes one batch of datagrams may hold: under the 65507-byte UDP payload limit. */
    private static final int TX_BATCH_BYTES = 65000;
    private static final int TX_BYTES = 65536;
    /** How long bytes a peer sent before closing stay readable when the application does not read them. */
    static final long UNREAD_AFTER_CLOSE_NANOS = 30_000_000_000L;
    /** Enough wheel ticks per cycle to catch up after the longest sleep (1 s) in one go. */
    private static final int MAX_TICKS_PER_CYCLE = 16_384;
    /** Streams short of the published limit at which the loop starts refreshing it. */
    private static final int STREAM_LIMIT_MARGIN = 16;
    /** How long the loop's shutdown waits for readers to let go of read rings and producers to publish claimed slots. */
    static final long RELEASE_WAIT_NANOS = 2_000_000_000L;
    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());

    final EngineCore engine;
    private final EngineSettings settings;
    private final NativeResources resources;
    final NativeConfigs configs;
    final ConnectionIds ids = new ConnectionIds();
    private final ReadRingPool rings;
    private final ChunkPool chunks;
    private final ServerAcceptor acceptor;

    // Scratch memory, made once: the steady state allocates nothing.
    /** Outgoing datagrams, batched back to back for one GSO send. */
    private final MemorySegment tx;
    private final SendInfo sendInfo;
    private final RecvInfo recvInfo;
    private final MemorySegment peerScratch;
    private final MemorySegment fin;
    private final MemorySegment errorCode;
    private final MemorySegment isApp;
    private final MemorySegment reasonPointer;
    private final MemorySegment reasonLength;
    private final MemorySegment emptyPayload;
    private final Stats stats;
    private final MemorySegment datagram;
    private final org.agrona.concurrent.UnsafeBuffer datagramView;
    private final PathStats pathStats;

    private final DeadlineTimerWheel timers;
    private final Long2ObjectHashMap<ConnectionState> timerOwners = new Long2ObjectHashMap<>();
    private final DeadlineTimerWheel.TimerHandler onTimer = this::onTimer;
    private final EventPoller.Handler<Command> onCommand = this::onCommand;
    private final Endpoint.DatagramSink onDatagram = this::onDatagram;
    private final Endpoint.UnreachableSink onNothingListening = this::onNothingListening;

    private final ArrayList<ConnectionState> connections = new ArrayList<>();
    private final ArrayList<ConnectionState> dirty = new ArrayList<>();
    /** Connections whose flush stopped at {@link #MAX_PACKETS_PER_FLUSH}: processed again next cycle. */
    private final ArrayList<ConnectionState> egressLeft = new ArrayList<>();
    private final ArrayList<StreamState> readBlocked = new ArrayList<>();
    /** Streams done on both sides whose ring a reader held at that moment: retried every cycle. */
    private final ArrayList<StreamState> toCollect = new ArrayList<>();
    /** Streams of closed connections with bytes still unread: looked at again when read, or once a stats interval. */
    private final ArrayList<StreamState> orphans = new ArrayList<>();
    private final ArrayList<Endpoint> endpoints = new ArrayList<>();
    private final ArrayList<ServerState> servers = new ArrayList<>();
    private final ArrayDeque<Command> localCommands = new ArrayDeque<>();
    /** Streams a listener could not write to because the ring was full: told writable next cycle. */
    private final ArrayList<StreamState> writableLater = new ArrayList<>();
    private final ArrayDeque<Command> spareCommands = new ArrayDeque<>();
    private Endpoint clientEndpoint;
    private int commandsThisCycle;
    private long now;
    private volatile boolean running = true;
    private long closeDeadline;
    private long lastEngineStatsNanos;
    /** Send drops of endpoints already closed, so the published total never goes down. */
    private long closedEndpointSendDrops;
    private final java.util.concurrent.CompletableFuture<Void> terminated = new java.util.concurrent.CompletableFuture<>();

    EventLoop(EngineCore engine) {
        this.engine = engine;
        this.settings = engine.settings;
        this.resources = engine.resources;
        this.configs = new NativeConfigs(resources);
        Arena arena = engine.arena;
        this.rings = new ReadRingPool(arena, settings.readRingCapacity(), settings.maxReadRings(), resources);
        // One connection's write bound, plus a partly filled chunk per stream: the bulk case never grows it.
        this.chunks = new ChunkPool(arena, settings.pendingChunkSize(),
                (int) Math.min(4096, settings.connectionWriteBound() / settings.pendingChunkSize() + 64), resources);
        this.tx = arena.allocate(TX_BYTES, 64);
        this.sendInfo = new SendInfo(arena);
        this.recvInfo = new RecvInfo(arena);
        this.peerScratch = arena.allocate(SockAddr.STORAGE_LENGTH, 8);
        this.fin = arena.allocate(ValueLayout.JAVA_BOOLEAN);
        this.errorCode = arena.allocate(ValueLayout.JAVA_LONG);
        this.isApp = arena.allocate(ValueLayout.JAVA_BOOLEAN);
        this.reasonPointer = arena.allocate(ValueLayout.ADDRESS);
        this.reasonLength = arena.allocate(ValueLayout.JAVA_LONG);
        this.emptyPayload = arena.allocate(8);
        this.stats = new Stats(arena);
        this.datagram = arena.allocate(65536, 8);
        this.datagramView = new org.agrona.concurrent.UnsafeBuffer(datagram.address(), 65536);
        this.pathStats = new PathStats(arena);
        long start = System.nanoTime();
        this.timers = new DeadlineTimerWheel(TimeUnit.NANOSECONDS, start, TICK_NANOS, 512);
        this.acceptor = new ServerAcceptor(this, arena);
    }

    java.util.concurrent.CompletableFuture<Void> terminated() {
        return terminated;
    }

    // =====================================================================================
    // The duty cycle
    // =====================================================================================

    @Override
    public void run() {
        Throwable failure = null;
        try {
            while (running) {
                int work = doWork();
                if (engine.state() == EngineCore.CLOSING) {
                    work += continueClosing();
                }
                if (work == 0) {
                    engine.idler.idle(this);
                } else {
                    engine.idler.reset();
                }
            }
        } catch (Throwable t) {
            failure = t;
            engine.fail(t); // closed from here on: every new call fails fast, naming t
            try {
                settings.errorHandler().onError(null, "the event loop failed and stops; the engine is closed", t);
            } catch (Throwable again) {
                LOG.log(System.Logger.Level.ERROR, "the error handler threw", again);
            }
        } finally {
            shutDown(failure);
        }
    }

    int doWork() {
        now = System.nanoTime();
        int work = drainCommands();
        work += receive();
        work += fireTimers();
        work += resumeBlockedReaders();
        work += notifyWritableLater();
        work += collectPending();
        work += processDirty();
        if (now - lastEngineStatsNanos >= settings.statsInterval().toNanos()) {
            publishEngineStats();
        }
        return work;
    }

    private void publishEngineStats() {
        lastEngineStatsNanos = now;
        if (!orphans.isEmpty()) {
            collectOrphans();
        }
        long buffered = 0;
        long pending = 0;
        for (int i = 0; i < connections.size(); i++) {
            ConnectionState connection = connections.get(i);
            pending += connection.creditUsed();
            for (StreamState stream : connection.streams.values()) {
                StreamReadRing ring = stream.ring;
                if (ring != null) {
                    buffered += ring.size();
                }
            }
        }
        engine.bufferedReadBytes = buffered;
        engine.pendingWriteBytes = pending;
        long drops = closedEndpointSendDrops;
        for (int i = 0; i < endpoints.size(); i++) {
            drops += endpoints.get(i).sendDrops;
        }
        engine.datagramsDroppedOnSend = drops;
    }

    private int drainCommands() {
        commandsThisCycle = 0;
        try {
            engine.commands.poll(onCommand);
        } catch (Exception e) {
            settings.errorHandler().onError(null, "processing a command", e);
        }
        runControl(engine.commands.processed());
        if (engine.ringFull && !engine.commands.hasPending()) {
            engine.ringFull = false;
            datagramWritersAfterFullRing();
        }
        return commandsThisCycle;
    }

    private boolean onCommand(Command command, long sequence, boolean endOfBatch) {
        runControl(sequence - 1);
        try {
            handle(command);
        } finally {
            command.clear();
        }
        return ++commandsThisCycle < COMMAND_BATCH;
    }

    /**
     * Runs the control commands (local ones first) submitted once ring event {@code upTo} had been
     * claimed: a control command never waits for ring space, yet runs after the writes its thread
     * made before it and before those it makes after.
     */
    private void runControl(long upTo) {
        Command command;
        while ((command = localCommands.peekFirst()) != null && command.fence <= upTo) {
            localCommands.pollFirst();
            handle(command);
            command.clear();
            spareCommands.addLast(command);
            commandsThisCycle++;
        }
        while ((command = engine.control.peek()) != null && command.fence <= upTo) {
            engine.control.poll();
            handle(command);
            command.clear();
            engine.spareControl.offer(command);
            commandsThisCycle++;
        }
    }

    /** Whether a command waits to be run: the loop must not park then. */
    boolean hasPendingCommands() {
        return engine.commands.hasPending() || !engine.control.isEmpty() || !localCommands.isEmpty();
    }

    /** Queues a command from the loop thread itself (a listener callback): it runs once the ring events claimed before it are handled. */
    void submitLocal(int type, ConnectionState connection, StreamState stream, long code, boolean finFlag, Object attachment) {
        Command command = spareCommands.pollFirst();
        if (command == null) {
            command = new Command(emptyPayload);
        }
        command.type = type;
        command.connection = connection;
        command.stream = stream;
        command.code = code;
        command.fin = finFlag;
        command.attachment = attachment;
        command.fence = engine.commands.cursor();
        localCommands.addLast(command);
    }

    private void handle(Command command) {
        ConnectionState connection = command.connection;
        try {
            switch (command.type) {
                case Command.WRITE -> onWrite(command);
                case Command.RESET_STREAM -> onResetStream(command.stream, command.code);
                case Command.STOP_SENDING -> onStopSending(command.stream, command.code);
                case Command.STREAM_READ_PROGRESS -> onReadProgress(command.stream);
                case Command.STREAM_OPENED -> {
                    if (!command.stream.connection.finalized) {
                        register(command.stream.connection, command.stream);
                    }
                }
                case Command.CONNECT -> connect(connection);
                case Command.CLOSE_CONNECTION -> closeAfterFlush(connection, (CloseRequest) command.attachment);
                case Command.RUN -> ((Runnable) command.attachment).run();
                case Command.DATAGRAM -> sendDatagram(connection, command);
                case Command.NOOP -> {
                }
                default -> throw new IllegalStateException("unknown command type " + command.type);
            }
        } catch (RuntimeException e) {
            if (command.stream != null) {
                connection = command.stream.connection;
            }
            if (connection != null) {
                failConnection(connection, "handling a command for " + (command.stream != null ? command.stream : connection), e);
            } else {
                settings.errorHandler().onError(null, "handling an engine command", e);
            }
        }
    }

    // =====================================================================================
    // Receiving
    // =====================================================================================

    private int receive() {
        int work = 0;
        for (int i = 0; i < endpoints.size(); i++) {
            Endpoint endpoint = endpoints.get(i);
            try {
                work += endpoint.receive(onDatagram, RECEIVE_BATCH);
            } catch (IOException e) {
                settings.errorHandler().onError(null, "receiving on " + endpoint.localAddress, e);
            }
        }
        return work;
    }

    private void onDatagram(Endpoint endpoint, MemorySegment buffer, long offset, int length, MemorySegment from, int fromLength) {
        long idOffset = ConnectionIds.destinationOffset(buffer, offset, length);
        if (idOffset < 0) {
            dropped(endpoint);
            return;
        }
        ConnectionState connection = route(endpoint, buffer, offset, idOffset);
        if (connection == null) {
            if (endpoint.server != null && !endpoint.server.closed && engine.state() == EngineCore.RUNNING) {
                connection = acceptor.onUnknownDatagram(endpoint, buffer.asSlice(offset, length), length, from, fromLength);
            }
            if (connection == null) {
                if (endpoint.server == null) {
                    dropped(endpoint);
                }
                return;
            }
        }
        deliver(connection, buffer, offset, length, from, fromLength);
    }

    private ConnectionState route(Endpoint endpoint, MemorySegment buffer, long offset, long idOffset) {
        long key = ConnectionIds.key(buffer, idOffset);
        ConnectionState connection = endpoint.bySourceId.get(key);
        if (connection != null && ConnectionIds.destinationLength(buffer, offset) == ConnectionIds.LOCAL_LENGTH
                && MemorySegment.mismatch(buffer, idOffset, idOffset + ConnectionIds.LOCAL_LENGTH, connection.sourceId, 0, ConnectionIds.LOCAL_LENGTH) == -1) {
            return connection;
        }
        if (ConnectionIds.isLongHeader(buffer, offset)) {
            connection = endpoint.byOriginalId.get(key);
            if (connection != null) {
                return connection;
            }
        }
        return null;
    }

    private void dropped(Endpoint endpoint) {
        if (endpoint.server != null) {
            endpoint.server.datagramsDropped++;
        }
    }

    /** Feeds one datagram to its connection's quiche; it then needs processing this cycle. */
    void deliver(ConnectionState connection, MemorySegment buffer, long offset, int length, MemorySegment from, int fromLength) {
        if (connection.finalized) {
            return;
        }
        // The source address is compared as bytes; only a real change (NAT rebinding) costs an object.
        if (!SockAddr.same(from, fromLength, connection.peerSockaddr, connection.peerSockaddrLength)) {
            recvInfo.from(from, fromLength);
        } else {
            recvInfo.from(connection.peerSockaddr, connection.peerSockaddrLength);
        }
        recvInfo.to(connection.endpoint.localSockaddr, connection.endpoint.localSockaddrLength);
        long read = QuicheConn.recvFromAddress(connection.quiche, buffer.address() + offset, length, recvInfo.segment());
        if (read < 0 && read != QuicheError.DONE.code()) {
            // A datagram quiche rejects (corrupt, duplicate, undecryptable) is dropped; the connection lives on.
            if (connection.endpoint.server != null) {
                connection.endpoint.server.datagramsDropped++;
            }
        }
        if (connection.datagrams != null) {
            pullDatagrams(connection);
        }
        markDirty(connection);
    }

    // =====================================================================================
    // Timers
    // =====================================================================================

    /**
     * Fires every timer due by now. The wheel examines one tick per poll, so after a sleep it is
     * polled until it caught up with the clock; otherwise it falls behind and timers (a draining
     * connection's last one, say) fire ever later.
     */
    private int fireTimers() {
        int fired = 0;
        for (int ticks = 0; ticks < MAX_TICKS_PER_CYCLE; ticks++) {
            fired += timers.poll(now, onTimer, Integer.MAX_VALUE);
            if (now < timers.currentTickTime()) {
                break;
            }
        }
        if (timers.timerCount() == 0) {
            timers.currentTickTime(now);
        }
        return fired;
    }

    private boolean onTimer(TimeUnit unit, long nowNanos, long timerId) {
        ConnectionState connection = timerOwners.remove(timerId);
        if (connection != null && connection.timerId == timerId) {
            connection.timerId = DeadlineTimerWheel.NULL_DEADLINE;
            if (!connection.finalized) {
                QuicheConn.onTimeout(connection.quiche);
                markDirty(connection);
            }
        }
        return true;
    }

    private void updateTimer(ConnectionState connection) {
        long timeout = QuicheConn.timeoutAsNanos(connection.quiche);
        long closeDeadline = connection.pendingClose != null ? connection.flushDeadline : connection.closeDeadline;
        if (connection.state == ConnectionState.HANDSHAKING && connection.handshakeDeadline != 0) {
            closeDeadline = closeDeadline == 0 ? connection.handshakeDeadline : Math.min(closeDeadline, connection.handshakeDeadline);
        }
        if (timeout == -1 && closeDeadline == 0) {
            closeDeadline = timerlessDeadline(connection);
            if (closeDeadline == 0) {
                cancelTimer(connection);
                return;
            }
        } else {
            connection.timerlessDeadline = 0;
        }
        long deadline = timeout == -1 ? closeDeadline : closeDeadline == 0 ? now + timeout : Math.min(now + timeout, closeDeadline);
        if (connection.timerId != DeadlineTimerWheel.NULL_DEADLINE) {
            if (Math.abs(connection.timerDeadline - deadline) < TICK_NANOS) {
                return;
            }
            cancelTimer(connection);
        }
        long id = timers.scheduleTimer(deadline);
        connection.timerId = id;
        connection.timerDeadline = deadline;
        timerOwners.put(id, connection);
    }

    /**
     * quiche keeps an idle timer armed on every live connection whose idle timeout is set, so a
     * live connection without any quiche timer is a bug (quiche's or ours) that would leave it asleep
     * for good. Report it, and give it the idle timeout to show a sign of life; otherwise it is
     * closed then, with a reason ({@link #closeTimerless}). Returns that deadline, or 0 when no timer
     * is expected (idle timeout disabled, or the connection already closing).
     */
    private long timerlessDeadline(ConnectionState connection) {
        long idle = idleTimeoutNanos(connection);
        if (idle <= 0 || connection.state >= ConnectionState.CLOSING || QuicheConn.isClosed(connection.quiche)) {
            return 0;
        }
        if (connection.timerlessDeadline == 0) {
            connection.timerlessDeadline = now + idle;
            settings.errorHandler().onError(connection.handle, "quiche armed no timer for " + connection
                    + " although its idle timeout is set; the engine closes it after the idle timeout unless quiche arms one", null);
        }
        return connection.timerlessDeadline;
    }

    private static long idleTimeoutNanos(ConnectionState connection) {
        TransportSettings transport = connection.clientConfig != null ? connection.clientConfig.transport()
                : connection.server != null ? connection.server.config.transport() : null;
        return transport == null ? 0 : transport.idleTimeout().toNanos();
    }

    /** The engine's own idle timeout for a connection quiche gave no timer (see {@link #timerlessDeadline}). */
    private void closeTimerless(ConnectionState connection) {
        connection.timerlessDeadline = 0;
        closeConnection(connection, false, TransportErrors.NO_ERROR,
                "idle timeout (enforced by the engine: quiche armed no timer for this connection)");
    }

    private void cancelTimer(ConnectionState connection) {
        if (connection.timerId != DeadlineTimerWheel.NULL_DEADLINE) {
            timers.cancelTimer(connection.timerId);
            timerOwners.remove(connection.timerId);
            connection.timerId = DeadlineTimerWheel.NULL_DEADLINE;
        }
    }

    /** How long the loop may sleep: until the earliest quiche deadline (a scan, done only when about to sleep). */
    long nextDeadlineNanos() {
        long earliest = Long.MAX_VALUE;
        for (int i = 0; i < connections.size(); i++) {
            ConnectionState connection = connections.get(i);
            if (connection.timerId != DeadlineTimerWheel.NULL_DEADLINE) {
                earliest = Math.min(earliest, connection.timerDeadline);
            }
        }
        if (!readBlocked.isEmpty() || !toCollect.isEmpty() || engine.state() != EngineCore.RUNNING) {
            earliest = Math.min(earliest, System.nanoTime() + 1_000_000);
        }
        return earliest == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, earliest - System.nanoTime());
    }

    // =====================================================================================
    // Processing a connection after it received, timed out or got commands
    // =====================================================================================

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
                failConnection(connection, "processing " + connection, e);
            }
        }
        dirty.clear();
        for (int i = 0; i < egressLeft.size(); i++) {
            ConnectionState connection = egressLeft.get(i);
            connection.egressLeft = false;
            markDirty(connection);
        }
        egressLeft.clear();
        return count;
    }

    private void process(ConnectionState connection) {
        MemorySegment quiche = connection.quiche;
        if (connection.state == ConnectionState.HANDSHAKING && QuicheConn.isEstablished(quiche)
                && !QuicheConn.isDraining(quiche) && !QuicheConn.isClosed(quiche)) {
            onEstablished(connection); // not when a CONNECTION_CLOSE came with the last flight: that fails the handshake
        }
        if (connection.state == ConnectionState.HANDSHAKING && connection.handshakeDeadline != 0 && now - connection.handshakeDeadline >= 0) {
            failHandshake(connection, "handshake timed out after " + durationText(connection.handshakeTimeoutNanos));
        }
        drainReadable(connection);
        if (connection.datagrams != null) {
            receiveDatagrams(connection);
        }
        if (engine.commands.hasPending() || !localCommands.isEmpty()) {
            // A listener answered what it just read: send the answer in this cycle, with the ACK on it.
            drainCommands();
            if (connection.finalized) {
                return; // a command closed it for good
            }
        }
        flushBacklog(connection);
        flushEgress(connection);
        if (connection.queuedDatagrams > 0) {
            datagramsLeftQuiche(connection);
        }
        if (!connection.unacked.isEmpty()) {
            checkAcknowledged(connection);
        }
        if (connection.pendingClose != null) {
            closeIfFlushed(connection, false);
        }
        if (connection.state == ConnectionState.HANDSHAKING && !connection.earlyData) {
            watchEarlyData(connection);
        } else if (connection.client && connection.session == null && connection.state == ConnectionState.ESTABLISHED) {
            captureSession(connection);
        }
        if (connection.timerlessDeadline != 0 && now - connection.timerlessDeadline >= 0) {
            closeTimerless(connection);
        }
        if (QuicheConn.isClosed(quiche) || connection.closeDeadline != 0 && now - connection.closeDeadline >= 0) {
            finalizeConnection(connection);
            return;
        }
        if (connection.state < ConnectionState.CLOSING && QuicheConn.isDraining(quiche)) {
            closing(connection);
        }
        if (connection.state == ConnectionState.ESTABLISHED) {
            publishStreamLimitsIfNear(connection);
        }
        if (connection.creditBlocked && connection.creditUsed() < settings.connectionWriteBound()) {
            notifyCreditWaiters(connection);
        }
        updateTimer(connection);
        if (now - connection.lastStatsNanos >= settings.statsInterval().toNanos()) {
            publishStats(connection);
        }
    }

    /**
     * Sends everything quiche has for the connection. Datagrams are written back to back into one
     * buffer and handed to the socket in batches of equal-size segments (one GSO send on Linux): a
     * batch ends at a shorter datagram, a full buffer, or the socket's segment limit.
     */
    private void flushEgress(ConnectionState connection) {
        MemorySegment quiche = connection.quiche;
        Endpoint endpoint = connection.endpoint;
        int maxSegments = endpoint.maxSegments();
        long base = tx.address();
        int batched = 0;
        int segmentSize = 0;
        int segments = 0;
        for (int packets = 0; ; packets++) {
            if (packets == MAX_PACKETS_PER_FLUSH) {
                // quiche may go on producing packets without end (seen with a full DATAGRAM queue:
                // the loop sent for over 10 s in one call and never ran the close waiting behind it).
                // The rest waits for the next cycle, after commands, timers and other connections.
                if (!connection.egressLeft) {
                    connection.egressLeft = true;
                    egressLeft.add(connection);
                }
                break;
            }
            long written = QuicheConn.sendToAddress(quiche, base + batched, TX_BYTES - batched, sendInfo.segment());
            if (written == QuicheError.DONE.code()) {
                break;
            }
            if (written < 0) {
                throw new IllegalStateException("quiche_conn_send failed: " + QuicheError.describe(written));
            }
            int n = (int) written;
            if (!SockAddr.same(sendInfo.to(), sendInfo.toLength(), connection.peerSockaddr, connection.peerSockaddrLength)) {
                // The peer moved (NAT rebinding): what is batched goes to the old address, the rest to the new one.
                if (batched > 0) {
                    sendBatch(connection, endpoint, base, batched, segmentSize);
                    MemorySegment.copy(tx, batched, tx, 0, n);
                }
                batched = 0;
                segments = 0;
                connection.peerAddress = SockAddr.NATIVE.read(sendInfo.to(), sendInfo.toLength());
                MemorySegment.copy(sendInfo.to(), 0, connection.peerSockaddr, 0, sendInfo.toLength());
                connection.peerSockaddrLength = sendInfo.toLength();
            }
            if (segments > 0 && n > segmentSize) {
                // A larger datagram cannot join this batch: send the batch, then start again with it.
                sendBatch(connection, endpoint, base, batched, segmentSize);
                MemorySegment.copy(tx, batched, tx, 0, n);
                batched = 0;
                segments = 0;
            }
            if (segments == 0) {
                segmentSize = n;
            }
            batched += n;
            segments++;
            if (n < segmentSize || segments >= maxSegments || batched + segmentSize > TX_BATCH_BYTES) {
                sendBatch(connection, endpoint, base, batched, segmentSize);
                batched = 0;
                segments = 0;
            }
        }
        if (batched > 0) {
            sendBatch(connection, endpoint, base, batched, segmentSize);
        }
    }

    private void sendBatch(ConnectionState connection, Endpoint endpoint, long address, int length, int segmentSize) {
        try {
            endpoint.send(address, length, segmentSize, connection.peerSockaddr, connection.peerSockaddrLength, connection.peerAddress);
        } catch (IOException e) {
            // The peer's address may be unreachable for a moment; quiche's loss recovery resends.
            settings.errorHandler().onError(connection.handle, "sending to " + connection.peerAddress, e);
        }
    }

    private void onEstablished(ConnectionState connection) {
        MemorySegment quiche = connection.quiche;
        QuicheConn.applicationProto(quiche, reasonPointer, reasonLength);
        connection.applicationProtocol = borrowedString(reasonPointer, reasonLength);
        // The handshake's last flight (the client's Finished) goes out before the application can
        // react: quiche cannot send an application close while that flight is still pending.
        flushEgress(connection);
        if (connection.client && connection.earlyData) {
            // A server that refused the 0-RTT packets never acknowledges them, and with nothing else in
            // flight quiche would resend them only at its probe timeout (about 2 RTT more). A 1-RTT PING
            // now makes the server's next ACK reveal the loss one round trip after the handshake.
            QuicheConn.sendAckEliciting(quiche);
        }
        connection.resumed = QuicheConn.isResumed(quiche);
        connection.state = ConnectionState.ESTABLISHED;
        if (connection.datagrams != null) {
            long max = QuicheDgram.maxWritableLen(quiche);
            connection.maxDatagramSize = (int) Math.max(0, Math.min(max, connection.datagrams.maxLength()));
        }
        publishStreamLimits(connection);
        publishStats(connection);
        if (connection.server != null && !connection.announced && !announce(connection)) {
            return;
        }
        connection.handshake.complete(connection.handle);
        QuicListener listener = connection.listener;
        if (listener != null) {
            listener.onHandshakeComplete(connection.handle);
        }
        unpark(connection.streamLimitWaiter);
    }

    /** A server's new connection goes to its accept queue (polling mode); false when the queue is full and the connection refused. */
    private boolean announce(ConnectionState connection) {
        connection.announced = true;
        ServerState server = connection.server;
        server.connectionsAccepted++;
        if (server.acceptQueue != null && !server.acceptQueue.offer(connection.handle)) {
            settings.errorHandler().onError(connection.handle, "the accept queue of " + server.handle + " is full: the application does not call accept()", null);
            closeConnection(connection, false, TransportErrors.CONNECTION_REFUSED, "server busy");
            return false;
        }
        return true;
    }

    /**
     * 0-RTT begins: a client's first flight (sent just now) resumed a session that allows early
     * data, so streams may open on the limits the session remembers; a server decrypted the
     * client's 0-RTT. One downcall per handshake cycle, none once established.
     */
    private void watchEarlyData(ConnectionState connection) {
        if (QuicheConn.isInEarlyData(connection.quiche)) {
            connection.earlyData = true;
            if (connection.client) {
                publishStreamLimits(connection);
            } else if (!connection.announced) {
                announce(connection); // a polling server answers the early request now, not a round trip later
            }
        }
    }

    /** quiche keeps the session of the server's NewSessionTicket, which comes after the handshake; its pointer is borrowed. */
    private void captureSession(ConnectionState connection) {
        QuicheConn.session(connection.quiche, reasonPointer, reasonLength);
        long n = reasonLength.get(ValueLayout.JAVA_LONG, 0);
        MemorySegment address = reasonPointer.get(ValueLayout.ADDRESS, 0);
        if (n > 0 && address.address() != 0) {
            connection.session = address.reinterpret(n).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /**
     * Publishes how many streams the peer allows. Only worth two downcalls when the application
     * is close to the last published limit (or waits on it): a higher limit matters only then.
     */
    private void publishStreamLimitsIfNear(ConnectionState connection) {
        if (connection.nextBidiIndex + STREAM_LIMIT_MARGIN >= connection.peerBidiLimit
                || connection.nextUniIndex + STREAM_LIMIT_MARGIN >= connection.peerUniLimit
                || connection.streamLimitWaiter != null) {
            publishStreamLimits(connection);
        }
    }

    private void publishStreamLimits(ConnectionState connection) {
        long bidi = connection.localBidiOpened + QuicheConn.peerStreamsLeftBidi(connection.quiche);
        long uni = connection.localUniOpened + QuicheConn.peerStreamsLeftUni(connection.quiche);
        if (bidi != connection.peerBidiLimit || uni != connection.peerUniLimit) {
            connection.peerBidiLimit = bidi;
            connection.peerUniLimit = uni;
            unpark(connection.streamLimitWaiter);
        }
    }

    private void publishStats(ConnectionState connection) {
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

    // =====================================================================================
    // QUIC DATAGRAMs
    // =====================================================================================

    /**
     * Hands an accepted datagram to quiche. Its offer took credit, so quiche's queue has room; the
     * credit stays taken until the datagram leaves that queue ({@link #datagramsLeftQuiche}), or
     * comes back now when quiche refuses it.
     */
    private void sendDatagram(ConnectionState connection, Command command) {
        if (connection.finalized || connection.quiche.address() == 0 || connection.state >= ConnectionState.CLOSING) {
            connection.countDatagramsDroppedOnClose(1); // quiche sends no datagram once closing
            return;
        }
        long n = QuicheDgram.send(connection.quiche, command.payload, command.length);
        if (n >= 0) {
            int[] lengths = connection.queuedDatagramLengths;
            lengths[(connection.queuedDatagramsHead + connection.queuedDatagrams) % lengths.length] = command.length;
            connection.queuedDatagrams++;
            markDirty(connection);
            return;
        }
        if (n == QuicheError.BUFFER_TOO_SHORT.code() || n == QuicheError.INVALID_STATE.code()) {
            connection.countDatagramTooLarge(); // the peer's limit, or the path, shrank since the offer checked it
        } else {
            connection.countDatagramsLeft(0, 1); // not taken: cannot happen while the credit mirrors quiche's queue
        }
        returnDatagramCredit(connection, 1);
    }

    /**
     * Loop: counts the datagrams that left quiche's send queue since the last look and returns
     * their credit. quiche packs them into packets in order, or drops one unsent when it no longer
     * fits the path; the mirrored lengths tell which.
     */
    private void datagramsLeftQuiche(ConnectionState connection) {
        int left = connection.queuedDatagrams - (int) QuicheDgram.sendQueueLen(connection.quiche);
        if (left <= 0) {
            return;
        }
        long fits = QuicheDgram.maxWritableLen(connection.quiche);
        int[] lengths = connection.queuedDatagramLengths;
        int head = connection.queuedDatagramsHead;
        long sent = 0;
        for (int i = 0; i < left; i++) {
            if (lengths[head] <= fits) {
                sent++;
            }
            head = head + 1 == lengths.length ? 0 : head + 1;
        }
        connection.queuedDatagramsHead = head;
        connection.queuedDatagrams -= left;
        connection.countDatagramsLeft(sent, left - sent);
        if (!connection.finalized) {
            returnDatagramCredit(connection, left);
        }
    }

    /** Loop: credit back; the volatile add comes before the look at the flag (see {@link ConnectionState#takeDatagramCredit}). */
    private void returnDatagramCredit(ConnectionState connection, int datagrams) {
        connection.returnDatagramCredit(datagrams);
        if (connection.datagramBlocked) {
            datagramsWritable(connection);
        }
    }

    private void datagramsWritable(ConnectionState connection) {
        connection.datagramBlocked = false;
        unpark(connection.datagramWaiter);
        QuicListener listener = connection.listener;
        if (listener != null) {
            listener.onDatagramsWritable(connection.handle);
        }
    }

    /** The command ring drained after being full: offers it refused while they had credit may go again. */
    private void datagramWritersAfterFullRing() {
        for (int i = connections.size() - 1; i >= 0; i--) {
            ConnectionState connection = connections.get(i);
            if (connection.datagramBlocked && connection.datagramCredit > 0 && !connection.finalized) {
                try {
                    datagramsWritable(connection);
                } catch (RuntimeException e) {
                    failConnection(connection, "the listener's onDatagramsWritable", e);
                }
            }
        }
    }

    /**
     * Moves what quiche received into the inbox, right after each packet: quiche's own receive
     * queue is only {@link TransportSettings#datagramQueueLength()} long and silently drops its
     * oldest datagram when full, which a batch of received packets would otherwise overrun.
     */
    private void pullDatagrams(ConnectionState connection) {
        DatagramInbox inbox = connection.datagrams;
        while (true) {
            long n = QuicheDgram.recv(connection.quiche, datagram, datagram.byteSize());
            if (n < 0) {
                return;
            }
            inbox.deliver(datagramView, (int) n);
            connection.datagramsArrived = true;
        }
    }

    private void receiveDatagrams(ConnectionState connection) {
        pullDatagrams(connection);
        if (connection.datagramsArrived) {
            connection.datagramsArrived = false;
            if (connection.listener != null) {
                connection.listener.onDatagramsReadable(connection.handle);
            }
        }
    }

    // =====================================================================================
    // Read path: quiche -> read rings
    // =====================================================================================

    private void drainReadable(ConnectionState connection) {
        MemorySegment quiche = connection.quiche;
        for (long id = QuicheStream.readableNext(quiche); id >= 0; id = QuicheStream.readableNext(quiche)) {
            StreamState stream = connection.streams.get(id);
            if (stream == null) {
                stream = peerStream(connection, id);
                if (stream == null) {
                    discardReadable(connection, id);
                    continue;
                }
            }
            drainStream(connection, stream);
        }
    }

    private StreamState peerStream(ConnectionState connection, long id) {
        boolean clientInitiated = (id & 1) == 0;
        if (clientInitiated == connection.client) {
            return null; // one of ours that was already collected: nothing can still be owed to it
        }
        StreamState stream = new StreamState(connection, id);
        register(connection, stream);
        if (connection.listener != null) {
            connection.listener.onStreamOpened(stream.handle);
        } else if (!connection.acceptQueue.offer(stream.handle)) {
            settings.errorHandler().onError(connection.handle, "too many unaccepted peer streams: refusing stream " + id, null);
            QuicheStream.shutdown(connection.quiche, id, QuicheStream.SHUTDOWN_READ, 0);
            stream.readShutdown = true;
            if (stream.canWrite) {
                QuicheStream.shutdown(connection.quiche, id, QuicheStream.SHUTDOWN_WRITE, 0);
                stream.resetByApplication = true;
            }
            tryCollect(stream);
            return null;
        }
        return stream;
    }

    private void discardReadable(ConnectionState connection, long id) {
        while (true) {
            long n = QuicheStream.recv(connection.quiche, id, tx, tx.byteSize(), fin, errorCode);
            if (n <= 0 || fin.get(ValueLayout.JAVA_BOOLEAN, 0)) {
                return;
            }
        }
    }

    private void register(ConnectionState connection, StreamState stream) {
        if (!stream.registered) {
            stream.registered = true;
            connection.streams.put(stream.id, stream);
            resources.streams.increment();
        }
    }

    /** quiche now knows the local stream: its index counts against the peer's stream limit. */
    private void knownToQuiche(ConnectionState connection, StreamState stream) {
        if (!stream.knownToQuiche) {
            stream.knownToQuiche = true;
            if (stream.local) {
                long count = (stream.id >>> 2) + 1;
                if (stream.bidirectional) {
                    connection.localBidiOpened = Math.max(connection.localBidiOpened, count);
                } else {
                    connection.localUniOpened = Math.max(connection.localUniOpened, count);
                }
            }
        }
    }

    /** Moves the stream's readable bytes from quiche into its ring while the ring has room. */
    private void drainStream(ConnectionState connection, StreamState stream) {
        if (stream.readShutdown || stream.collected || connection.pendingClose != null) {
            discardReadable(connection, stream.id);
            return;
        }
        if (stream.finalSize >= 0 || stream.resetCode >= 0) {
            return; // quiche has nothing more for it, and may already have forgotten the stream
        }
        StreamReadRing ring = stream.ring;
        if (ring == null) {
            ring = rings.acquire();
            if (ring == null) {
                blockReads(stream);
                return;
            }
            stream.ring = ring;
        }
        boolean progressed = false;
        long reset = -1;
        while (true) {
            int space = ring.writableBytes();
            if (space == 0) {
                blockReads(stream);
                break;
            }
            long n = QuicheStream.recvToAddress(connection.quiche, stream.id, ring.writeAddress(), space, fin, errorCode);
            if (n == QuicheError.DONE.code()) {
                break;
            }
            if (n == QuicheError.STREAM_RESET.code()) {
                reset = errorCode.get(ValueLayout.JAVA_LONG, 0);
                stream.resetCode = reset;
                progressed = true;
                break;
            }
            if (n < 0) {
                throw new IllegalStateException("quiche_conn_stream_recv on stream " + stream.id + ": " + QuicheError.describe(n));
            }
            ring.commitWrite((int) n);
            stream.bytesReceived = ring.tailPosition();
            progressed = true;
            if (fin.get(ValueLayout.JAVA_BOOLEAN, 0)) {
                stream.finalSize = ring.tailPosition();
                break;
            }
            if (n < space) {
                break;
            }
        }
        if (progressed) {
            unpark(stream.readWaiter);
            QuicListener listener = connection.listener;
            if (listener != null) {
                if (reset >= 0) {
                    listener.onStreamReset(stream.handle, reset);
                } else {
                    listener.onStreamReadable(stream.handle);
                }
            }
            if (reset >= 0 || stream.finalSize >= 0) {
                tryCollect(stream);
            }
        }
    }

    private void blockReads(StreamState stream) {
        stream.readBlocked = true;
        if (!stream.inReadBlockedList) {
            stream.inReadBlockedList = true;
            readBlocked.add(stream);
        }
    }

    /** Streams whose ring was full (or missing): resume as soon as their reader made room. */
    private int resumeBlockedReaders() {
        int resumed = 0;
        for (int i = readBlocked.size() - 1; i >= 0; i--) {
            StreamState stream = readBlocked.get(i);
            ConnectionState connection = stream.connection;
            if (connection.finalized || stream.collected || stream.readShutdown || stream.finalSize >= 0 || stream.resetCode >= 0) {
                removeBlocked(i, stream);
                continue;
            }
            StreamReadRing ring = stream.ring;
            boolean room = ring == null || ring.writableBytes() > 0;
            if (room) {
                removeBlocked(i, stream);
                stream.readBlocked = false;
                try {
                    drainStream(connection, stream);
                } catch (RuntimeException e) {
                    failConnection(connection, "resuming reads of " + stream, e);
                    continue;
                }
                markDirty(connection);
                resumed++;
            }
        }
        return resumed;
    }

    private void removeBlocked(int index, StreamState stream) {
        int last = readBlocked.size() - 1;
        readBlocked.set(index, readBlocked.get(last));
        readBlocked.remove(last);
        stream.inReadBlockedList = false;
    }

    private void onReadProgress(StreamState stream) {
        ConnectionState connection = stream.connection;
        if (!connection.finalized && !stream.collected && stream.readBlocked && !stream.inReadBlockedList) {
            blockReads(stream);
        }
        tryCollect(stream);
        if (stream.collected && connection.finalized) {
            orphans.remove(stream);
        }
    }

    /** Once a stats interval: unread bytes of closed connections that were kept long enough go. */
    private void collectOrphans() {
        for (int i = orphans.size() - 1; i >= 0; i--) {
            StreamState stream = orphans.get(i);
            tryCollect(stream);
            if (stream.collected || toCollect.contains(stream)) {
                orphans.remove(i);
            }
        }
    }

    /** The application closed a connection that had already closed: let its unread bytes go now. */
    void discardUnread(ConnectionState connection) {
        connection.discardUnread = true;
        collectOrphans();
    }

    // =====================================================================================
    // Write path: command slots -> quiche, the rest via pending buffers
    // =====================================================================================

    private void onWrite(Command command) {
        StreamState stream = command.stream;
        ConnectionState connection = stream.connection;
        int length = command.length;
        if (connection.finalized || connection.quiche.address() == 0 || writeDead(stream)) {
            stream.returnCreditFromLoop(length);
            return;
        }
        register(connection, stream);
        markDirty(connection);
        if ((stream.pending != null && !stream.pending.isEmpty()) || stream.finPending) {
            queuePending(stream, command.payloadAddress, length, command.fin);
            return;
        }
        long n = QuicheStream.sendFromAddress(connection.quiche, stream.id, command.payloadAddress, length, command.fin, errorCode);
        knownToQuiche(connection, stream);
        if (n >= 0) {
            if (n > 0) {
                taken(stream, n);
            }
            if (n < length) {
                queuePending(stream, command.payloadAddress + n, (int) (length - n), command.fin);
            } else if (command.fin) {
                finHandedOver(stream);
                tryCollect(stream);
            }
        } else if (n == QuicheError.DONE.code()) {
            queuePending(stream, command.payloadAddress, length, command.fin);
        } else {
            stream.returnCreditFromLoop(length);
            sendFailed(stream, n);
        }
    }

    void writableLater(StreamState stream) {
        if (!writableLater.contains(stream)) {
            writableLater.add(stream);
        }
    }

    private int notifyWritableLater() {
        int count = writableLater.size();
        if (count == 0) {
            return 0;
        }
        for (int i = 0; i < count; i++) {
            StreamState stream = writableLater.get(i);
            QuicListener listener = stream.connection.listener;
            if (listener != null && !stream.connection.finalized && stream.writeBlocked) {
                stream.writeBlocked = false;
                try {
                    listener.onStreamWritable(stream.handle);
                } catch (RuntimeException e) {
                    failConnection(stream.connection, "the listener's onStreamWritable for " + stream, e);
                }
            }
        }
        // A listener may have added streams while being told: keep those for the next cycle.
        for (int i = writableLater.size() - 1; i >= 0; i--) {
            if (i < count) {
                writableLater.remove(i);
            }
        }
        return count;
    }

    private void queuePending(StreamState stream, long address, int length, boolean finFlag) {
        if (length > 0) {
            if (stream.pending == null) {
                stream.pending = new PendingWrites(chunks, (int) (settings.streamWriteBound() / chunks.chunkSize()) + 2);
            }
            stream.pending.append(address, length);
        }
        if (finFlag) {
            stream.finPending = true;
        }
        if (!stream.inBacklog) {
            stream.inBacklog = true;
            stream.connection.backlog.add(stream);
        }
    }

    private void flushBacklog(ConnectionState connection) {
        ArrayList<StreamState> backlog = connection.backlog;
        int kept = 0;
        for (int i = 0; i < backlog.size(); i++) {
            StreamState stream = backlog.get(i);
            if (flushStream(connection, stream)) {
                stream.inBacklog = false;
            } else {
                backlog.set(kept++, stream);
            }
        }
        for (int i = backlog.size() - 1; i >= kept; i--) {
            backlog.remove(i);
        }
    }

    /** Offers the stream's pending bytes (and fin) to quiche; true when nothing is left pending. */
    private boolean flushStream(ConnectionState connection, StreamState stream) {
        if (writeDead(stream)) {
            dropPending(stream);
            return true;
        }
        PendingWrites pending = stream.pending;
        if (pending != null && !pending.isEmpty()) {
            long n = pending.flush(connection.quiche, stream.id, errorCode);
            if (n > 0) {
                taken(stream, n);
            } else if (n < 0 && n != QuicheError.DONE.code()) {
                dropPending(stream);
                sendFailed(stream, n);
                return true;
            }
            if (!pending.isEmpty()) {
                return false;
            }
        }
        if (stream.finPending) {
            long n = QuicheStream.sendFromAddress(connection.quiche, stream.id, emptyPayload.address(), 0, true, errorCode);
            if (n == QuicheError.DONE.code()) {
                return false;
            }
            stream.finPending = false;
            if (n < 0) {
                sendFailed(stream, n);
                return true;
            }
            finHandedOver(stream);
            tryCollect(stream);
        }
        return true;
    }

    /** quiche took {@code n} bytes: return the credit and wake whoever waits for it. */
    private void taken(StreamState stream, long n) {
        if (stream.taken(n)) {
            unpark(stream.writeWaiter);
            QuicListener listener = stream.connection.listener;
            if (listener != null) {
                listener.onStreamWritable(stream.handle);
            }
        }
    }

    /** Connection credit came back after an offer fell short of it: tell every stream that waits. */
    private void notifyCreditWaiters(ConnectionState connection) {
        connection.creditBlocked = false;
        for (StreamState stream : connection.streams.values()) {
            if (stream.writeBlocked) {
                stream.writeBlocked = false;
                unpark(stream.writeWaiter);
                QuicListener listener = connection.listener;
                if (listener != null) {
                    listener.onStreamWritable(stream.handle);
                }
            }
        }
    }

    private void dropPending(StreamState stream) {
        if (stream.pending != null) {
            long dropped = stream.pending.discard();
            if (dropped > 0) {
                stream.returnCreditFromLoop(dropped);
            }
        }
        stream.finPending = false;
    }

    private void sendFailed(StreamState stream, long error) {
        if (error == QuicheError.STREAM_STOPPED.code()) {
            long code = errorCode.get(ValueLayout.JAVA_LONG, 0);
            stream.stoppedCode = code;
            dropPending(stream);
            QuicListener listener = stream.connection.listener;
            if (listener != null) {
                listener.onStreamStopped(stream.handle, code);
            }
        } else {
            stream.writeFailure = "quiche refused data on stream " + stream.id + ": " + QuicheError.describe(error);
            dropPending(stream);
        }
        stream.finished.completeExceptionally(new ClosedException(stream.writeClosedReason()));
        unpark(stream.writeWaiter);
        tryCollect(stream);
    }

    private static boolean writeDead(StreamState stream) {
        return stream.resetByApplication || stream.stoppedCode >= 0 || stream.writeFailure != null || stream.collected;
    }

    private void onResetStream(StreamState stream, long code) {
        ConnectionState connection = stream.connection;
        if (connection.finalized || stream.collected) {
            return;
        }
        register(connection, stream);
        dropPending(stream);
        stream.finished.completeExceptionally(new ClosedException("stream " + stream.id + " was reset by this side with application error " + code));
        QuicheStream.shutdown(connection.quiche, stream.id, QuicheStream.SHUTDOWN_WRITE, code);
        knownToQuiche(connection, stream);
        stream.finSent = true; // nothing more will be sent: the send side is done
        markDirty(connection);
        tryCollect(stream);
    }

    private void onStopSending(StreamState stream, long code) {
        ConnectionState connection = stream.connection;
        if (connection.finalized || stream.collected) {
            tryCollect(stream);
            return;
        }
        register(connection, stream);
        QuicheStream.shutdown(connection.quiche, stream.id, QuicheStream.SHUTDOWN_READ, code);
        knownToQuiche(connection, stream);
        markDirty(connection);
        tryCollect(stream);
    }

    // =====================================================================================
    // Collecting streams: rings back to the pool once both sides are done
    // =====================================================================================

    private boolean readSideDone(StreamState stream) {
        if (!stream.canRead || stream.readShutdown || stream.resetCode >= 0) {
            return true;
        }
        long end = stream.finalSize;
        if (end >= 0 && stream.bytesRead >= end) {
            return true;
        }
        // After the connection closed, a stream with nothing left to read is done too, and so is
        // one whose connection this side closed, or whose unread bytes were kept long enough.
        ConnectionState connection = stream.connection;
        return connection.finalized && (connection.discardUnread || stream.ring == null || stream.ring.size() == 0
                || now - connection.finalizedAt >= UNREAD_AFTER_CLOSE_NANOS);
    }

    private boolean writeSideDone(StreamState stream) {
        if (!stream.canWrite || stream.stoppedCode >= 0 || stream.writeFailure != null || stream.connection.finalized) {
            return true;
        }
        // A reset counts once the loop carried it out (finSent is set then), not when the application asked.
        return stream.finSent && (stream.pending == null || stream.pending.isEmpty());
    }

    /** Collects the stream when both sides are done; otherwise leaves it (or retries later if only a reader lease is in the way). */
    private void tryCollect(StreamState stream) {
        if (stream.collected || !readSideDone(stream) || !writeSideDone(stream)) {
            return;
        }
        if (!stream.tryRetireReader()) {
            if (!toCollect.contains(stream)) {
                toCollect.add(stream);
            }
            return;
        }
        StreamReadRing ring = stream.ring;
        if (ring != null) {
            stream.ring = null;
            rings.release(ring);
        }
        stream.collected = true;
        dropPending(stream);
        ConnectionState connection = stream.connection;
        if (stream.registered) {
            connection.streams.remove(stream.id);
            resources.streams.decrement();
        }
    }

    private int collectPending() {
        int collected = 0;
        for (int i = toCollect.size() - 1; i >= 0; i--) {
            StreamState stream = toCollect.get(i);
            toCollect.remove(i);
            tryCollect(stream);
            if (stream.collected) {
                collected++;
            }
        }
        return collected;
    }

    // =====================================================================================
    // Connection lifecycle
    // =====================================================================================

    Endpoint clientEndpoint(InetSocketAddress remote) throws IOException {
        if (clientEndpoint == null) {
            InetSocketAddress any = new InetSocketAddress(remote.getAddress() instanceof java.net.Inet6Address
                    ? java.net.InetAddress.getByName("::") : java.net.InetAddress.getByName("0.0.0.0"), 0);
            Endpoint endpoint = Endpoint.open(any, settings.portableSockets());
            try {
                endpoint.reportUnreachable(onNothingListening); // where it cannot, the handshake timeout ends the wait
                addEndpoint(endpoint);
            } catch (IOException | RuntimeException e) {
                endpoint.close();
                throw e;
            }
            clientEndpoint = endpoint;
        }
        return clientEndpoint;
    }

    void addEndpoint(Endpoint endpoint) throws IOException {
        engine.idler.register(endpoint);
        endpoints.add(endpoint);
    }

    private void removeEndpoint(Endpoint endpoint) {
        closedEndpointSendDrops += endpoint.sendDrops;
        endpoints.remove(endpoint);
        engine.idler.unregister(endpoint);
        endpoint.close();
    }

    private void connect(ConnectionState connection) {
        try {
            MemorySegment config = configs.client(connection.clientConfig);
            Endpoint endpoint = clientEndpoint(connection.peerAddress);
            byte[] scid = ids.next();
            Arena arena = Arena.ofConfined();
            connection.arena = arena;
            connection.endpoint = endpoint;
            connection.sourceId = arena.allocateFrom(ValueLayout.JAVA_BYTE, scid);
            connection.sourceIdKey = ConnectionIds.key(scid);
            connection.peerSockaddr = arena.allocate(SockAddr.STORAGE_LENGTH, 8);
            connection.peerSockaddrLength = SockAddr.NATIVE.write(connection.peerAddress, connection.peerSockaddr);
            connection.localAddress = endpoint.localAddress;
            connection.traceId = ConnectionIds.hex(connection.sourceId, 8);
            MemorySegment quiche = io.quicheengine.ffi.Quiche.connect(arena.allocateFrom(connection.serverName), connection.sourceId, scid.length,
                    endpoint.localSockaddr, endpoint.localSockaddrLength, connection.peerSockaddr, connection.peerSockaddrLength, config);
            if (quiche.address() == 0) {
                throw new IllegalStateException("quiche_connect refused the connection to " + connection.peerAddress);
            }
            resume(quiche, connection.resumeSession);
            adopt(connection, quiche);
            configureLogging(connection, connection.clientConfig.keyLogFile(), connection.clientConfig.qlogDirectory());
            markDirty(connection);
        } catch (IOException | RuntimeException e) {
            connection.state = ConnectionState.CLOSED;
            connection.closeReason = new CloseReason(false, false, TransportErrors.INTERNAL_ERROR, String.valueOf(e.getMessage()), false);
            if (connection.arena != null) {
                connection.arena.close();
                connection.arena = null;
            }
            connection.handshake.completeExceptionally(new ClosedException("cannot connect to " + connection.peerAddress + ": " + e.getMessage(), e));
            connection.closed.complete(connection.closeReason);
        }
    }

    /** Offers the session for resumption; only possible before the connection sent its first packet. */
    private static void resume(MemorySegment quiche, byte[] session) {
        if (session == null) {
            return;
        }
        int rc;
        try (Arena temporary = Arena.ofConfined()) { // quiche copies the session
            rc = QuicheConn.setSession(quiche, temporary.allocateFrom(ValueLayout.JAVA_BYTE, session), session.length);
        }
        if (rc < 0) {
            QuicheConn.free(quiche);
            throw new IllegalArgumentException("the session of " + session.length + " bytes is not one QuicConnection.session() gave"
                    + " (quiche_conn_set_session: " + QuicheError.describe(rc) + ")");
        }
    }

    /** Takes ownership of a fresh quiche connection: routing, counting, the live list, the handshake deadline. */
    void adopt(ConnectionState connection, MemorySegment quiche) {
        connection.quiche = quiche;
        if (connection.handshakeTimeoutNanos > 0) {
            connection.handshakeDeadline = now + connection.handshakeTimeoutNanos;
        }
        resources.connections.increment();
        connection.endpoint.bySourceId.put(connection.sourceIdKey, connection);
        connections.add(connection);
        if (connection.server != null) {
            connection.server.liveConnections++;
        }
    }

    void configureLogging(ConnectionState connection, java.nio.file.Path keyLog, java.nio.file.Path qlogDirectory) {
        if (keyLog == null && qlogDirectory == null) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            if (keyLog != null) {
                QuicheConn.setKeylogPath(connection.quiche, arena.allocateFrom(keyLog.toString()));
            }
            if (qlogDirectory != null) {
                String file = qlogDirectory.resolve(connection.traceId + (connection.client ? "-client" : "-server") + ".sqlog").toString();
                QuicheConn.setQlogPath(connection.quiche, arena.allocateFrom(file), arena.allocateFrom("quiche-engine"), arena.allocateFrom(connection.toString()));
            }
        }
    }

    /**
     * A close this side asked for: stop taking writes now, but send the CONNECTION_CLOSE only once
     * every byte and fin accepted so far is in quiche and acknowledged by the peer, or once the
     * request's flush time has passed (then the loss is reported, see {@link #closeIfFlushed}).
     */
    void closeAfterFlush(ConnectionState connection, CloseRequest request) {
        if (connection.finalized || connection.quiche.address() == 0) {
            return;
        }
        if (connection.closeDeadline != 0 || connection.pendingClose != null) {
            return; // already closing
        }
        if (connection.state < ConnectionState.CLOSING) {
            connection.state = ConnectionState.CLOSING; // writers stop here: what they got in before is what is owed
        }
        connection.discardUnread = true;
        connection.pendingClose = request;
        connection.flushDeadline = now + Math.max(request.flushNanos(), 0);
        for (StreamState stream : connection.streams.values()) {
            unpark(stream.writeWaiter);
            // The application will read no more: take in and drop what the peer sends, so a full
            // read ring does not stop the peer (or quiche) from finishing while the close waits.
            if (stream.canRead) {
                discardReadable(connection, stream.id);
            }
        }
        closeIfFlushed(connection, false);
        markDirty(connection);
    }

    /**
     * Sends the pending close once everything accepted is delivered (or quiche is closing anyway);
     * at the flush deadline, or when {@code force}d, it closes regardless and reports every stream
     * whose bytes or fin the peer did not acknowledge: their finish futures fail, and the error
     * handler is told.
     */
    private void closeIfFlushed(ConnectionState connection, boolean force) {
        CloseRequest request = connection.pendingClose;
        MemorySegment quiche = connection.quiche;
        boolean quicheClosing = QuicheConn.isDraining(quiche) || QuicheConn.isClosed(quiche);
        if (!quicheClosing && !force && now - connection.flushDeadline < 0 && !allDelivered(connection)) {
            return;
        }
        connection.pendingClose = null;
        if (!quicheClosing && !allDelivered(connection)) {
            reportUndelivered(connection, request);
        }
        closeConnection(connection, request.application(), request.code(), request.reason());
    }

    /** Every byte and fin the application got in is in quiche, and quiche saw every fin acknowledged. */
    private boolean allDelivered(ConnectionState connection) {
        if (!connection.unacked.isEmpty()) {
            return false;
        }
        for (StreamState stream : connection.streams.values()) {
            if (!handedOver(stream)) {
                return false;
            }
        }
        return true;
    }

    /** No accepted byte or fin of the stream waits in the ring or the pending buffer (or its write side is dead). */
    private static boolean handedOver(StreamState stream) {
        return writeDead(stream) || stream.creditUsed() == 0 && (!stream.finSubmitted || stream.finSent);
    }

    private void reportUndelivered(ConnectionState connection, CloseRequest request) {
        StringBuilder streams = new StringBuilder();
        for (StreamState stream : connection.streams.values()) {
            if (!handedOver(stream)) {
                streams.append(streams.isEmpty() ? "" : ", ").append(stream.id).append(" (").append(stream.creditUsed())
                        .append(" bytes not yet sent)");
            }
        }
        for (int i = 0; i < connection.unacked.size(); i++) {
            streams.append(streams.isEmpty() ? "" : ", ").append(connection.unacked.get(i).id).append(" (fin not acknowledged)");
        }
        ClosedException loss = new ClosedException("closing " + connection + " after " + request.flushNanos() / 1_000_000
                + " ms without the peer acknowledging everything accepted: streams " + streams);
        for (int i = 0; i < connection.unacked.size(); i++) {
            connection.unacked.get(i).finished.completeExceptionally(loss);
        }
        for (StreamState stream : connection.streams.values()) {
            stream.finished.completeExceptionally(loss);
        }
        settings.errorHandler().onError(connection.handle, loss.getMessage(), loss);
    }

    /**
     * Moves streams whose fin quiche took off the unacknowledged list once the peer acknowledged
     * every byte and the fin (the finish future succeeds) or the send side was stopped (it fails).
     *
     * <p>The optimized libquiche answers exactly, per stream, through the project's patch 0004
     * ({@link QuicheSendComplete}). Upstream quiche 0.24.5, and so the debug fallback, has no such
     * query; there it is inferred from quiche forgetting the stream, which it does only when the
     * stream is complete: every byte and the fin acknowledged and (bidirectional) the receive side
     * ended too. {@code quiche_conn_stream_capacity} then answers INVALID_STREAM_STATE; while the
     * peer's STOP_SENDING is known it answers STREAM_STOPPED instead. A bidirectional stream whose
     * receive side is still open cannot be complete there, so it is not asked about (no downcall
     * per cycle for a long-lived stream) unless the connection is closing; and a close waits for
     * the peer to end its side, or reports the fin unconfirmed.
     */
    private void checkAcknowledged(ConnectionState connection) {
        ArrayList<StreamState> unacked = connection.unacked;
        boolean exact = QuicheSendComplete.available();
        for (int i = unacked.size() - 1; i >= 0; i--) {
            StreamState stream = unacked.get(i);
            boolean acknowledged;
            boolean stopped;
            if (exact) {
                int answer = QuicheSendComplete.query(connection.quiche, stream.id);
                // DONE: quiche collected the stream, which it does only once the send side ended.
                acknowledged = answer == QuicheSendComplete.COMPLETE || answer == QuicheError.DONE.code();
                stopped = answer == QuicheError.STREAM_STOPPED.code();
            } else if (stream.canRead && !stream.readShutdown && stream.finalSize < 0 && stream.resetCode < 0 && connection.pendingClose == null) {
                continue;
            } else {
                long capacity = QuicheStream.capacity(connection.quiche, stream.id);
                acknowledged = capacity == QuicheError.INVALID_STREAM_STATE.code();
                stopped = capacity == QuicheError.STREAM_STOPPED.code();
            }
            if (acknowledged) {
                stream.finished.complete(null);
            } else if (stopped) {
                stream.finished.completeExceptionally(new ClosedException("stream " + stream.id + " was stopped by the peer (STOP_SENDING) before it acknowledged the fin"));
            } else if (!stream.finished.isDone()) {
                continue;
            }
            unacked.set(i, unacked.get(unacked.size() - 1));
            unacked.remove(unacked.size() - 1);
        }
    }

    /** quiche took the stream's fin: from now on the loop watches for the peer's acknowledgement. */
    private static void finHandedOver(StreamState stream) {
        stream.finSent = true;
        stream.connection.unacked.add(stream);
    }

    void closeConnection(ConnectionState connection, boolean application, long code, String reason) {
        if (connection.finalized || connection.quiche.address() == 0) {
            return;
        }
        if (connection.state < ConnectionState.CLOSING) {
            connection.state = ConnectionState.CLOSING;
        }
        connection.discardUnread = true;
        if (connection.closeDeadline == 0) {
            // Send what is pending first (quiche will not send handshake data once closing), and
            // bound the close: a CONNECTION_CLOSE quiche never manages to send must not keep it alive.
            flushEgress(connection);
            connection.closeDeadline = now + Math.max(settings.closeTimeout().toNanos(), 1);
        }
        byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment text = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, text, ValueLayout.JAVA_BYTE, 0, bytes.length);
            QuicheConn.close(connection.quiche, application, code, text, bytes.length);
        }
        flushEgress(connection); // the CONNECTION_CLOSE leaves now, before anything else can touch the connection
        markDirty(connection);
    }

    /**
     * An ICMP port unreachable came back for a datagram sent to {@code destination}: every
     * connection to it still in its handshake fails now instead of retrying until a timeout. An
     * established connection lives on: one ICMP message (spoofable, or from a peer restarting)
     * is no reason to drop it, and its own loss recovery and idle timeout decide.
     */
    private void onNothingListening(Endpoint endpoint, InetSocketAddress destination) {
        for (int i = connections.size() - 1; i >= 0; i--) {
            ConnectionState connection = connections.get(i);
            if (connection.endpoint == endpoint && connection.state == ConnectionState.HANDSHAKING && !connection.finalized
                    && destination.equals(connection.peerAddress)) {
                try {
                    failHandshake(connection, "nothing listening at " + hostAndPort(destination));
                } catch (RuntimeException e) {
                    failConnection(connection, "failing the handshake with " + connection.peerAddress, e);
                }
            }
        }
    }

    /** Ends a handshake that will not complete: the future fails with {@code why}, which is also the close reason. */
    private void failHandshake(ConnectionState connection, String why) {
        closeConnection(connection, false, TransportErrors.CONNECTION_REFUSED, why);
        connection.closeReason = closeReason(connection); // before the future fails: whoever it wakes may ask why
        connection.handshake.completeExceptionally(new ClosedException("the handshake with " + connection.peerAddress + " failed: " + why));
    }

    private static String durationText(long nanos) {
        long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    private static String hostAndPort(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        if (address.getAddress() instanceof java.net.Inet6Address v6) {
            host = "[" + (v6.getScopeId() == 0 && host.indexOf('%') >= 0 ? host.substring(0, host.indexOf('%')) : host) + "]";
        }
        return host + ":" + address.getPort();
    }

    /**
     * quiche is draining: a CONNECTION_CLOSE went out or came in. Say why now, rather than when the
     * draining period ends, so a failed handshake fails at once and writers stop early.
     */
    private void closing(ConnectionState connection) {
        CloseReason reason = closeReason(connection);
        connection.closeReason = reason;
        connection.state = ConnectionState.CLOSING;
        if (!connection.handshake.isDone()) {
            connection.handshake.completeExceptionally(new ClosedException("the handshake with " + connection.peerAddress + " failed: " + reason));
        }
        unpark(connection.streamLimitWaiter);
        unpark(connection.datagramWaiter);
        for (StreamState stream : connection.streams.values()) {
            unpark(stream.writeWaiter);
            unpark(stream.readWaiter);
        }
    }

    /** An exception while serving one connection closes that connection only, and is reported. */
    void failConnection(ConnectionState connection, String context, Throwable error) {
        settings.errorHandler().onError(connection.handle, context, error);
        if (connection.finalized) {
            return;
        }
        try {
            closeConnection(connection, false, TransportErrors.INTERNAL_ERROR, "internal error");
            flushEgress(connection);
        } catch (RuntimeException again) {
            settings.errorHandler().onError(connection.handle, "closing after an error", again);
        }
        finalizeConnection(connection);
    }

    /** The connection is closed (or must go now): report why, release streams and native memory. */
    void finalizeConnection(ConnectionState connection) {
        if (connection.finalized) {
            return;
        }
        connection.finalized = true;
        MemorySegment quiche = connection.quiche;
        if (connection.queuedDatagrams > 0) {
            datagramsLeftQuiche(connection);
            connection.countDatagramsDroppedOnClose(connection.queuedDatagrams); // quiche never sends them now
            connection.queuedDatagrams = 0;
        }
        CloseReason reason = engine.failure() != null && connection.closeReason != null ? connection.closeReason : closeReason(connection);
        publishStats(connection);
        connection.closeReason = reason;
        connection.state = ConnectionState.CLOSED;
        cancelTimer(connection);
        Endpoint endpoint = connection.endpoint;
        endpoint.bySourceId.remove(connection.sourceIdKey);
        if (connection.hasOriginalIdKey) {
            endpoint.byOriginalId.remove(connection.originalIdKey);
        }
        connections.remove(connection);
        ArrayList<StreamState> streams = new ArrayList<>(connection.streams.values());
        connection.finalizedAt = now;
        for (StreamState stream : streams) {
            dropPending(stream);
            unpark(stream.writeWaiter);
            unpark(stream.readWaiter);
            tryCollect(stream);
            if (!stream.collected && !toCollect.contains(stream)) {
                orphans.add(stream); // unread bytes stay readable for a while (UNREAD_AFTER_CLOSE_NANOS)
            }
        }
        connection.backlog.clear();
        if (connection.pendingClose != null) {
            connection.pendingClose = null; // quiche closed (or the engine stops) before the flush ended
        }
        ClosedException unconfirmed = new ClosedException("the peer did not acknowledge the whole stream before " + connection + " closed: " + reason);
        for (int i = 0; i < connection.unacked.size(); i++) {
            connection.unacked.get(i).finished.completeExceptionally(unconfirmed);
        }
        connection.unacked.clear();
        for (StreamState stream : streams) {
            stream.finished.completeExceptionally(unconfirmed);
        }
        QuicheConn.free(quiche);
        connection.quiche = MemorySegment.NULL;
        resources.connections.decrement();
        connection.arena.close();
        connection.arena = null;
        if (connection.server != null) {
            ServerState server = connection.server;
            server.liveConnections--;
            if (server.closed) {
                finishServerClose(server);
            }
        }
        unpark(connection.streamLimitWaiter);
        unpark(connection.datagramWaiter);
        if (!connection.handshake.isDone()) {
            connection.handshake.completeExceptionally(new ClosedException("the handshake with " + connection.peerAddress + " failed: " + reason));
        }
        connection.closed.complete(reason);
        QuicListener listener = connection.listener;
        if (listener != null) {
            try {
                listener.onConnectionClosed(connection.handle, reason);
            } catch (RuntimeException e) {
                settings.errorHandler().onError(connection.handle, "the listener's onConnectionClosed threw", e);
            }
        }
    }

    private CloseReason closeReason(ConnectionState connection) {
        MemorySegment quiche = connection.quiche;
        if (QuicheConn.peerError(quiche, isApp, errorCode, reasonPointer, reasonLength)) {
            return new CloseReason(true, isApp.get(ValueLayout.JAVA_BOOLEAN, 0), errorCode.get(ValueLayout.JAVA_LONG, 0),
                    borrowedString(reasonPointer, reasonLength), false);
        }
        if (QuicheConn.localError(quiche, isApp, errorCode, reasonPointer, reasonLength)) {
            return new CloseReason(false, isApp.get(ValueLayout.JAVA_BOOLEAN, 0), errorCode.get(ValueLayout.JAVA_LONG, 0),
                    borrowedString(reasonPointer, reasonLength), false);
        }
        if (QuicheConn.isTimedOut(quiche)) {
            return new CloseReason(false, false, 0, "", true);
        }
        return new CloseReason(false, false, 0, "", false);
    }

    private static String borrowedString(MemorySegment pointer, MemorySegment length) {
        long n = length.get(ValueLayout.JAVA_LONG, 0);
        MemorySegment address = pointer.get(ValueLayout.ADDRESS, 0);
        if (n <= 0 || address.address() == 0) {
            return "";
        }
        return new String(address.reinterpret(n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    // =====================================================================================
    // Servers
    // =====================================================================================

    void startServer(ServerState server, Endpoint endpoint) throws IOException {
        server.nativeConfig = configs.server(server.config);
        server.endpoint = endpoint;
        addEndpoint(endpoint);
        servers.add(server);
    }

    void closeServer(ServerState server) {
        if (server.closed) {
            return;
        }
        server.closed = true;
        for (int i = connections.size() - 1; i >= 0; i--) {
            ConnectionState connection = connections.get(i);
            if (connection.server == server) {
                closeAfterFlush(connection, new CloseRequest(true, 0, "server closing", settings.closeTimeout().toNanos()));
            }
        }
        finishServerClose(server);
    }

    private void finishServerClose(ServerState server) {
        if (server.liveConnections == 0 && servers.remove(server)) {
            removeEndpoint(server.endpoint);
            server.closedFuture.complete(null);
        }
    }

    int liveConnections() {
        return connections.size();
    }

    // =====================================================================================
    // Engine shutdown
    // =====================================================================================

    /** Loop: the engine is closing: close every connection once, then wait (bounded) for them to drain. */
    private int continueClosing() {
        if (closeDeadline == 0) {
            closeDeadline = now + settings.closeTimeout().toNanos();
            for (int i = connections.size() - 1; i >= 0; i--) {
                ConnectionState connection = connections.get(i);
                try {
                    closeAfterFlush(connection, new CloseRequest(true, 0, "engine closing", settings.closeTimeout().toNanos()));
                } catch (RuntimeException e) {
                    failConnection(connection, "closing for engine shutdown", e);
                }
            }
            return 1;
        }
        if (connections.isEmpty() || now - closeDeadline >= 0) {
            for (int i = connections.size() - 1; i >= 0; i--) {
                ConnectionState connection = connections.get(i);
                if (connection.pendingClose != null) {
                    try {
                        closeIfFlushed(connection, true); // the CONNECTION_CLOSE still leaves, and the loss is reported
                    } catch (RuntimeException e) {
                        failConnection(connection, "closing for engine shutdown", e);
                    }
                }
            }
            running = false;
        }
        return 0;
    }

    /**
     * The loop's last act, the one place where the engine's native memory is freed: after the duty
     * cycle ended, connections and configs go (quiche calls, so here on the loop thread), then the
     * shared arena (command slots, read rings, pending chunks, scratch) once no application thread
     * can touch it: every reader lease retired and every claimed command slot published. When that
     * cannot be had within {@link #RELEASE_WAIT_NANOS} the arena is leaked and reported, never freed
     * under a thread still using it.
     */
    private void shutDown(Throwable failure) {
        boolean arenaSafe = false;
        try {
            engine.loopEnded = true;
            if (failure != null) {
                failWaiters(engine.closedException());
            }
            abandonQueuedControl();
            long deadline = System.nanoTime() + RELEASE_WAIT_NANOS;
            boolean readersGone = releaseEverything(deadline);
            boolean producersGone = engine.commands.seal(deadline);
            arenaSafe = readersGone && producersGone;
            if (!arenaSafe) {
                settings.errorHandler().onError(null, "engine '" + settings.name() + "' leaks its native buffers ("
                        + (readersGone ? "" : "a reader kept its read ring's lease") + (readersGone || producersGone ? "" : " and ")
                        + (producersGone ? "" : "a producer never published a claimed command slot") + " for "
                        + RELEASE_WAIT_NANOS / 1_000_000 + " ms after the loop ended): freeing them could crash that thread",
                        new IllegalStateException("native memory still in use at engine close"));
            }
        } catch (Throwable t) {
            arenaSafe = false;
            try {
                settings.errorHandler().onError(null, "releasing the engine's resources failed: its native buffers are leaked", t);
            } catch (Throwable again) {
                LOG.log(System.Logger.Level.ERROR, "releasing the engine's resources failed", t);
            }
        } finally {
            if (arenaSafe) {
                freeArena();
            }
            engine.closed();
            if (failure != null) {
                terminated.completeExceptionally(failure);
            } else {
                terminated.complete(null);
            }
        }
    }

    /** The loop died: everything waiting on it fails with the cause now, before native memory is looked at. */
    private void failWaiters(ClosedException cause) {
        for (int i = 0; i < connections.size(); i++) {
            ConnectionState connection = connections.get(i);
            connection.failWith(cause);
            unpark(connection.streamLimitWaiter);
            for (StreamState stream : connection.streams.values()) {
                unpark(stream.writeWaiter);
                unpark(stream.readWaiter);
            }
        }
        for (int i = 0; i < orphans.size(); i++) {
            unpark(orphans.get(i).readWaiter);
        }
        for (int i = 0; i < toCollect.size(); i++) {
            unpark(toCollect.get(i).readWaiter);
        }
        for (ServerState server : servers) {
            server.closedFuture.completeExceptionally(cause);
        }
    }

    /** Control commands the loop will never run (the producer re-checks {@link EngineCore#loopEnded} for any arriving later). */
    private void abandonQueuedControl() {
        Command command;
        while ((command = localCommands.pollFirst()) != null) {
            engine.abandon(command);
        }
        while ((command = engine.control.poll()) != null) {
            engine.abandon(command);
        }
    }

    /**
     * Frees every connection and config, takes every read ring back from its reader and closes the
     * sockets.
     *
     * @return false when a reader still held a ring's lease at {@code deadline} (that ring stays in use)
     */
    private boolean releaseEverything(long deadline) {
        for (int i = connections.size() - 1; i >= 0; i--) {
            ConnectionState connection = connections.get(i);
            try {
                finalizeConnection(connection);
            } catch (RuntimeException e) {
                settings.errorHandler().onError(connection.handle, "freeing at engine close", e);
            }
        }
        // Readers hold the ring only for the length of one poll/read; wait for them (bounded), then take every ring back.
        boolean readersGone = true;
        toCollect.addAll(orphans);
        orphans.clear();
        for (StreamState stream : new ArrayList<>(toCollect)) {
            boolean retired;
            while (!(retired = stream.tryRetireReader()) && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(100_000);
            }
            if (!retired) {
                readersGone = false; // its ring is neither reset nor freed: the reader may still be looking at it
                continue;
            }
            StreamReadRing ring = stream.ring;
            if (ring != null) {
                stream.ring = null;
                rings.release(ring);
            }
            if (!stream.collected) {
                stream.collected = true;
                if (stream.registered) {
                    resources.streams.decrement();
                }
            }
        }
        toCollect.clear();
        for (Endpoint endpoint : new ArrayList<>(endpoints)) {
            removeEndpoint(endpoint);
        }
        for (ServerState server : servers) {
            server.closedFuture.complete(null);
        }
        servers.clear();
        try {
            configs.freeAll();
        } catch (RuntimeException e) {
            settings.errorHandler().onError(null, "freeing quiche configs", e);
        }
        try {
            engine.idler.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the selector", e);
        }
        return readersGone;
    }

    /** No thread can reach the arena any more: free it, and say so in the counters. */
    private void freeArena() {
        try {
            engine.arena.close();
        } catch (RuntimeException e) {
            settings.errorHandler().onError(null, "freeing the engine's native buffers failed: they are leaked", e);
            return;
        }
        resources.readRingsAllocated.reset();
        resources.readRingsInUse.reset();
        resources.pendingChunksAllocated.reset();
        resources.pendingChunksInUse.reset();
        resources.slotBytes.reset();
    }

    static void unpark(Thread thread) {
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }
}
