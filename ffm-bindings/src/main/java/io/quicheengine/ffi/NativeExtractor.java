package io.quicheengine.ffi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Copies a native library from the class path to a file the OS can load, named by its content hash:
 * {@code <cache>/<prefix>-<sha256>/<file>}, or a new private temporary directory when the cache
 * cannot be written.
 *
 * <p>Safe for JVMs extracting at once: each writes its own temporary file and renames it into
 * place, and a file already there is used only when its bytes hash to the expected value (a file
 * left truncated or changed is replaced). Called by {@link QuicheLibrary} while it loads, on that
 * thread.
 */
final class NativeExtractor {

    private NativeExtractor() {
    }

    /**
     * @param resource the class path entry of the library
     * @param prefix   names the directory under the cache ({@code platform}, {@code fallback})
     * @param fileName the library's file name on this OS
     * @return the extracted file, or null when {@code resource} is not on the class path
     */
    static Path extract(String resource, String prefix, String fileName) throws IOException {
        byte[] bytes;
        try (InputStream in = NativeExtractor.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            bytes = in.readAllBytes();
        }
        String hash = sha256(bytes);
        String dirName = prefix + "-" + hash.substring(0, 16);
        try {
            return extractInto(QuicheLibrary.cacheDirectory().resolve(dirName), fileName, bytes, hash);
        } catch (IOException cacheNotWritable) {
            // A read-only home or container: a directory only this JVM knows (mode 700 on POSIX), removed on exit.
            Path dir = Files.createTempDirectory("quiche-engine-" + dirName + "-");
            dir.toFile().deleteOnExit();
            Path target = extractInto(dir, fileName, bytes, hash);
            target.toFile().deleteOnExit();
            return target;
        }
    }

    private static Path extractInto(Path dir, String fileName, byte[] bytes, String hash) throws IOException {
        Path target = dir.resolve(fileName);
        if (Files.isRegularFile(target) && sha256(Files.readAllBytes(target)).equals(hash)) {
            return target;
        }
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, fileName, ".tmp");
        try {
            Files.write(temp, bytes);
            try {
                // A JVM that already loaded the old file keeps its mapping; the name now points at equal bytes.
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        return target;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
