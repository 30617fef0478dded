package io.quicheengine.perf.netty;

import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;

/**
 * Runs only the server side, for two-process runs:
 * {@code NettyQuicServerMain --port P --mode sink|echo [--host 127.0.0.1]}. Runs until the
 * process is stopped (Ctrl-C or SIGTERM closes the server). Point
 * {@link NettyQuicSystem#bulk(io.quicheengine.perf.e2e.BulkSpec, InetSocketAddress)} at a
 * {@code sink} server, and the ping-pong and seed runs at an {@code echo} server. Called from
 * the main thread only.
 */
public final class NettyQuicServerMain {
    private NettyQuicServerMain() {
    }

    /** Starts the server and blocks until the process is stopped. */
    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = -1;
        ServerMode mode = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(required(args[i], value));
                case "--mode" -> mode = ServerMode.parse(required(args[i], value));
                case "--host" -> host = required(args[i], value);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                        + "'; usage: --port P --mode sink|echo [--host H]");
            }
            i++;
        }
        if (port < 0 || port > 65_535 || mode == null) {
            throw new IllegalArgumentException("usage: --port P --mode sink|echo [--host H] (port 0..65535, got "
                    + port + ", mode " + mode + ")");
        }
        NettyQuicServer server = NettyQuicServer.start(new InetSocketAddress(host, port), mode);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "netty-quic-server-stop"));
        System.out.println(NettyQuicSystem.NAME + " server (" + mode.name().toLowerCase(java.util.Locale.ROOT)
                + ") listening on udp " + server.address());
        stopped.await();
    }

    private static String required(String flag, String value) {
        if (value == null) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return value;
    }
}
