package io.quicheengine.perf.e2e;

/**
 * A ping-pong: the client writes {@code messageSize} bytes on one stream, the server echoes them,
 * the client waits for all of them before the next; {@code warmup} round trips are not recorded.
 */
public record PingPongSpec(int messageSize, int warmup, int count, String waitStrategy) {
}
