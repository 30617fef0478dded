package io.quicheengine;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed EC P-256 certificate made on the fly, for tests, demos and servers started
 * without one. The certificate is its own CA: a client that trusts it ({@link ClientConfig.Builder#caFile})
 * verifies the server for real, names included.
 *
 * <p>Files are written with owner-only permissions where the file system supports them.
 * Immutable; any thread.
 *
 * @param certificate the PEM certificate file
 * @param privateKey  the PEM private key file (PKCS#8)
 * @param sha256Fingerprint the certificate's SHA-256 fingerprint, colon-separated hex
 */
public record SelfSignedCertificate(Path certificate, Path privateKey, String sha256Fingerprint) {

    /** A certificate for {@code localhost} and 127.0.0.1 / ::1, valid for a year, in a new temporary directory. */
    public static SelfSignedCertificate generate() {
        try {
            return generate(Files.createTempDirectory("quiche-engine-cert"), List.of("localhost"),
                    List.of(InetAddress.getLoopbackAddress(), InetAddress.getByName("::1")), Duration.ofDays(365));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for the certificate", e);
        }
    }

    /**
     * Writes {@code cert.pem} and {@code key.pem} into {@code directory}.
     *
     * @param dnsNames    subject alternative DNS names (the first is also the common name)
     * @param ipAddresses subject alternative IP addresses
     */
    public static SelfSignedCertificate generate(Path directory, List<String> dnsNames, List<InetAddress> ipAddresses, Duration validity) {
        if (dnsNames.isEmpty() && ipAddresses.isEmpty()) {
            throw new IllegalArgumentException("a certificate needs at least one DNS name or IP address");
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair keys = generator.generateKeyPair();
            String commonName = dnsNames.isEmpty() ? ipAddresses.get(0).getHostAddress() : dnsNames.get(0);
            X500Name subject = new X500Name("CN=" + commonName);
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), subject, keys.getPublic());
            List<GeneralName> names = new ArrayList<>();
            dnsNames.forEach(name -> names.add(new GeneralName(GeneralName.dNSName, name)));
            ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip.getHostAddress())));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            Files.createDirectories(directory);
            Path certFile = directory.resolve("cert.pem");
            Path keyFile = directory.resolve("key.pem");
            writeOwnerOnly(certFile, pem(certificate));
            writeOwnerOnly(keyFile, pem(keys.getPrivate()));
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return new SelfSignedCertificate(certFile, keyFile, HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest));
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot generate a self-signed certificate", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the certificate into " + directory, e);
        }
    }

    private static String pem(Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object instanceof java.security.PrivateKey key ? new org.bouncycastle.util.io.pem.PemObject("PRIVATE KEY", key.getEncoded()) : object);
        }
        return text.toString();
    }

    private static void writeOwnerOnly(Path file, String content) throws IOException {
        Files.deleteIfExists(file);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(file, content, StandardCharsets.US_ASCII);
    }
}
