package io.quicheengine.perf.netty;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * The self-signed test certificate (EC P-256, CN=localhost, SAN localhost/127.0.0.1) and its
 * PKCS#8 key, read from the class path ({@code /perf-certs/}, the same files as {@link io.quicheengine.perf.e2e.PerfCerts}) so the benchmark runs from a jar
 * as well as from {@code target/classes}. Immutable after loading; any thread.
 */
final class NettyQuicCerts {
    static final X509Certificate CERTIFICATE;
    static final PrivateKey PRIVATE_KEY;

    static {
        try {
            CERTIFICATE = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pemBody("cert.pem", "CERTIFICATE")));
            PRIVATE_KEY = KeyFactory.getInstance("EC")
                    .generatePrivate(new PKCS8EncodedKeySpec(pemBody("key.pem", "PRIVATE KEY")));
        } catch (IOException | GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private NettyQuicCerts() {
    }

    private static byte[] pemBody(String resource, String label) throws IOException {
        String path = "/perf-certs/" + resource;
        try (InputStream in = NettyQuicCerts.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException("class path resource " + path + " not found");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            String begin = "-----BEGIN " + label + "-----";
            String end = "-----END " + label + "-----";
            int from = text.indexOf(begin);
            int to = text.indexOf(end);
            if (from < 0 || to < from) {
                throw new IOException(path + " holds no '" + begin + "' block");
            }
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        }
    }
}
