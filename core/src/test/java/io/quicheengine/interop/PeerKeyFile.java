package io.quicheengine.interop;

import io.quicheengine.SelfSignedCertificate;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * The engine's self-signed key, rewritten for the peer servers: the JDK's PKCS#8 encoding of an
 * EC key leaves out the optional public key, and ring (quinn's crypto through rustls) refuses a
 * key without it ("failed to parse private key as RSA, ECDSA, or EdDSA"). The same key with the
 * public key taken from the certificate loads everywhere. Test-only; any thread.
 */
final class PeerKeyFile {
    private PeerKeyFile() {
    }

    /** Writes {@code key-with-public.pem} beside the certificate's key and returns it. */
    static Path of(SelfSignedCertificate certificate) {
        try {
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(readPem(certificate.privateKey()));
            ECPrivateKey key = ECPrivateKey.getInstance(info.parsePrivateKey());
            X509CertificateHolder holder = new X509CertificateHolder(readPem(certificate.certificate()));
            ECPrivateKey withPublic = new ECPrivateKey(256, key.getKey(), holder.getSubjectPublicKeyInfo().getPublicKeyData(), null);
            PrivateKeyInfo rewritten = new PrivateKeyInfo(info.getPrivateKeyAlgorithm(), withPublic);
            StringWriter text = new StringWriter();
            try (PemWriter writer = new PemWriter(text)) {
                writer.writeObject(new PemObject("PRIVATE KEY", rewritten.getEncoded()));
            }
            Path file = certificate.privateKey().resolveSibling("key-with-public.pem");
            Files.writeString(file, text.toString(), StandardCharsets.US_ASCII);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite the key " + certificate.privateKey() + " for the peers", e);
        }
    }

    private static byte[] readPem(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PemReader pem = new PemReader(in)) {
            return pem.readPemObject().getContent();
        }
    }
}
