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
        if (Downcalls.CALL_CHECKS) {
            Downcalls.callObserver(LoopThread::checkCall);
        }
    }

    private final EngineCore core;
    private final EventLoop loop;
    private final LoopThread thread;

    private QuicEngine(EngineSettings settings) {
        QuicheLibrary.info(); // fail here, on the caller's thread, if the library cannot be loaded
        this.core = new EngineCore(settings);
        this.loop = new EventLoop(core);
        this.thread = new LoopThread(loop, settings.name());
        core.start(loop, thread);
        thread.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The libquiche this JVM loaded: path, version, build kind (release/debug/custom). */
    public static LibraryInfo library() {
        QuicheLibrary.Info info = QuicheLibrary.info();
        return new LibraryInfo(info.path().toString(), info.version(), info.kind().name().toLowerCase(java.util.Locale.ROOT));
    }

    /** Which libquiche is loaded. */
    public record LibraryInfo(String path, String version, String buildKind) {
        @Override
        public String toString() {
            return "libquiche " + version + " (" + buildKind + ") from " + path;
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

    /** The loop thread's id, for tests that measure its allocation. */
    long loopThreadId() {
        return thread.threadId();
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
        if (core.onLoopThread()) {
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

        /** How the loop idles when a duty cycle found no work (default BACKOFF). */
        public Builder loopWaitStrategy(WaitStrategy value) {
            this.loopWaitStrategy = Objects.requireNonNull(value, "loopWaitStrategy");
            return this;
        }

        /** How application threads wait in blocking reads and writes (default BACKOFF). */
        public Builder appWaitStrategy(WaitStrategy value) {
            this.appWaitStrategy = Objects.requireNonNull(value, "appWaitStrategy");
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

        /** Starts the engine's loop thread. */
        public QuicEngine build() {
            return new QuicEngine(new EngineSettings(name, loopWaitStrategy, appWaitStrategy, commandRingSize, slotSize, readRingCapacity,
                    maxReadRings, streamWriteBound, connectionWriteBound, pendingChunkSize, closeTimeout, statsInterval, errorHandler, portableSockets));
        }
    }
}
