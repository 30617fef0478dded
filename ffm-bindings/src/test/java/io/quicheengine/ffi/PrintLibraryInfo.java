package io.quicheengine.ffi;

/** Loads libquiche in a JVM started by {@link PlatformJarTest} and prints what it loaded, or the loader's error. */
final class PrintLibraryInfo {
    private PrintLibraryInfo() {
    }

    public static void main(String[] args) {
        try {
            QuicheLibrary.Info info = QuicheLibrary.info();
            System.out.println("origin=" + info.origin());
            System.out.println("kind=" + info.kind());
            System.out.println("patches=" + info.patches());
            System.out.println("path=" + info.path());
        } catch (QuicheLibraryException e) {
            System.out.println("error=" + e.getMessage());
            System.exit(3);
        }
    }
}
