package io.quicheengine.ffi;

import static io.quicheengine.ffi.Downcalls.C_BOOL;
import static io.quicheengine.ffi.Downcalls.C_INT;
import static io.quicheengine.ffi.Downcalls.C_LONG;
import static io.quicheengine.ffi.Downcalls.C_POINTER;
import static io.quicheengine.ffi.Downcalls.downcall;
import static io.quicheengine.ffi.Downcalls.fn;
import static io.quicheengine.ffi.Downcalls.rethrow;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The library-wide part of the quiche C API: version, logging, packet header parsing, version
 * negotiation, retry, and creating connections ({@code quiche_accept}, {@code quiche_connect}).
 *
 * <p>Pointers are passed as {@link MemorySegment}s; return values are the raw C values (negative
 * ones are {@link QuicheError} codes). These functions keep no state, but a {@code quiche_conn}
 * they create must then be used by one thread at a time: that is the caller's business.
 */
public final class Quiche {

    /** {@code QUICHE_PROTOCOL_VERSION}: QUIC version 1. */
    public static final int PROTOCOL_VERSION = 0x00000001;
    /** {@code QUICHE_MAX_CONN_ID_LEN}. */
    public static final int MAX_CONN_ID_LEN = 20;
    /** {@code QUICHE_MIN_CLIENT_INITIAL_LEN}. */
    public static final int MIN_CLIENT_INITIAL_LEN = 1200;

    /** {@code quiche_header_info} packet types. */
    public static final int TYPE_INITIAL = 1;
    public static final int TYPE_RETRY = 2;
    public static final int TYPE_HANDSHAKE = 3;
    public static final int TYPE_ZERO_RTT = 4;
    public static final int TYPE_SHORT = 5;
    public static final int TYPE_VERSION_NEGOTIATION = 6;

