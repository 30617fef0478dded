package io.quicheengine.ffi;

import static io.quicheengine.ffi.Downcalls.C_INT;
import static io.quicheengine.ffi.Downcalls.C_LONG;
import static io.quicheengine.ffi.Downcalls.C_POINTER;
import static io.quicheengine.ffi.Downcalls.fn;
import static io.quicheengine.ffi.Downcalls.rethrow;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * {@code quiche_conn_stream_send_complete}: whether the peer acknowledged every byte and the fin
 * of a stream's send side. Upstream quiche (0.24.5, 0.29.3) has no such call; the project's patch
 * {@code 0004-stream-send-complete.patch} adds it, so only the optimized build made by
 * build-libquiche.sh has it and the debug fallback does not: check {@link #available()} first.
 * The same one-thread-at-a-time rule as {@link QuicheConn} applies to {@link #query}.
 */
public final class QuicheSendComplete {

    /** The peer acknowledged every byte and the fin. */
    public static final int COMPLETE = 1;
    /** Not yet: the fin is not written, or bytes or the fin are unacknowledged. */
    public static final int PENDING = 0;

    private static final MethodHandle SEND_COMPLETE = Downcalls.optionalDowncall("quiche_conn_stream_send_complete",
            fn(C_INT, C_POINTER, C_LONG), Downcalls.CRITICAL);

    private QuicheSendComplete() {
    }

    /** Whether the loaded library exports the function; fixed for the life of the JVM. Any thread. */
    public static boolean available() {
        return SEND_COMPLETE != null;
    }

    /**
     * {@link #COMPLETE}, {@link #PENDING}, or a negative code: {@link QuicheError#STREAM_STOPPED}
     * when the send side was reset (this side's RESET_STREAM, or the peer's STOP_SENDING), so it
     * will never be complete; {@link QuicheError#DONE} when quiche already collected the stream
     * (both sides ended: the send side was fully acknowledged, or reset);
     * {@link QuicheError#INVALID_STREAM_STATE} when the stream never existed or has no send side
     * here (a unidirectional stream the peer opened).
     *
     * @throws QuicheLibraryException when the library does not export the function (see {@link #available()})
     */
    public static int query(MemorySegment conn, long streamId) {
        if (SEND_COMPLETE == null) {
            throw new QuicheLibraryException(QuicheLibrary.info() + " does not export quiche_conn_stream_send_complete"
                    + " (it comes from the project's patch 0004; the debug fallback lacks it)");
        }
        Downcalls.checkCall("quiche_conn_stream_send_complete");
        try {
            return (int) SEND_COMPLETE.invokeExact(conn, streamId);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
