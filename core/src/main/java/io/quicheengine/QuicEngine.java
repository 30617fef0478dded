package io.quicheengine;

import io.quicheengine.ffi.Downcalls;
import io.quicheengine.ffi.QuicheLibrary;
import io.quicheengine.internal.buffers.NativeResources;
import io.quicheengine.internal.io.Endpoint;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * A QUIC engine: one event-loop thread that alone calls quiche, serving client connections and
 * servers. Application threads hand it commands through a lock-free Disruptor ring and read
 * stream bytes from per-stream off-heap rings.
 *
 * <pre>{@code
 * try (QuicEngine engine = QuicEngine.builder()
 *         .loopWaitStrategy(WaitStrategy.BUSY_SPIN)
 *         .appWaitStrategy(WaitStrategy.BACKOFF)
 *         .build()) {
 *     QuicConnection connection = engine.connect(server, clientConfig).awaitHandshake(Duration.ofSeconds(5));
 *     QuicStream stream = connection.openBidirectionalStream();
 *     stream.write(request, 0, request.length, true, Duration.ofSeconds(1));
 *     int n = stream.read(response, 0, response.length, Duration.ofSeconds(1));
 * }
 * }</pre>
 *
 * <p>In invoker mode ({@link Builder#invoker(boolean)}) there is no loop thread: the thread that
 * built the engine runs each duty cycle by calling {@link #doWork()}, and stands for the loop
 * thread everywhere below.
 *
 * <p>Every public method may be called from any thread. {@link #close()} from the loop thread (a
 * listener callback) only starts the close; from any other thread it waits until everything is freed.
 * Native memory is freed in one place only: by the loop thread as its last act, once no
 * application thread can still touch it (see {@link #close()}). When the loop dies on an unexpected
 * throwable the engine is closed: waiters and futures fail, and later calls throw a
 * {@link ClosedException} naming the cause. Control calls (opening, resetting or stopping a stream,
 * closing, connecting) never wait for command-ring space; only when the loop is stalled (a listener
 * callback blocking it) with a thousand of them queued does one wait, at most 10 s, and then throw
 * a {@link QuicTimeoutException}.
 */
public final class QuicEngine implements AutoCloseable {
    private static final AtomicInteger ENGINES = new AtomicInteger();

    static {
        JvmFlags.snapshot(); // first: the engine's own restricted calls would hide a missing --enable-native-access
        if (Downcalls.CALL_CHECKS) {
            Downcalls.callObserver(LoopThread::checkCall);
        }
    }

    private final EngineCore core;
    private final EventLoop loop;
    /** The loop thread, or null in invoker mode. */
    private final LoopThread thread;
    /** The owner's duty cycle in invoker mode, or null. */
    private final Invoker invoker;

    private QuicEngine(boolean invokerMode, EngineSettings settings) {
        // Fail here, on the caller's thread, naming what is missing: a JVM flag, or the library.
        JvmFlags.check();
        QuicheLibrary.info();
        this.core = new EngineCore(settings);
        this.loop = new EventLoop(core);
        if (invokerMode) {
            this.thread = null;
            this.invoker = new Invoker(core, loop, Thread.currentThread());
            core.start(loop, Thread.currentThread(), invoker);
            LoopThread.ownerStarted();
        } else {
            this.thread = new LoopThread(loop, settings.name());
            this.invoker = null;
            core.start(loop, thread, null);
            thread.start();
        }
    }

    /**
     * Invoker mode only ({@link Builder#invoker(boolean)}): runs one duty cycle of the engine on the
     * calling thread, which must be the thread that built the engine: takes commands, receives
     * datagrams into quiche, fires timers, fills read rings (calling listeners), sends. Call it
     * from the application's own duty cycle and idle when it returns 0, as Aeron's
     * {@code AgentInvoker.invoke()}. Once the engine has closed it does nothing and returns 0.
     * When the cycle throws, the engine closes as when a loop thread dies: the error handler is
     * told and later calls throw a {@link ClosedException} naming the cause.
     *
     * @return the work done (0 when there was none)
     * @throws IllegalStateException when the engine has a loop thread, when called on any thread
     *                               but the owner, or from inside a duty cycle (a listener callback)
     */
    public int doWork() {
        if (invoker == null) {
            throw new IllegalStateException("engine '" + core.settings.name()
                    + "' runs its own loop thread: doWork is for engines built with invoker(true)");
        }
        return invoker.doWork();
    }

    /** True for an engine without a loop thread, driven by {@link #doWork()} on the thread that built it. */
    public boolean isInvoker() {
        return invoker != null;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The libquiche this JVM loaded: path, version, build kind (release/debug/custom) and where it
     * was found. Loads it on first use. Any thread.
     *
     * @throws io.quicheengine.ffi.QuicheLibraryException when no usable library was found; the message says what was tried
     */
    public static LibraryInfo library() {
        QuicheLibrary.Info info = QuicheLibrary.info();
        return new LibraryInfo(info.path().toString(), info.version(), info.kind().name().toLowerCase(java.util.Locale.ROOT),
                LibraryInfo.Origin.valueOf(info.origin().name()));
    }

    /**
     * Which libquiche is loaded. Immutable; any thread.
     *
     * @param path      the library file (for a jar's library, where it was extracted)
     * @param version   what {@code quiche_version()} returned
     * @param buildKind {@code release} (optimized, with the project's patches), {@code debug} (the slow
     *                  fallback) or {@code custom} (a file you named; its build is unknown)
     * @param origin    where the loader found it
     */
    public record LibraryInfo(String path, String version, String buildKind, Origin origin) {

        /** Where the library came from, in the order the loader looks (README, "Choosing the libquiche"). */
        public enum Origin {
            /** A file named by {@code -Dquiche.library=/path}, {@code -Dquiche.library.path} or {@code QUICHE_LIBRARY_PATH}. */
            EXPLICIT_PATH,
            /** The platform jar {@code quiche-engine-ffm-bindings-VERSION-<classifier>.jar} on the class path. */
            PLATFORM_JAR,
            /** The optimized build this machine's build left in {@code ~/.cache/quiche-engine}. */
            CACHE,
            /** The debug build inside {@code jetty-quiche-native}: slow, without the project's patches. */
            FALLBACK_JAR
        }

        @Override
        public String toString() {
            return "libquiche " + version + " (" + buildKind + ") from " + origin.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " " + path;
        }
    }

    /** Connects to {@code remote}; the application polls for peer streams ({@link QuicConnection#acceptStream()}). */
    public QuicConnection connect(InetSocketAddress remote, ClientConfig config) {
        return connect(remote, config, null);
    }

    /**
     * Starts a connection to {@code remote} and returns at once; await {@link QuicConnection#handshake()}.
     *
     * @param listener callbacks on the loop thread, or null to poll
     * @throws IllegalArgumentException when the address is unresolved or its port is 0
     * @throws ClosedException          when the engine is closed
     */
    public QuicConnection connect(InetSocketAddress remote, ClientConfig config, QuicListener listener) {
        return connect(remote, config, listener, null);
    }

    /**
     * Starts a connection that resumes {@code session}, a value an earlier connection to the same
     * server gave by {@link QuicConnection#session()}: the handshake skips the certificate exchange,
     * and with {@link ClientConfig.Builder#earlyData(boolean)} on (and a server that accepts it)
     * streams can be opened and written at once, in 0-RTT, before the handshake completes. A server
     * that refuses the session or its early data gets a full handshake, and the early bytes again
     * after it. Any thread.
     *
     * @param session the serialized session, or null for a full handshake
     * @throws IllegalArgumentException when {@code session} is empty, or the address is unresolved or its port 0;
     *                                  a session quiche cannot parse fails the handshake future instead
     * @throws ClosedException          when the engine is closed
     */
    public QuicConnection connect(InetSocketAddress remote, ClientConfig config, QuicListener listener, byte[] session) {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(config, "config");
        if (remote.isUnresolved()) {
            throw new IllegalArgumentException("remote " + remote + " is unresolved: resolve the host name first (unknown host?)");
        }
        if (remote.getPort() == 0) {
            throw new IllegalArgumentException("remote " + remote + " has port 0");
        }
        core.checkOpen();
        String serverName = config.serverName() != null ? config.serverName() : remote.getHostString();
        if (session != null && session.length == 0) {
            throw new IllegalArgumentException("session is empty: pass null for a full handshake, or the bytes QuicConnection.session() returned");
        }
        ConnectionState connection = new ConnectionState(core, true, listener, null, config, serverName, remote, config.transport());
        connection.resumeSession = session == null ? null : session.clone();
        core.submitControl(Command.CONNECT, connection, null, 0, false, null);
        return connection.handle;
    }

    /** Binds a server whose new connections are queued for {@link QuicServer#accept()}. */
    public QuicServer bind(InetSocketAddress local, ServerConfig config) {
        return bind(local, config, null);
    }

    /**
     * Binds a UDP socket on {@code local} (port 0: any free port) and serves QUIC on it. Returns
     * once the socket is bound and the certificate loaded, so errors surface here.
     *
     * @param listener callbacks on the loop thread for this server's connections, or null to poll
     * @throws QuicException when the port is in use or the certificate or key cannot be loaded
     */
    public QuicServer bind(InetSocketAddress local, ServerConfig config, QuicListener listener) {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(config, "config");
        if (local.isUnresolved()) {
            throw new IllegalArgumentException("local address " + local + " is unresolved");
        }
        core.checkOpen();
        Endpoint endpoint;
        try {
            endpoint = Endpoint.open(local, core.settings.portableSockets());
        } catch (BindException e) {
            throw new QuicException("cannot bind UDP " + local + ": " + e.getMessage() + " (port in use?)", e);
        } catch (IOException e) {
            throw new QuicException("cannot bind UDP " + local + ": " + e.getMessage(), e);
        }
        ServerState server = new ServerState(core, config, listener, endpoint.localAddress);
        CompletableFuture<Void> started = new CompletableFuture<>();
        Runnable start = () -> {
            try {
                loop.startServer(server, endpoint);
                started.complete(null);
            } catch (IOException | RuntimeException e) {
                endpoint.close();
                started.completeExceptionally(e);
            }
        };
        if (core.onLoopThread()) {
            start.run();
        } else {
            core.submitControl(Command.RUN, null, null, 0, false, start);
        }
        try {
            // Either the loop started the server, or it ended and never will.
            CompletableFuture.anyOf(started, loop.terminated()).get(30, TimeUnit.SECONDS);
            if (!started.isDone()) {
                endpoint.close(); // the loop ended without ever taking the socket
                throw core.closedException();
            }
            started.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new QuicException("cannot serve on " + endpoint.localAddress + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new QuicException("the engine's loop did not start the server on " + endpoint.localAddress + " within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuicException("interrupted while starting the server on " + endpoint.localAddress, e);
        }
        return server.handle;
    }

    /** Memory and liveness figures; any thread. */
    public EngineStats stats() {
        NativeResources r = core.resources;
        return new EngineStats(r.connections.sum(), r.streams.sum(), r.connections.sum(), r.configs.sum(),
                r.readRingsInUse.sum(), r.readRingsAllocated.sum(), r.readRingsAllocated.sum() * core.settings.readRingCapacity(),
                r.pendingChunksInUse.sum(), r.pendingChunksAllocated.sum(), r.slotBytes.sum(), core.bufferedReadBytes, core.pendingWriteBytes,
                core.datagramsDroppedOnSend);
    }

    /** The loop thread's id (the owner's in invoker mode), for tests that measure its allocation. */
    long loopThreadId() {
        return thread != null ? thread.threadId() : invoker.owner().threadId();
    }

    /** True once {@link #close()} was called or the loop died; any thread. */
    public boolean isClosed() {
        return core.state() != EngineCore.RUNNING;
    }

    public String name() {
        return core.settings.name();
    }

    /**
     * Closes every connection with CONNECTION_CLOSE once what it accepted was delivered, as
     * {@link QuicConnection#close()} does (undelivered bytes after the close timeout are reported
     * to the error handler), stops the loop, which then frees all native memory. From any thread
     * but the loop's, waits for that (at most the close timeout + 10 s; if the loop is still busy
     * then, for example in a listener callback that blocks, it is reported and the loop frees the
     * memory when it ends). The loop frees read rings and command slots only once no reader holds a
     * ring and no writer is copying into a slot; when one still does 2 s after the loop ended, that
     * memory is leaked and reported to the error handler rather than freed under it
     * ({@link #stats()} keeps counting it). Harmless when repeated, and after the loop died.
     */
    @Override
    public void close() {
        core.beginClose();
        core.wakeLoop();
        if (core.waitsForItself()) {
            return;
        }
        if (invoker != null && invoker.isOwner()) {
            long deadline = System.nanoTime() + core.settings.closeTimeout().toNanos() + 10_000_000_000L;
            invoker.await(loop.terminated(), deadline);
            if (!loop.terminated().isDone()) {
                core.settings.errorHandler().onError(null, "engine '" + core.settings.name() + "' did not finish closing within "
                        + (core.settings.closeTimeout().toMillis() + 10_000) + " ms of duty cycles",
                        new IllegalStateException("engine still closing"));
            }
            return;
        }
        try {
            loop.terminated().get(core.settings.closeTimeout().toMillis() + 10_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // The loop died: already reported, and it released what it safely could.
        } catch (TimeoutException e) {
            core.settings.errorHandler().onError(null, "the loop of engine '" + core.settings.name() + "' did not stop within "
                    + (core.settings.closeTimeout().toMillis() + 10_000) + " ms: it frees the native memory when it ends", e);
        }
    }

    @Override
    public String toString() {
        return "QuicEngine[" + core.settings.name() + "]";
    }

    /** Configures a {@link QuicEngine}; not thread-safe. Every setter checks its argument and names it when wrong. */
    public static final class Builder {
        private String name = "quiche-engine-" + ENGINES.incrementAndGet();
        private WaitStrategy loopWaitStrategy = WaitStrategy.BACKOFF;
        private WaitStrategy appWaitStrategy = WaitStrategy.BACKOFF;
        private IdleStrategy loopIdleStrategy;
        private IdleStrategy appIdleStrategy;
        private int commandRingSize = 4096;
        private int slotSize = 4096;
        private int readRingCapacity = 256 * 1024;
        private int maxReadRings = 65536;
        private long streamWriteBound = 1L << 20;
        private long connectionWriteBound = 8L << 20;
        private int pendingChunkSize = 16 * 1024;
        private Duration closeTimeout = Duration.ofSeconds(2);
        private Duration statsInterval = Duration.ofMillis(100);
        private ErrorHandler errorHandler = ErrorHandler.LOGGING;
        private boolean portableSockets = !io.quicheengine.ffi.LinuxUdp.AVAILABLE;
        private boolean invoker;

        private Builder() {
        }

        /** Names the engine and its loop thread. */
        public Builder name(String value) {
            Objects.requireNonNull(value, "name");
            if (value.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = value;
            return this;
        }

        /** How the loop idles when a duty cycle found no work (default BACKOFF). Replaces a {@link #loopIdleStrategy}. */
        public Builder loopWaitStrategy(WaitStrategy value) {
            this.loopWaitStrategy = Objects.requireNonNull(value, "loopWaitStrategy");
            this.loopIdleStrategy = null;
            return this;
        }

        /**
         * How the loop idles, by the application's own Agrona strategy instead of a {@link WaitStrategy}
         * (replaces it). Called only by the engine's loop thread: {@code idle()} after a duty cycle
         * that found no work, {@code reset()} after one that did; so a stateful strategy such as
         * {@link BackoffIdleStrategy} is fine here, given to one engine only.
         *
         * <p>Nothing ends its idle early: unlike the BACKOFF and BLOCKING wait strategies, which sleep
         * in a socket wait that a datagram or a new command ends, this strategy's sleeps delay the
         * handling of both, and of quiche's timers, by up to its longest sleep. Spinning, yielding and
         * short-backoff strategies suit it; for a loop that sleeps long, use {@link WaitStrategy#BLOCKING}.
         */
        public Builder loopIdleStrategy(IdleStrategy value) {
            this.loopIdleStrategy = Objects.requireNonNull(value, "loopIdleStrategy");
            return this;
        }

        /** How application threads wait in blocking reads and writes (default BACKOFF). Replaces an {@link #appIdleStrategy}. */
        public Builder appWaitStrategy(WaitStrategy value) {
            this.appWaitStrategy = Objects.requireNonNull(value, "appWaitStrategy");
            this.appIdleStrategy = null;
            return this;
        }

        /**
         * How application threads wait in blocking calls ({@code write}, {@code read}, {@code finish}
         * with a timeout, {@code awaitDatagramCredit}, opening a stream with a timeout), by the
         * application's own Agrona strategy instead of a {@link WaitStrategy} (replaces it). Every
         * waiting application thread calls this one instance at once ({@code reset()} as a wait
         * begins, then {@code idle()} between checks), so it must be safe to share: Agrona's
         * {@code NoOpIdleStrategy}, {@code BusySpinIdleStrategy}, {@code YieldingIdleStrategy} and
         * {@code SleepingIdleStrategy} are; {@link BackoffIdleStrategy} keeps one thread's progress
         * and is refused (use {@link WaitStrategy#BACKOFF}, which keeps it per wait).
         *
         * <p>A waiting thread registers with the loop as with BLOCKING, so a strategy that parks
         * ({@code LockSupport.parkNanos}) is unparked as soon as the data or credit it waits for
         * arrives. Timeouts are checked between idles: one idle may overrun a deadline by its length.
         * Waits for what the loop does not signal (a connection or stream to accept, command-ring
         * space) use {@link WaitStrategy#BACKOFF} instead, so they never sleep long.
         *
         * @throws IllegalArgumentException when given a {@link BackoffIdleStrategy}
         */
        public Builder appIdleStrategy(IdleStrategy value) {
            Objects.requireNonNull(value, "appIdleStrategy");
            if (value instanceof BackoffIdleStrategy) {
                throw new IllegalArgumentException("appIdleStrategy must be safe to share between threads; BackoffIdleStrategy keeps one "
                        + "thread's state: use appWaitStrategy(WaitStrategy.BACKOFF) or a stateless strategy");
            }
            this.appIdleStrategy = value;
            return this;
        }

        /** Events in the command ring: a power of two, 64..1048576 (default 4096). */
        public Builder commandRingSize(int value) {
            if (value < 64 || value > 1 << 20 || Integer.bitCount(value) != 1) {
                throw new IllegalArgumentException("commandRingSize must be a power of two in 64..1048576, was " + value);
            }
            this.commandRingSize = value;
            return this;
        }

        /** Payload bytes per command slot: 64..1 MiB (default 4096); larger writes take several slots. */
        public Builder slotSize(int value) {
            if (value < 64 || value > 1 << 20) {
                throw new IllegalArgumentException("slotSize must be 64..1048576, was " + value);
            }
            this.slotSize = value;
            return this;
        }

        /** Bytes of each stream's read ring: a power of two, 4 KiB..1 GiB (default 256 KiB). */
        public Builder readRingCapacity(int value) {
            if (value < 4096 || value > 1 << 30 || Integer.bitCount(value) != 1) {
                throw new IllegalArgumentException("readRingCapacity must be a power of two in 4096..2^30, was " + value);
            }
            this.readRingCapacity = value;
            return this;
        }

        /** Read rings that may exist at once, engine-wide (default 65536); beyond it streams wait for one. */
        public Builder maxReadRings(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxReadRings must be at least 1, was " + value);
            }
            this.maxReadRings = value;
            return this;
        }

        /** Bytes a stream may have accepted but not yet handed to quiche (default 1 MiB). */
        public Builder streamWriteBound(long value) {
            if (value < 1) {
                throw new IllegalArgumentException("streamWriteBound must be at least 1, was " + value);
            }
            this.streamWriteBound = value;
            return this;
        }

        /** Bytes a connection may have accepted but not yet handed to quiche, all streams (default 8 MiB). */
        public Builder connectionWriteBound(long value) {
            if (value < 1) {
                throw new IllegalArgumentException("connectionWriteBound must be at least 1, was " + value);
            }
            this.connectionWriteBound = value;
            return this;
        }

        /** How long {@link QuicEngine#close()} lets connections drain (default 2 s). */
        public Builder closeTimeout(Duration value) {
            Objects.requireNonNull(value, "closeTimeout");
            if (value.isNegative()) {
                throw new IllegalArgumentException("closeTimeout must not be negative, was " + value);
            }
            this.closeTimeout = value;
            return this;
        }

        /** How often the loop publishes connection statistics (default 100 ms). */
        public Builder statsInterval(Duration value) {
            Objects.requireNonNull(value, "statsInterval");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("statsInterval must be positive, was " + value);
            }
            this.statsInterval = value;
            return this;
        }

        /** Receives errors the engine cannot hand to a caller (default: log at WARNING). */
        public Builder errorHandler(ErrorHandler value) {
            this.errorHandler = Objects.requireNonNull(value, "errorHandler");
            return this;
        }

        /**
         * Use Java NIO sockets (one system call per datagram) even on Linux, where the engine
         * otherwise drives native sockets with UDP GSO/GRO through FFM (default: NIO only where
         * the Linux path is unavailable).
         */
        public Builder portableSockets(boolean value) {
            this.portableSockets = value || !io.quicheengine.ffi.LinuxUdp.AVAILABLE;
            return this;
        }

        /**
         * Invoker mode (default off): no loop thread; the thread that calls {@link #build()} owns the
         * engine and drives it with {@link QuicEngine#doWork()} in its own duty cycle, so a process
         * needs one spinning thread. The owner is then the engine's loop thread in every respect:
         * <ul>
         *   <li>Listener callbacks run inside its {@code doWork}.</li>
         *   <li>Its stream writes ({@code offer}, {@code write}) go straight to quiche when no
         *       command from any thread is queued ahead; otherwise, and inside a callback, they take
         *       the command ring like any other thread's, so bytes keep their order. quiche sends
         *       them in the next {@code doWork}.</li>
         *   <li>Its blocking calls (awaitHandshake, blocking read/write, opening a stream with a
         *       timeout, awaitDatagramCredit, {@link QuicEngine#close()}, {@link QuicEngine#bind})
         *       run duty cycles while they wait, idling by {@link #loopWaitStrategy} between them,
         *       up to their deadline. Inside a callback they fail with IllegalStateException, as on
         *       a loop thread.</li>
         * </ul>
         * Other threads may use the engine as usual (their commands wait in the ring for the
         * owner's next {@code doWork}); their blocking calls wait for the owner to drive the engine,
         * and {@code close()} from them returns once the owner's duty cycles finished the close.
         */
        public Builder invoker(boolean value) {
            this.invoker = value;
            return this;
        }

        /**
         * Starts the engine's loop thread, or, in invoker mode, makes the calling thread the owner.
         *
         * @throws IllegalStateException when the JVM lacks a flag the engine needs; the message names it
         * @throws io.quicheengine.ffi.QuicheLibraryException when no usable libquiche was found (with
         *         {@code -Dquiche.library=release}: no optimized one), naming the platform jar to add
         */
        public QuicEngine build() {
            return new QuicEngine(invoker, new EngineSettings(name, loopWaitStrategy, appWaitStrategy, loopIdleStrategy, appIdleStrategy,
                    commandRingSize, slotSize, readRingCapacity,
                    maxReadRings, streamWriteBound, connectionWriteBound, pendingChunkSize, closeTimeout, statsInterval, errorHandler, portableSockets));
        }
    }
}
