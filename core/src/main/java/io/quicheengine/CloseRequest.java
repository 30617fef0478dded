package io.quicheengine;

/**
 * A close this side asked for: the CONNECTION_CLOSE to send once every accepted byte (and fin)
 * was handed to quiche and acknowledged, or once {@code flushNanos} have passed. Immutable; made
 * by any thread, used by the loop.
 */
record CloseRequest(boolean application, long code, String reason, long flushNanos) {
}
