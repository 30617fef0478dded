package io.quicheengine;

/**
 * Connection and stream events, called on the engine's loop thread. Every method must return
 * quickly and must not block: the loop serves every connection of the engine. Non-blocking calls
 * on streams ({@code offer}, {@code poll}, {@code read} without timeout) are fine here.
 *
 * <p>An exception thrown from a callback closes that connection (INTERNAL_ERROR) and goes to the
 * engine's {@link ErrorHandler}. Without a listener the application polls instead:
 * {@link QuicServer#accept()}, {@link QuicConnection#acceptStream()}, {@link QuicStream#poll}.
 */
public interface QuicListener {
    /** The handshake completed; streams may be opened. */
    default void onHandshakeComplete(QuicConnection connection) {
    }

    /** The peer opened a stream. */
    default void onStreamOpened(QuicStream stream) {
    }

    /** New bytes (or the end of the stream) are ready to read. */
    default void onStreamReadable(QuicStream stream) {
    }

    /** A write that came back short can make progress again: credit returned. */
    default void onStreamWritable(QuicStream stream) {
    }

    /** The peer reset the stream (RESET_STREAM): reads fail with {@link StreamResetException}. */
    default void onStreamReset(QuicStream stream, long applicationErrorCode) {
    }

    /** The peer asked us to stop sending (STOP_SENDING): writes fail from now on. */
    default void onStreamStopped(QuicStream stream, long applicationErrorCode) {
    }

    /** QUIC DATAGRAMs arrived: take them with {@link QuicConnection#pollDatagrams}. */
    default void onDatagramsReadable(QuicConnection connection) {
    }

    /**
     * {@link QuicConnection#offerDatagram} said false before, and now has room again (datagrams
     * left quiche's send queue, or the command ring drained): offer again.
     */
    default void onDatagramsWritable(QuicConnection connection) {
    }

    /** The connection closed and its resources were released (streams with unread bytes keep them until read). */
    default void onConnectionClosed(QuicConnection connection, CloseReason reason) {
    }
}
