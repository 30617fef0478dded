package io.quicheengine.tools;

/**
 * A problem the user can fix (a bad argument, a missing server, an untrusted certificate, a peer
 * that closed with an error): {@link QuicMain} prints its message as one line on stderr and exits
 * with {@link #EXIT_CODE}. Thrown on whichever thread found the problem.
 */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The exit code of every bad-input or connection failure. */
    static final int EXIT_CODE = 2;

    CliException(String message) {
        super(message, null, false, false);
    }
}
