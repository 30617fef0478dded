package io.quicheengine.ffi;

/**
 * libquiche could not be found, loaded or accepted. The message names the platform and every
 * place that was tried.
 */
public final class QuicheLibraryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Who may call: the loader, on whichever thread loads the library first. */
    public QuicheLibraryException(String message) {
        super(message);
    }

    /** Who may call: the loader, on whichever thread loads the library first. */
    public QuicheLibraryException(String message, Throwable cause) {
        super(message, cause);
    }
}
