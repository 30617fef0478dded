package io.quicheengine.ffi;

/**
 * The libquiche versions whose struct layouts these bindings know. {@link QuicheLibrary} reads
 * {@code quiche_version()} of the library it loads and refuses any other version: with a wrong
 * layout quiche would write past the structs Java allocates for it ({@code quiche_stats} grew in
 * 0.24.7, {@code quiche_path_stats} in 0.24.7 and 0.27.0). {@link Stats} and {@link PathStats}
 * pick their layout by {@link #loaded()}.
 *
 * <p>Immutable; any thread.
 */
public enum QuicheVersion {
    /** The debug build inside {@code jetty-quiche-native} (the fallback library). */
    V0_24_5("0.24.5"),
    /** The optimized build that {@code build-libquiche.sh} makes. */
    V0_29_3("0.29.3");

    private final String text;

    QuicheVersion(String text) {
        this.text = text;
    }

    /** As {@code quiche_version()} spells it, e.g. "0.29.3". */
    public String text() {
        return text;
    }

    /** The version of {@code quiche_version()}'s text, or null when these bindings do not know it. */
    static QuicheVersion find(String text) {
        for (QuicheVersion version : values()) {
            if (version.text.equals(text)) {
                return version;
            }
        }
        return null;
    }

    /** The loaded library's version (loads the library on first use). */
    public static QuicheVersion loaded() {
        return Loaded.VERSION;
    }

    private static final class Loaded {
        // QuicheLibrary refused the library when find() knows no such version.
        private static final QuicheVersion VERSION = find(QuicheLibrary.info().version());
    }

    @Override
    public String toString() {
        return text;
    }
}
