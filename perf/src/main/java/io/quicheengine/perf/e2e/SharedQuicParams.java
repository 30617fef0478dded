package io.quicheengine.perf.e2e;

/**
 * The transport parameters every system under test uses in end-to-end benchmarks, so the
 * comparison is fair: our engine, raw quiche, Netty QUIC and the seed's locked designs all apply
 * exactly these. Immutable; any thread.
 */
public final class SharedQuicParams {
    public static final String ALPN = "perf";
    public static final long IDLE_TIMEOUT_MILLIS = 30_000;
    public static final int MAX_UDP_PAYLOAD = 1350;
    public static final long INITIAL_MAX_DATA = 64L << 20;
    public static final long INITIAL_MAX_STREAM_DATA = 16L << 20;
    public static final long INITIAL_MAX_STREAMS_BIDI = 1024;
    public static final long INITIAL_MAX_STREAMS_UNI = 16;
    public static final String CC_ALGORITHM = "cubic";

    private SharedQuicParams() {
    }
}
