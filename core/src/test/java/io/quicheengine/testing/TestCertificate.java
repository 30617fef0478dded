package io.quicheengine.testing;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/**
 * The tests' checked-in certificate (EC P-256 for localhost, 127.0.0.1 and ::1, its own CA, valid
 * until 2036) and its PKCS#8 key, from {@code src/test/resources/test-certificate} (its README says
 * how to regenerate them). The key includes its public key, so quiche, quic-go and quinn all load
 * it. Test-only: the key is no secret. Stateless; any thread.
 */
public final class TestCertificate {
    private TestCertificate() {
    }

    /** The certificate, PEM; also the only CA a test client trusts, so verification stays on. */
    public static Path certificate() {
        return file("cert.pem");
    }

    /** The certificate's private key, PEM (PKCS#8). */
    public static Path privateKey() {
        return file("key.pem");
    }

    private static Path file(String name) {
        String resource = "/test-certificate/" + name;
        URL url = TestCertificate.class.getResource(resource);
        if (url == null) {
            throw new IllegalStateException("test resource " + resource + " is missing from the class path");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("test resource " + resource + " has no file path: " + url, e);
        }
    }
}
