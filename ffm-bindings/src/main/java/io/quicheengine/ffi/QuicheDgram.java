package io.quicheengine.ffi;

import static io.quicheengine.ffi.Downcalls.C_BOOL;
import static io.quicheengine.ffi.Downcalls.C_LONG;
import static io.quicheengine.ffi.Downcalls.C_POINTER;
import static io.quicheengine.ffi.Downcalls.downcall;
import static io.quicheengine.ffi.Downcalls.fn;
import static io.quicheengine.ffi.Downcalls.hotDowncall;
import static io.quicheengine.ffi.Downcalls.rethrow;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * QUIC DATAGRAM frames (RFC 9221) on a connection: {@code quiche_conn_dgram_*}. The config must
 * have enabled them. The same one-thread-at-a-time rule as {@link QuicheConn} applies.
 */
public final class QuicheDgram {

    private static final MethodHandle MAX_WRITABLE_LEN = downcall("quiche_conn_dgram_max_writable_len", fn(C_LONG, C_POINTER));
    private static final MethodHandle RECV_FRONT_LEN = downcall("quiche_conn_dgram_recv_front_len", fn(C_LONG, C_POINTER));
    private static final MethodHandle RECV_QUEUE_LEN = downcall("quiche_conn_dgram_recv_queue_len", fn(C_LONG, C_POINTER));
    private static final MethodHandle RECV_QUEUE_BYTE_SIZE = downcall("quiche_conn_dgram_recv_queue_byte_size", fn(C_LONG, C_POINTER));
    private static final MethodHandle SEND_QUEUE_LEN = downcall("quiche_conn_dgram_send_queue_len", fn(C_LONG, C_POINTER));
    private static final MethodHandle SEND_QUEUE_BYTE_SIZE = downcall("quiche_conn_dgram_send_queue_byte_size", fn(C_LONG, C_POINTER));
    private static final MethodHandle RECV = hotDowncall("quiche_conn_dgram_recv", fn(C_LONG, C_POINTER, C_POINTER, C_LONG));
    private static final MethodHandle SEND = hotDowncall("quiche_conn_dgram_send", fn(C_LONG, C_POINTER, C_POINTER, C_LONG));
    private static final MethodHandle IS_SEND_QUEUE_FULL = downcall("quiche_conn_is_dgram_send_queue_full", fn(C_BOOL, C_POINTER));
    private static final MethodHandle IS_RECV_QUEUE_FULL = downcall("quiche_conn_is_dgram_recv_queue_full", fn(C_BOOL, C_POINTER));

    private QuicheDgram() {
    }

    /** {@code quiche_conn_dgram_max_writable_len}: the largest DATAGRAM payload sendable now, or a negative code. */
    public static long maxWritableLen(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_dgram_max_writable_len");
        try {
            return (long) MAX_WRITABLE_LEN.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_dgram_recv_front_len}. */
    public static long recvFrontLen(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_dgram_recv_front_len");
        try {
            return (long) RECV_FRONT_LEN.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_dgram_recv_queue_len}. */
    public static long recvQueueLen(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_dgram_recv_queue_len");
        try {
            return (long) RECV_QUEUE_LEN.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_dgram_recv_queue_byte_size}. */
    public static long recvQueueByteSize(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_dgram_recv_queue_byte_size");
        try {
            return (long) RECV_QUEUE_BYTE_SIZE.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_dgram_send_queue_len}. */
    public static long sendQueueLen(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_dgram_send_queue_len");
        try {
            return (long) SEND_QUEUE_LEN.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_dgram_send_queue_byte_size}. */
    public static long sendQueueByteSize(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_dgram_send_queue_byte_size");
        try {
            return (long) SEND_QUEUE_BYTE_SIZE.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_dgram_recv}: the oldest received datagram into {@code buf}; its length, {@link QuicheError#DONE} when none, or a negative code. */
    public static long recv(MemorySegment conn, MemorySegment buf, long len) {
        Downcalls.checkCall("quiche_conn_dgram_recv");
        try {
            return (long) RECV.invokeExact(conn, buf, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_dgram_send}: queues one datagram; its length or a negative code. */
    public static long send(MemorySegment conn, MemorySegment buf, long len) {
        Downcalls.checkCall("quiche_conn_dgram_send");
        try {
            return (long) SEND.invokeExact(conn, buf, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_is_dgram_send_queue_full}. */
    public static boolean isSendQueueFull(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_is_dgram_send_queue_full");
        try {
            return (boolean) IS_SEND_QUEUE_FULL.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_is_dgram_recv_queue_full}. */
    public static boolean isRecvQueueFull(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_is_dgram_recv_queue_full");
        try {
            return (boolean) IS_RECV_QUEUE_FULL.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
