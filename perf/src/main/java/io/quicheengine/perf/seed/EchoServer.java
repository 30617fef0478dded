package io.quicheengine.perf.seed;

import java.util.concurrent.TimeUnit;

/**
 * The server application of the ping-pong and seed workloads: writes back everything it reads on
 * one stream, and ends the stream when the client ended it. Runs on its own application thread.
 */
final class EchoServer {

    private static final int BUFFER = 64 * 1024;
    private static final long WRITE_TIMEOUT_MILLIS = 30_000;

    private EchoServer() {
    }

    static void run(SeedTransport server, ReadableSignal signal, long streamId, long timeoutMillis) throws Exception {
        byte[] buffer = new byte[BUFFER];
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            long seen = signal.epoch();
            int n = server.read(streamId, buffer, 0, buffer.length);
            if (n > 0) {
                server.write(streamId, buffer, 0, n, false, WRITE_TIMEOUT_MILLIS);
            } else if (n < 0) {
                server.write(streamId, buffer, 0, 0, true, WRITE_TIMEOUT_MILLIS);
                return;
            } else {
                signal.awaitChange(seen, deadline, "data to echo on stream " + streamId);
            }
        }
    }
}
