package io.quicheengine;

/**
 * Receives errors that the engine could not hand to a caller: an exception on the loop thread
 * (which closes only the affected connection), a listener that threw, a datagram that could not
 * be sent. Called on the loop thread; must not block.
 */
@FunctionalInterface
public interface ErrorHandler {
    /**
     * @param connection the affected connection, or null when the error is engine-wide
     * @param context    what the engine was doing, e.g. "processing stream 4 of connection ..."
     * @param error      what went wrong
     */
    void onError(QuicConnection connection, String context, Throwable error);

    /** Logs through {@link System.Logger} at WARNING. */
    ErrorHandler LOGGING = (connection, context, error) -> System.getLogger("io.quicheengine").log(System.Logger.Level.WARNING,
            (connection == null ? "" : connection + ": ") + context, error);
}
