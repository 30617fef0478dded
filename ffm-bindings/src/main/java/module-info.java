/**
 * The FFM bindings of libquiche: loading the library, method handles, struct layouts, the
 * sockaddr codec, error codes. Internal to the engine: only {@code io.quicheengine.core} reads it.
 * (The perf and tools modules run on the class path, where this declaration does not apply.)
 */
module io.quicheengine.ffi {
    exports io.quicheengine.ffi to io.quicheengine.core;
}