    private static final MethodHandle VERSION = downcall("quiche_version", fn(C_POINTER));
    private static final MethodHandle ENABLE_DEBUG_LOGGING = downcall("quiche_enable_debug_logging",
            fn(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle HEADER_INFO = downcall("quiche_header_info", fn(C_INT,
            C_POINTER, C_LONG, C_LONG, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER));
    private static final MethodHandle NEGOTIATE_VERSION = downcall("quiche_negotiate_version",
            fn(C_LONG, C_POINTER, C_LONG, C_POINTER, C_LONG, C_POINTER, C_LONG));
    private static final MethodHandle RETRY = downcall("quiche_retry", fn(C_LONG,
            C_POINTER, C_LONG, C_POINTER, C_LONG, C_POINTER, C_LONG, C_POINTER, C_LONG, C_INT, C_POINTER, C_LONG));
    private static final MethodHandle VERSION_IS_SUPPORTED = downcall("quiche_version_is_supported", fn(C_BOOL, C_INT));
    private static final MethodHandle ACCEPT = downcall("quiche_accept", fn(C_POINTER,
            C_POINTER, C_LONG, C_POINTER, C_LONG, C_POINTER, C_INT, C_POINTER, C_INT, C_POINTER));
    private static final MethodHandle CONNECT = downcall("quiche_connect", fn(C_POINTER,
            C_POINTER, C_POINTER, C_LONG, C_POINTER, C_INT, C_POINTER, C_INT, C_POINTER));

    private static volatile MemorySegment debugLogStub;

    private Quiche() {
    }

    /** {@code quiche_version()}, e.g. "0.29.3". */
    public static String version() {
        Downcalls.checkCall("quiche_version");
        try {
            return ((MemorySegment) VERSION.invokeExact()).reinterpret(64).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code quiche_enable_debug_logging}: every log line of quiche goes to {@code sink}, on
     * whichever thread is inside quiche at the time. Callable once per process (quiche's logger is
     * global); requires {@code -Dquiche.ffm.critical=false}, because a critical downcall must not
     * call back into Java.
     *
     * @return 0 on success, -1 when a logger was already set
     */
    public static int enableDebugLogging(Consumer<String> sink) {
        Objects.requireNonNull(sink, "sink");
        if (Downcalls.CRITICAL) {
            throw new IllegalStateException("quiche debug logging calls back into Java, which critical downcalls forbid: "
                    + "start the JVM with -Dquiche.ffm.critical=false to use it");
        }
        synchronized (Quiche.class) {
            if (debugLogStub != null) {
                return -1;
            }
            try {
                MethodHandle target = MethodHandles.lookup().findStatic(Quiche.class, "logLine",
                        MethodType.methodType(void.class, Consumer.class, MemorySegment.class, MemorySegment.class)).bindTo(sink);
                MemorySegment stub = Linker.nativeLinker().upcallStub(target, FunctionDescriptor.ofVoid(C_POINTER, C_POINTER), Arena.global());
                int result = (int) ENABLE_DEBUG_LOGGING.invokeExact(stub, MemorySegment.NULL);
                debugLogStub = stub;
                return result;
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }
    }

    private static void logLine(Consumer<String> sink, MemorySegment line, MemorySegment argp) {
        try {
            sink.accept(line.reinterpret(Integer.MAX_VALUE).getString(0));
        } catch (RuntimeException e) {
            // An exception must not unwind into Rust: that would abort the process.
        }
    }

    /**
     * {@code quiche_header_info}: parses the header of {@code buf}. Every out-parameter must be a
     * real segment (never NULL); {@code scidLen}, {@code dcidLen} and {@code tokenLen} carry the
     * buffers' capacities in and the lengths out.
     *
     * @return 0, or a negative {@link QuicheError} code
     */
    public static int headerInfo(MemorySegment buf, long bufLen, long dcil, MemorySegment version, MemorySegment type,
                                 MemorySegment scid, MemorySegment scidLen, MemorySegment dcid, MemorySegment dcidLen,
                                 MemorySegment token, MemorySegment tokenLen) {
        Downcalls.checkCall("quiche_header_info");
        try {
            return (int) HEADER_INFO.invokeExact(buf, bufLen, dcil, version, type, scid, scidLen, dcid, dcidLen, token, tokenLen);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_negotiate_version}: writes a Version Negotiation packet; returns its length or an error code. */
    public static long negotiateVersion(MemorySegment scid, long scidLen, MemorySegment dcid, long dcidLen,
                                        MemorySegment out, long outLen) {
        Downcalls.checkCall("quiche_negotiate_version");
        try {
            return (long) NEGOTIATE_VERSION.invokeExact(scid, scidLen, dcid, dcidLen, out, outLen);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_retry}: writes a Retry packet; returns its length or an error code. */
    public static long retry(MemorySegment scid, long scidLen, MemorySegment dcid, long dcidLen, MemorySegment newScid,
                             long newScidLen, MemorySegment token, long tokenLen, int version, MemorySegment out, long outLen) {
        Downcalls.checkCall("quiche_retry");
        try {
            return (long) RETRY.invokeExact(scid, scidLen, dcid, dcidLen, newScid, newScidLen, token, tokenLen, version, out, outLen);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_version_is_supported}. */
    public static boolean versionIsSupported(int version) {
        Downcalls.checkCall("quiche_version_is_supported");
        try {
            return (boolean) VERSION_IS_SUPPORTED.invokeExact(version);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code quiche_accept}: a server-side connection. {@code odcid} may be NULL (length 0) when
     * no retry took place. Socket addresses must be 16 or 28 bytes long (see {@link SockAddr}).
     *
     * @return the new {@code quiche_conn*}, or NULL on failure
     */
    public static MemorySegment accept(MemorySegment scid, long scidLen, MemorySegment odcid, long odcidLen,
                                       MemorySegment local, int localLen, MemorySegment peer, int peerLen, MemorySegment config) {
        Downcalls.checkCall("quiche_accept");
        try {
            return (MemorySegment) ACCEPT.invokeExact(scid, scidLen, odcid, odcidLen, local, localLen, peer, peerLen, config);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code quiche_connect}: a client-side connection; {@code serverName} (a C string, or NULL)
     * is sent as SNI and checked against the certificate when the config verifies peers.
     *
     * @return the new {@code quiche_conn*}, or NULL on failure
     */
    public static MemorySegment connect(MemorySegment serverName, MemorySegment scid, long scidLen,
                                        MemorySegment local, int localLen, MemorySegment peer, int peerLen, MemorySegment config) {
        Downcalls.checkCall("quiche_connect");
        try {
            return (MemorySegment) CONNECT.invokeExact(serverName, scid, scidLen, local, localLen, peer, peerLen, config);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
