package io.quicheengine.perf.e2e;

/**
 * One system under test in the end-to-end benchmarks, over real UDP on 127.0.0.1. Each call
 * starts its own server and client (in this JVM, or the server in a child process where the
 * implementation supports it), runs, verifies the bytes, and tears everything down.
 *
 * <p>Called from one benchmark-driver thread at a time.
 */
public interface E2eSystem {
    /** A short stable name for reports, e.g. "netty-quic". */
    String name();

    BulkResult bulk(BulkSpec spec) throws Exception;

    PingPongResult pingPong(PingPongSpec spec) throws Exception;

    SeedResult seed(SeedSpec spec) throws Exception;
}
