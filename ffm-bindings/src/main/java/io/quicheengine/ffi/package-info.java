/**
 * Panama FFM bindings for the libquiche C API (0.29.3, and 0.24.5 for the debug fallback): the library loader ({@link io.quicheengine.ffi.QuicheLibrary}),
 * one class per area of {@code quiche.h} holding its downcall handles ({@link io.quicheengine.ffi.Quiche},
 * {@link io.quicheengine.ffi.QuicheConfig}, {@link io.quicheengine.ffi.QuicheConn},
 * {@link io.quicheengine.ffi.QuicheStream}, {@link io.quicheengine.ffi.QuicheDgram}), one flyweight per C struct,
 * the sockaddr codec and the error codes.
 *
 * <p>A thin, honest layer: it knows nothing of threads or of the engine. quiche objects are not
 * thread-safe; keeping every call on one thread is the caller's job.
 */
package io.quicheengine.ffi;
