package io.quicheengine.ffi;

import static io.quicheengine.ffi.Downcalls.C_BOOL;
import static io.quicheengine.ffi.Downcalls.C_INT;
import static io.quicheengine.ffi.Downcalls.C_LONG;
import static io.quicheengine.ffi.Downcalls.C_POINTER;
import static io.quicheengine.ffi.Downcalls.downcall;
import static io.quicheengine.ffi.Downcalls.fn;
import static io.quicheengine.ffi.Downcalls.hotDowncall;
import static io.quicheengine.ffi.Downcalls.rethrow;
import static io.quicheengine.ffi.Downcalls.voidFn;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * {@code quiche_conn_*}: one QUIC connection's packet I/O, timers, state, identity, errors and
 * statistics. Stream and datagram calls are in {@link QuicheStream} and {@link QuicheDgram}.
 *
 * <p>quiche connections are not thread-safe: every call on one {@code quiche_conn*} must come
 * from one thread at a time, and none after {@link #free}. These bindings do not check either;
 * the engine does. Out-parameters are Rust references and must never be NULL.
 */
public final class QuicheConn {

    private static final MethodHandle SET_KEYLOG_PATH = downcall("quiche_conn_set_keylog_path", fn(C_BOOL, C_POINTER, C_POINTER));
    private static final MethodHandle SET_QLOG_PATH = downcall("quiche_conn_set_qlog_path", fn(C_BOOL, C_POINTER, C_POINTER, C_POINTER, C_POINTER));
    private static final MethodHandle SET_SESSION = downcall("quiche_conn_set_session", fn(C_INT, C_POINTER, C_POINTER, C_LONG));
    private static final MethodHandle SET_MAX_IDLE_TIMEOUT = downcall("quiche_conn_set_max_idle_timeout", fn(C_INT, C_POINTER, C_LONG));
    private static final MethodHandle RECV = hotDowncall("quiche_conn_recv", fn(C_LONG, C_POINTER, C_POINTER, C_LONG, C_POINTER));
    private static final MethodHandle SEND = hotDowncall("quiche_conn_send", fn(C_LONG, C_POINTER, C_POINTER, C_LONG, C_POINTER));
    // recv/send with the packet buffer passed as a raw address (ABI-identical on 64-bit platforms),
    // so a caller can batch packets inside one buffer without slicing it.
    private static final MethodHandle RECV_FROM_ADDRESS = hotDowncall("quiche_conn_recv", fn(C_LONG, C_POINTER, C_LONG, C_LONG, C_POINTER));
    private static final MethodHandle SEND_TO_ADDRESS = hotDowncall("quiche_conn_send", fn(C_LONG, C_POINTER, C_LONG, C_LONG, C_POINTER));
    private static final MethodHandle SEND_QUANTUM = hotDowncall("quiche_conn_send_quantum", fn(C_LONG, C_POINTER));
    private static final MethodHandle MAX_SEND_UDP_PAYLOAD_SIZE = downcall("quiche_conn_max_send_udp_payload_size", fn(C_LONG, C_POINTER));
    private static final MethodHandle TIMEOUT_AS_NANOS = hotDowncall("quiche_conn_timeout_as_nanos", fn(C_LONG, C_POINTER));
    private static final MethodHandle TIMEOUT_AS_MILLIS = downcall("quiche_conn_timeout_as_millis", fn(C_LONG, C_POINTER));
    private static final MethodHandle ON_TIMEOUT = hotDowncall("quiche_conn_on_timeout", voidFn(C_POINTER));
    private static final MethodHandle CLOSE = downcall("quiche_conn_close", fn(C_INT, C_POINTER, C_BOOL, C_LONG, C_POINTER, C_LONG));
    private static final MethodHandle TRACE_ID = downcall("quiche_conn_trace_id", voidFn(C_POINTER, C_POINTER, C_POINTER));
    private static final MethodHandle SOURCE_ID = downcall("quiche_conn_source_id", voidFn(C_POINTER, C_POINTER, C_POINTER));
    private static final MethodHandle DESTINATION_ID = downcall("quiche_conn_destination_id", voidFn(C_POINTER, C_POINTER, C_POINTER));
    private static final MethodHandle APPLICATION_PROTO = downcall("quiche_conn_application_proto", voidFn(C_POINTER, C_POINTER, C_POINTER));
    private static final MethodHandle PEER_CERT = downcall("quiche_conn_peer_cert", voidFn(C_POINTER, C_POINTER, C_POINTER));
    private static final MethodHandle SESSION = downcall("quiche_conn_session", voidFn(C_POINTER, C_POINTER, C_POINTER));
    private static final MethodHandle SERVER_NAME = downcall("quiche_conn_server_name", voidFn(C_POINTER, C_POINTER, C_POINTER));
    private static final MethodHandle IS_ESTABLISHED = hotDowncall("quiche_conn_is_established", fn(C_BOOL, C_POINTER));
    private static final MethodHandle IS_RESUMED = downcall("quiche_conn_is_resumed", fn(C_BOOL, C_POINTER));
    private static final MethodHandle IS_IN_EARLY_DATA = downcall("quiche_conn_is_in_early_data", fn(C_BOOL, C_POINTER));
    private static final MethodHandle IS_READABLE = downcall("quiche_conn_is_readable", fn(C_BOOL, C_POINTER));
    private static final MethodHandle IS_DRAINING = hotDowncall("quiche_conn_is_draining", fn(C_BOOL, C_POINTER));
    private static final MethodHandle IS_CLOSED = hotDowncall("quiche_conn_is_closed", fn(C_BOOL, C_POINTER));
    private static final MethodHandle IS_TIMED_OUT = downcall("quiche_conn_is_timed_out", fn(C_BOOL, C_POINTER));
    private static final MethodHandle IS_SERVER = downcall("quiche_conn_is_server", fn(C_BOOL, C_POINTER));
    private static final MethodHandle PEER_STREAMS_LEFT_BIDI = downcall("quiche_conn_peer_streams_left_bidi", fn(C_LONG, C_POINTER));
    private static final MethodHandle PEER_STREAMS_LEFT_UNI = downcall("quiche_conn_peer_streams_left_uni", fn(C_LONG, C_POINTER));
    private static final MethodHandle PEER_ERROR = downcall("quiche_conn_peer_error", fn(C_BOOL, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER));
    private static final MethodHandle LOCAL_ERROR = downcall("quiche_conn_local_error", fn(C_BOOL, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER));
    private static final MethodHandle STATS = downcall("quiche_conn_stats", voidFn(C_POINTER, C_POINTER));
    private static final MethodHandle PEER_TRANSPORT_PARAMS = downcall("quiche_conn_peer_transport_params", fn(C_BOOL, C_POINTER, C_POINTER));
    private static final MethodHandle PATH_STATS = downcall("quiche_conn_path_stats", fn(C_INT, C_POINTER, C_LONG, C_POINTER));
    private static final MethodHandle SEND_ACK_ELICITING = downcall("quiche_conn_send_ack_eliciting", fn(C_LONG, C_POINTER));
    private static final MethodHandle READABLE = downcall("quiche_conn_readable", fn(C_POINTER, C_POINTER));
    private static final MethodHandle WRITABLE = downcall("quiche_conn_writable", fn(C_POINTER, C_POINTER));
    private static final MethodHandle STREAM_ITER_NEXT = downcall("quiche_stream_iter_next", fn(C_BOOL, C_POINTER, C_POINTER));
    private static final MethodHandle STREAM_ITER_FREE = downcall("quiche_stream_iter_free", voidFn(C_POINTER));
    private static final MethodHandle FREE = downcall("quiche_conn_free", voidFn(C_POINTER));

    private QuicheConn() {
    }

    /** {@code quiche_conn_set_keylog_path}: TLS secrets to a file (NSS key log format); the config must have {@code log_keys}. */
    public static boolean setKeylogPath(MemorySegment conn, MemorySegment path) {
        Downcalls.checkCall("quiche_conn_set_keylog_path");
        try {
            return (boolean) SET_KEYLOG_PATH.invokeExact(conn, path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_set_qlog_path}: writes a qlog trace; false when the library lacks the qlog feature or the file cannot be created. */
    public static boolean setQlogPath(MemorySegment conn, MemorySegment path, MemorySegment title, MemorySegment description) {
        Downcalls.checkCall("quiche_conn_set_qlog_path");
        try {
            return (boolean) SET_QLOG_PATH.invokeExact(conn, path, title, description);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_set_session}: resumes a TLS session; only right after {@link Quiche#connect}, before any packet. 0 or a negative code. */
    public static int setSession(MemorySegment conn, MemorySegment buf, long len) {
        Downcalls.checkCall("quiche_conn_set_session");
        try {
            return (int) SET_SESSION.invokeExact(conn, buf, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_set_max_idle_timeout}; 0 or a negative code. */
    public static int setMaxIdleTimeout(MemorySegment conn, long millis) {
        Downcalls.checkCall("quiche_conn_set_max_idle_timeout");
        try {
            return (int) SET_MAX_IDLE_TIMEOUT.invokeExact(conn, millis);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_recv}: processes one UDP payload, <b>decrypting {@code buf} in place</b>; returns bytes processed or a negative code. {@code info} is a {@link RecvInfo}. */
    public static long recv(MemorySegment conn, MemorySegment buf, long len, MemorySegment info) {
        Downcalls.checkCall("quiche_conn_recv");
        try {
            return (long) RECV.invokeExact(conn, buf, len, info);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_send}: writes one UDP payload to send into {@code out}; returns its length, {@link QuicheError#DONE} when there is nothing to send, or another negative code. {@code info} is a {@link SendInfo}. */
    public static long send(MemorySegment conn, MemorySegment out, long len, MemorySegment info) {
        Downcalls.checkCall("quiche_conn_send");
        try {
            return (long) SEND.invokeExact(conn, out, len, info);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@link #recv} from native memory at {@code bufAddress} ({@code len} bytes, decrypted in place). */
    public static long recvFromAddress(MemorySegment conn, long bufAddress, long len, MemorySegment info) {
        Downcalls.checkCall("quiche_conn_recv");
        try {
            return (long) RECV_FROM_ADDRESS.invokeExact(conn, bufAddress, len, info);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@link #send} into native memory at {@code outAddress}, valid for {@code len} bytes during the call. */
    public static long sendToAddress(MemorySegment conn, long outAddress, long len, MemorySegment info) {
        Downcalls.checkCall("quiche_conn_send");
        try {
            return (long) SEND_TO_ADDRESS.invokeExact(conn, outAddress, len, info);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_send_quantum}: how many bytes congestion control allows to send now (for GSO batching). */
    public static long sendQuantum(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_send_quantum");
        try {
            return (long) SEND_QUANTUM.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_max_send_udp_payload_size}. */
    public static long maxSendUdpPayloadSize(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_max_send_udp_payload_size");
        try {
            return (long) MAX_SEND_UDP_PAYLOAD_SIZE.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_timeout_as_nanos}: nanoseconds until {@link #onTimeout} is due; -1 (UINT64_MAX) when no timer is armed. */
    public static long timeoutAsNanos(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_timeout_as_nanos");
        try {
            return (long) TIMEOUT_AS_NANOS.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_timeout_as_millis}; -1 (UINT64_MAX) when no timer is armed. */
    public static long timeoutAsMillis(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_timeout_as_millis");
        try {
            return (long) TIMEOUT_AS_MILLIS.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_on_timeout}: runs the timer that {@link #timeoutAsNanos} announced. */
    public static void onTimeout(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_on_timeout");
        try {
            ON_TIMEOUT.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_close}: starts closing with CONNECTION_CLOSE (an application close when {@code app}); 0, or {@link QuicheError#DONE} when already closed. */
    public static int close(MemorySegment conn, boolean app, long err, MemorySegment reason, long reasonLen) {
        Downcalls.checkCall("quiche_conn_close");
        try {
            return (int) CLOSE.invokeExact(conn, app, err, reason, reasonLen);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_trace_id}: stores a pointer into the connection in {@code *out} (copy it before the connection changes) and the length in {@code *outLen}. */
    public static void traceId(MemorySegment conn, MemorySegment out, MemorySegment outLen) {
        Downcalls.checkCall("quiche_conn_trace_id");
        try {
            TRACE_ID.invokeExact(conn, out, outLen);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_source_id}: borrowed pointer and length, as {@link #traceId}. */
    public static void sourceId(MemorySegment conn, MemorySegment out, MemorySegment outLen) {
        Downcalls.checkCall("quiche_conn_source_id");
        try {
            SOURCE_ID.invokeExact(conn, out, outLen);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_destination_id}: borrowed pointer and length, as {@link #traceId}. */
    public static void destinationId(MemorySegment conn, MemorySegment out, MemorySegment outLen) {
        Downcalls.checkCall("quiche_conn_destination_id");
        try {
            DESTINATION_ID.invokeExact(conn, out, outLen);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_application_proto}: the negotiated ALPN (borrowed; empty before the handshake). */
    public static void applicationProto(MemorySegment conn, MemorySegment out, MemorySegment outLen) {
        Downcalls.checkCall("quiche_conn_application_proto");
        try {
            APPLICATION_PROTO.invokeExact(conn, out, outLen);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_peer_cert}: the peer's leaf certificate, DER (borrowed). */
    public static void peerCert(MemorySegment conn, MemorySegment out, MemorySegment outLen) {
        Downcalls.checkCall("quiche_conn_peer_cert");
        try {
            PEER_CERT.invokeExact(conn, out, outLen);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_session}: the serialized TLS session for resumption (borrowed). */
    public static void session(MemorySegment conn, MemorySegment out, MemorySegment outLen) {
        Downcalls.checkCall("quiche_conn_session");
        try {
            SESSION.invokeExact(conn, out, outLen);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_server_name}: the SNI the client asked for (borrowed). */
    public static void serverName(MemorySegment conn, MemorySegment out, MemorySegment outLen) {
        Downcalls.checkCall("quiche_conn_server_name");
        try {
            SERVER_NAME.invokeExact(conn, out, outLen);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_is_established}. */
    public static boolean isEstablished(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_is_established");
        try {
            return (boolean) IS_ESTABLISHED.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_is_resumed}. */
    public static boolean isResumed(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_is_resumed");
        try {
            return (boolean) IS_RESUMED.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_is_in_early_data}. */
    public static boolean isInEarlyData(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_is_in_early_data");
        try {
            return (boolean) IS_IN_EARLY_DATA.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_is_readable}: some stream has data to read. */
    public static boolean isReadable(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_is_readable");
        try {
            return (boolean) IS_READABLE.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_is_draining}. */
    public static boolean isDraining(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_is_draining");
        try {
            return (boolean) IS_DRAINING.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_is_closed}: the connection may be freed. */
    public static boolean isClosed(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_is_closed");
        try {
            return (boolean) IS_CLOSED.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_is_timed_out}: closed by the idle timeout. */
    public static boolean isTimedOut(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_is_timed_out");
        try {
            return (boolean) IS_TIMED_OUT.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_is_server}. */
    public static boolean isServer(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_is_server");
        try {
            return (boolean) IS_SERVER.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_peer_streams_left_bidi}: bidirectional streams the peer still lets us open. */
    public static long peerStreamsLeftBidi(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_peer_streams_left_bidi");
        try {
            return (long) PEER_STREAMS_LEFT_BIDI.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_peer_streams_left_uni}. */
    public static long peerStreamsLeftUni(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_peer_streams_left_uni");
        try {
            return (long) PEER_STREAMS_LEFT_UNI.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_peer_error}: the CONNECTION_CLOSE the peer sent, if any. No out-parameter may be NULL; {@code *reason} is borrowed. */
    public static boolean peerError(MemorySegment conn, MemorySegment isApp, MemorySegment errorCode, MemorySegment reason, MemorySegment reasonLen) {
        Downcalls.checkCall("quiche_conn_peer_error");
        try {
            return (boolean) PEER_ERROR.invokeExact(conn, isApp, errorCode, reason, reasonLen);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_local_error}: the CONNECTION_CLOSE we sent, if any. As {@link #peerError}. */
    public static boolean localError(MemorySegment conn, MemorySegment isApp, MemorySegment errorCode, MemorySegment reason, MemorySegment reasonLen) {
        Downcalls.checkCall("quiche_conn_local_error");
        try {
            return (boolean) LOCAL_ERROR.invokeExact(conn, isApp, errorCode, reason, reasonLen);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_stats} into a {@link Stats} segment. */
    public static void stats(MemorySegment conn, MemorySegment out) {
        Downcalls.checkCall("quiche_conn_stats");
        try {
            STATS.invokeExact(conn, out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_peer_transport_params} into a {@link TransportParams} segment; false before they are known. */
    public static boolean peerTransportParams(MemorySegment conn, MemorySegment out) {
        Downcalls.checkCall("quiche_conn_peer_transport_params");
        try {
            return (boolean) PEER_TRANSPORT_PARAMS.invokeExact(conn, out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_path_stats} of path {@code index} into a {@link PathStats} segment; 0 or a negative code. */
    public static int pathStats(MemorySegment conn, long index, MemorySegment out) {
        Downcalls.checkCall("quiche_conn_path_stats");
        try {
            return (int) PATH_STATS.invokeExact(conn, index, out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_send_ack_eliciting}: queues a PING if nothing else would elicit an ACK; 0 or a negative code. */
    public static long sendAckEliciting(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_send_ack_eliciting");
        try {
            return (long) SEND_ACK_ELICITING.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_readable}: an iterator over readable streams (allocates; prefer {@link QuicheStream#readableNext}). Free it with {@link #streamIterFree}. */
    public static MemorySegment readable(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_readable");
        try {
            return (MemorySegment) READABLE.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_writable}: an iterator over writable streams (allocates; prefer {@link QuicheStream#writableNext}). */
    public static MemorySegment writable(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_writable");
        try {
            return (MemorySegment) WRITABLE.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_stream_iter_next}: the next stream id into {@code *streamId}; false when exhausted. */
    public static boolean streamIterNext(MemorySegment iter, MemorySegment streamId) {
        Downcalls.checkCall("quiche_stream_iter_next");
        try {
            return (boolean) STREAM_ITER_NEXT.invokeExact(iter, streamId);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_stream_iter_free}. */
    public static void streamIterFree(MemorySegment iter) {
        Downcalls.checkCall("quiche_stream_iter_free");
        try {
            STREAM_ITER_FREE.invokeExact(iter);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_free}: the connection and every pointer borrowed from it become invalid. */
    public static void free(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_free");
        try {
            FREE.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
