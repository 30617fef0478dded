package io.quicheengine.perf.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The benchmarks' self-signed EC certificate (CN=localhost, SAN localhost/127.0.0.1) and its key,
 * copied from the class path resources {@code /perf-certs/*.pem} into a temporary directory once
 * per JVM, because quiche loads certificates only from files. Never use outside benchmarks.
 *
 * <p>Any thread; the files are written under the class-initialization lock and removed at exit.
 */
public final class PerfCerts {

    private PerfCerts() {
    }

    /** The certificate (also the client's only trusted CA: real verification, no opt-out). */
    public static Path certificate() {
        return Holder.CERT;
    }

    /** The certificate's private key. */
    public static Path privateKey() {
        return Holder.KEY;
    }

    private static final class Holder {
        private static final Path DIR;
        private static final Path CERT;
        private static final Path KEY;

        static {
            try {
                DIR = Files.createTempDirectory("quiche-engine-perf-certs");
                DIR.toFile().deleteOnExit();
                CERT = copy("cert.pem");
                KEY = copy("key.pem");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the benchmark certificate to a temporary directory", e);
            }
        }

        private static Path copy(String name) throws IOException {
            String resource = "/perf-certs/" + name;
            Path target = DIR.resolve(name);
            try (InputStream in = PerfCerts.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("class path resource " + resource + " is missing");
                }
                Files.copy(in, target);
            }
            target.toFile().deleteOnExit();
            return target;
        }
    }
}
