package io.quicheengine.ffi;

import static io.quicheengine.ffi.Downcalls.C_BOOL;
import static io.quicheengine.ffi.Downcalls.C_BYTE;
import static io.quicheengine.ffi.Downcalls.C_INT;
import static io.quicheengine.ffi.Downcalls.C_LONG;
import static io.quicheengine.ffi.Downcalls.C_POINTER;
import static io.quicheengine.ffi.Downcalls.downcall;
import static io.quicheengine.ffi.Downcalls.fn;
import static io.quicheengine.ffi.Downcalls.hotDowncall;
import static io.quicheengine.ffi.Downcalls.rethrow;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * {@code quiche_conn_stream_*}: stream I/O on a connection. The same one-thread-at-a-time rule as
 * {@link QuicheConn} applies.
 */
public final class QuicheStream {

    /** {@code enum quiche_shutdown}. */
    public static final int SHUTDOWN_READ = 0;
    public static final int SHUTDOWN_WRITE = 1;

    private static final MethodHandle RECV = hotDowncall("quiche_conn_stream_recv", fn(C_LONG, C_POINTER, C_LONG, C_POINTER, C_LONG, C_POINTER, C_POINTER));
    private static final MethodHandle SEND = hotDowncall("quiche_conn_stream_send", fn(C_LONG, C_POINTER, C_LONG, C_POINTER, C_LONG, C_BOOL, C_POINTER));
    // The same two functions with the buffer pointer passed as a raw address (ABI-identical on every
    // 64-bit platform): callers can point into the middle of a buffer without creating a slice.
    private static final MethodHandle RECV_TO_ADDRESS = hotDowncall("quiche_conn_stream_recv", fn(C_LONG, C_POINTER, C_LONG, C_LONG, C_LONG, C_POINTER, C_POINTER));
    private static final MethodHandle SEND_FROM_ADDRESS = hotDowncall("quiche_conn_stream_send", fn(C_LONG, C_POINTER, C_LONG, C_LONG, C_LONG, C_BOOL, C_POINTER));
    private static final MethodHandle PRIORITY = downcall("quiche_conn_stream_priority", fn(C_INT, C_POINTER, C_LONG, C_BYTE, C_BOOL));
    private static final MethodHandle SHUTDOWN = downcall("quiche_conn_stream_shutdown", fn(C_INT, C_POINTER, C_LONG, C_INT, C_LONG));
    private static final MethodHandle CAPACITY = hotDowncall("quiche_conn_stream_capacity", fn(C_LONG, C_POINTER, C_LONG));
    private static final MethodHandle READABLE = hotDowncall("quiche_conn_stream_readable", fn(C_BOOL, C_POINTER, C_LONG));
    private static final MethodHandle READABLE_NEXT = hotDowncall("quiche_conn_stream_readable_next", fn(C_LONG, C_POINTER));
    private static final MethodHandle WRITABLE = hotDowncall("quiche_conn_stream_writable", fn(C_INT, C_POINTER, C_LONG, C_LONG));
    private static final MethodHandle WRITABLE_NEXT = hotDowncall("quiche_conn_stream_writable_next", fn(C_LONG, C_POINTER));
    private static final MethodHandle FINISHED = hotDowncall("quiche_conn_stream_finished", fn(C_BOOL, C_POINTER, C_LONG));

    private QuicheStream() {
    }

    /** {@code quiche_conn_stream_recv}: copies readable bytes into {@code out}; {@code *fin} is set at the end of the stream, {@code *errorCode} on {@link QuicheError#STREAM_RESET}. Returns bytes read or a negative code. */
    public static long recv(MemorySegment conn, long streamId, MemorySegment out, long len, MemorySegment fin, MemorySegment errorCode) {
        Downcalls.checkCall("quiche_conn_stream_recv");
        try {
            return (long) RECV.invokeExact(conn, streamId, out, len, fin, errorCode);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_stream_send}: may take fewer bytes than offered; returns bytes taken, {@link QuicheError#DONE} when none, or a negative code ({@code *errorCode} set on {@link QuicheError#STREAM_STOPPED}). */
    public static long send(MemorySegment conn, long streamId, MemorySegment buf, long len, boolean fin, MemorySegment errorCode) {
        Downcalls.checkCall("quiche_conn_stream_send");
        try {
            return (long) SEND.invokeExact(conn, streamId, buf, len, fin, errorCode);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@link #recv} into native memory at {@code outAddress}, which must stay valid for {@code len}
     * bytes during the call. Lets a caller fill any region of a ring without allocating a slice.
     */
    public static long recvToAddress(MemorySegment conn, long streamId, long outAddress, long len, MemorySegment fin, MemorySegment errorCode) {
        Downcalls.checkCall("quiche_conn_stream_recv");
        try {
            return (long) RECV_TO_ADDRESS.invokeExact(conn, streamId, outAddress, len, fin, errorCode);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@link #send} from native memory at {@code bufAddress}, valid for {@code len} bytes during the call. */
    public static long sendFromAddress(MemorySegment conn, long streamId, long bufAddress, long len, boolean fin, MemorySegment errorCode) {
        Downcalls.checkCall("quiche_conn_stream_send");
        try {
            return (long) SEND_FROM_ADDRESS.invokeExact(conn, streamId, bufAddress, len, fin, errorCode);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_stream_priority}; 0 or a negative code. */
    public static int priority(MemorySegment conn, long streamId, byte urgency, boolean incremental) {
        Downcalls.checkCall("quiche_conn_stream_priority");
        try {
            return (int) PRIORITY.invokeExact(conn, streamId, urgency, incremental);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_stream_shutdown}: {@link #SHUTDOWN_READ} sends STOP_SENDING, {@link #SHUTDOWN_WRITE} sends RESET_STREAM, with application error {@code err}; 0 or a negative code. */
    public static int shutdown(MemorySegment conn, long streamId, int direction, long err) {
        Downcalls.checkCall("quiche_conn_stream_shutdown");
        try {
            return (int) SHUTDOWN.invokeExact(conn, streamId, direction, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_stream_capacity}: bytes the stream can take now, or a negative code. */
    public static long capacity(MemorySegment conn, long streamId) {
        Downcalls.checkCall("quiche_conn_stream_capacity");
        try {
            return (long) CAPACITY.invokeExact(conn, streamId);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_stream_readable}. */
    public static boolean readable(MemorySegment conn, long streamId) {
        Downcalls.checkCall("quiche_conn_stream_readable");
        try {
            return (boolean) READABLE.invokeExact(conn, streamId);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_stream_readable_next}: the next readable stream id, or -1 when none (edge-triggered; no allocation). */
    public static long readableNext(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_stream_readable_next");
        try {
            return (long) READABLE_NEXT.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_stream_writable}: 1 when {@code len} bytes fit, 0 when not, or a negative code. */
    public static int writable(MemorySegment conn, long streamId, long len) {
        Downcalls.checkCall("quiche_conn_stream_writable");
        try {
            return (int) WRITABLE.invokeExact(conn, streamId, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_stream_writable_next}: the next writable stream id, or -1 when none (edge-triggered; no allocation). */
    public static long writableNext(MemorySegment conn) {
        Downcalls.checkCall("quiche_conn_stream_writable_next");
        try {
            return (long) WRITABLE_NEXT.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_conn_stream_finished}: all data up to the fin was read, or the stream was reset. */
    public static boolean finished(MemorySegment conn, long streamId) {
        Downcalls.checkCall("quiche_conn_stream_finished");
        try {
            return (boolean) FINISHED.invokeExact(conn, streamId);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
