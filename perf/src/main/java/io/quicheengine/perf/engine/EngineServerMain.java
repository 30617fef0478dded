package io.quicheengine.perf.engine;

import io.quicheengine.QuicEngine;
import io.quicheengine.WaitStrategy;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * Runs only the engine's server side, for two-process runs:
 * {@code EngineServerMain --port P --mode sink|echo --wait-strategy busy-spin|yielding|backoff|blocking [--host 127.0.0.1]}.
 * Prints one line ending in {@code listening on udp /HOST:PORT} once bound (port 0 picks one), then
 * runs until the process is stopped (SIGTERM or Ctrl-C closes the engine). Point
 * {@link EngineSystem#bulk(io.quicheengine.perf.e2e.BulkSpec, InetSocketAddress)} at a {@code sink}
 * server and the ping-pong and seed runs at an {@code echo} server. Main thread only.
 */
public final class EngineServerMain {
    private static final String USAGE = "usage: --port P --mode sink|echo --wait-strategy busy-spin|yielding|backoff|blocking [--host H]";

    private EngineServerMain() {
    }

    /** Starts the server and blocks until the process is stopped. */
    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = -1;
        EngineServerMode mode = null;
        WaitStrategy strategy = null;
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (value == null) {
                throw new IllegalArgumentException(args[i] + " needs a value; " + USAGE);
            }
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(value);
                case "--mode" -> mode = EngineServerMode.parse(value);
                case "--wait-strategy" -> strategy = WaitStrategies.parse(value);
                case "--host" -> host = value;
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'; " + USAGE);
            }
        }
        if (port < 0 || port > 65_535 || mode == null || strategy == null) {
            throw new IllegalArgumentException(USAGE + " (got port " + port + ", mode " + mode + ", wait strategy " + strategy + ")");
        }
        EngineServer server = EngineServer.start(new InetSocketAddress(host, port), mode, strategy);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "engine-server-stop"));
        System.out.println(EngineSystem.NAME + " server (" + mode.name().toLowerCase(Locale.ROOT) + ", "
                + WaitStrategies.label(strategy) + ", " + QuicEngine.library() + ") listening on udp " + server.address());
        System.out.flush();
        stopped.await();
    }
}
