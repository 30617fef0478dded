package io.quicheengine.ffi;

/** Prints {@link QuicheLibrary#cacheDirectory()} as a JVM started in a given environment resolves it (for {@link CacheDirectoryTest}). */
final class PrintCacheDirectory {
    private PrintCacheDirectory() {
    }

    public static void main(String[] args) {
        System.out.println(QuicheLibrary.cacheDirectory());
    }
}
