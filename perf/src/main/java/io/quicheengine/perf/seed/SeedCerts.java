package io.quicheengine.perf.seed;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The self-signed test certificate (EC, CN=localhost, SAN localhost/127.0.0.1) and its key, copied
 * from the classpath resources {@code seed-certs/} to temporary files once per JVM, because quiche
 * loads PEM only from files. Any thread.
 */
final class SeedCerts {

    /** Paths of the PEM files; they live until the JVM exits. */
    record Files(Path cert, Path key) {
    }

    private static Files files;

    private SeedCerts() {
    }

    static synchronized Files files() {
        if (files == null) {
            files = new Files(copy("cert.pem"), copy("key.pem"));
        }
        return files;
    }

    private static Path copy(String name) {
        String resource = "/seed-certs/" + name;
        try (InputStream in = SeedCerts.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource " + resource + " is missing");
            }
            Path file = java.nio.file.Files.createTempFile("seed-", "-" + name);
            file.toFile().deleteOnExit();
            java.nio.file.Files.write(file, in.readAllBytes());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + resource + " to a temporary file", e);
        }
    }
}
