package io.quicheengine;

/**
 * Why a connection closed. Immutable; any thread.
 *
 * @param byPeer      the peer sent CONNECTION_CLOSE (false: this side closed, or the idle timer or an error did)
 * @param application an application error code (true) or a QUIC transport error code (false)
 * @param errorCode   the code carried by CONNECTION_CLOSE (0: no error)
 * @param reason      the reason phrase, possibly empty
 * @param idleTimeout closed because nothing was heard for the idle timeout
 */
public record CloseReason(boolean byPeer, boolean application, long errorCode, String reason, boolean idleTimeout) {

    /** True for an orderly close: no error code, no timeout. */
    public boolean isClean() {
        return errorCode == 0 && !idleTimeout;
    }

    @Override
    public String toString() {
        if (idleTimeout) {
            return "closed by the idle timeout";
        }
        String who = byPeer ? "closed by the peer" : "closed by this side";
        String code = application ? "application error " + errorCode : "transport error " + TransportErrors.name(errorCode);
        return who + " with " + code + (reason.isEmpty() ? "" : " (" + reason + ")");
    }
}
