package io.quicheengine.perf.engine;

import io.quicheengine.QuicEngine;
import io.quicheengine.QuicServer;
import io.quicheengine.WaitStrategy;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A benchmark server: its own {@link QuicEngine} (one loop thread) bound to one UDP socket,
 * serving every stream on the loop thread with a {@link SinkListener} or an
 * {@link EchoServerListener}. {@link #start}, {@link #close} and the getters: any thread.
 */
public final class EngineServer implements AutoCloseable {
    private static final AtomicInteger SERVERS = new AtomicInteger();

    private final QuicEngine engine;
    private final QuicServer server;
    private final List<String> errors;

    private EngineServer(QuicEngine engine, QuicServer server, List<String> errors) {
        this.engine = engine;
        this.server = server;
        this.errors = errors;
    }

    /**
     * Starts the engine and binds.
     *
     * @param bind     where to listen; port 0 picks a free port ({@link #address()})
     * @param strategy the loop's (and application side's) wait strategy
     */
    public static EngineServer start(InetSocketAddress bind, EngineServerMode mode, WaitStrategy strategy) {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(strategy, "strategy");
        List<String> errors = new CopyOnWriteArrayList<>();
        QuicEngine engine = QuicEngine.builder()
                .name("qe-server-" + SERVERS.incrementAndGet())
                .loopWaitStrategy(strategy)
                .appWaitStrategy(strategy)
                .errorHandler((connection, context, error) -> errors.add(context + ": " + error))
                .build();
        try {
            QuicServer server = engine.bind(bind, EngineTransport.serverConfig(),
                    mode == EngineServerMode.SINK ? new SinkListener() : new EchoServerListener());
            return new EngineServer(engine, server, errors);
        } catch (RuntimeException | Error e) {
            engine.close();
            throw e;
        }
    }

    /** The bound UDP address (with the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return server.localAddress();
    }

    /** The name of the server engine's loop thread (for allocation probes). */
    public String loopThreadName() {
        return engine.name() + "-loop";
    }

    /** Errors the server engine reported so far (listener failures, e.g. a wrong byte at the sink). */
    public List<String> errors() {
        return List.copyOf(errors);
    }

    /** Closes every connection and stops the engine; waits until its memory is freed. */
    @Override
    public void close() {
        engine.close();
    }
}
