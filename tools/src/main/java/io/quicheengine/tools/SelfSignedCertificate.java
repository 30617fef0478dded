package io.quicheengine.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
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
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed EC P-256 certificate and its key as PEM files, for test servers, demos and
 * {@code quic cert}. The certificate is its own CA: a client that trusts it
 * ({@code ClientConfig.Builder#caFile}) verifies the server for real, names included. The key file
 * is PKCS#8 with the public key inside (the JDK's own encoding leaves it out, and rustls/ring
 * refuse such a key), readable by the owner only.
 *
 * <p>{@link #generate()} writes into a new private temporary directory that is removed when the
 * JVM exits (normally or on SIGTERM/Ctrl-C; nothing survives a SIGKILL), or earlier by
 * {@link #delete()}, so no private key outlives the process that made it. {@link #writeTo} writes
 * into a directory of the caller's choosing and leaves the files there.
 *
 * <p>Immutable; any thread.
 */
public final class SelfSignedCertificate {
    private static final FileAttribute<?> OWNER_ONLY_DIRECTORY = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final FileAttribute<?> OWNER_ONLY_FILE = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final String CERTIFICATE_FILE = "cert.pem";
    private static final String KEY_FILE = "key.pem";

    private final Path certificate;
    private final Path privateKey;
    private final String sha256Fingerprint;
    /** The directory {@link #generate()} made (removed with the files), or null for {@link #writeTo}. */
    private final Path temporaryDirectory;

    private SelfSignedCertificate(Path certificate, Path privateKey, String sha256Fingerprint, Path temporaryDirectory) {
        this.certificate = certificate;
        this.privateKey = privateKey;
        this.sha256Fingerprint = sha256Fingerprint;
        this.temporaryDirectory = temporaryDirectory;
    }

    /**
     * A certificate for {@code localhost}, 127.0.0.1 and ::1, valid for a year, in a new temporary
     * directory (mode 0700) that is deleted with its files when the JVM exits.
     */
    public static SelfSignedCertificate generate() {
        Path directory;
        try {
            directory = posix() ? Files.createTempDirectory("quiche-engine-cert", OWNER_ONLY_DIRECTORY)
                    : Files.createTempDirectory("quiche-engine-cert");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for the certificate", e);
        }
        // deleteOnExit runs in reverse order of registration: the files go first, then their directory.
        directory.toFile().deleteOnExit();
        directory.resolve(CERTIFICATE_FILE).toFile().deleteOnExit();
        directory.resolve(KEY_FILE).toFile().deleteOnExit();
        return write(directory, List.of("localhost"), List.of(loopback("127.0.0.1"), loopback("::1")), Duration.ofDays(365), directory);
    }

    /**
     * Writes {@code cert.pem} and {@code key.pem} into {@code directory} (made if missing) and leaves
     * them there.
     *
     * @param dnsNames    subject alternative DNS names (the first is also the common name)
     * @param ipAddresses subject alternative IP addresses
     * @throws IllegalArgumentException when there is no name at all, or the validity is not positive
     * @throws UncheckedIOException     when a file cannot be written, or already exists
     */
    public static SelfSignedCertificate writeTo(Path directory, List<String> dnsNames, List<InetAddress> ipAddresses, Duration validity) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory " + directory, e);
        }
        return write(directory, dnsNames, ipAddresses, validity, null);
    }

    /** The PEM certificate file. */
    public Path certificate() {
        return certificate;
    }

    /** The PEM private key file (PKCS#8). */
    public Path privateKey() {
        return privateKey;
    }

    /** The certificate's SHA-256 fingerprint, colon-separated upper-case hex. */
    public String sha256Fingerprint() {
        return sha256Fingerprint;
    }

    /**
     * Removes the files now, and the directory too when {@link #generate()} made it; quietly leaves
     * what cannot be removed to the exit-time deletion.
     */
    public void delete() {
        try {
            Files.deleteIfExists(privateKey);
            Files.deleteIfExists(certificate);
            if (temporaryDirectory != null) {
                Files.deleteIfExists(temporaryDirectory);
            }
        } catch (IOException ignored) {
            // the exit-time deletion tries again
        }
    }

    @Override
    public String toString() {
        return certificate + " (SHA-256 " + sha256Fingerprint + ")";
    }

    private static SelfSignedCertificate write(Path directory, List<String> dnsNames, List<InetAddress> ipAddresses, Duration validity,
                                               Path temporaryDirectory) {
        if (dnsNames.isEmpty() && ipAddresses.isEmpty()) {
            throw new IllegalArgumentException("a certificate needs at least one DNS name or IP address");
        }
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive, was " + validity);
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair keys = generator.generateKeyPair();
            X509Certificate x509 = sign(keys, dnsNames, ipAddresses, validity);
            Path certFile = directory.resolve(CERTIFICATE_FILE);
            Path keyFile = directory.resolve(KEY_FILE);
            writeNew(certFile, pem("CERTIFICATE", x509.getEncoded()), false);
            writeNew(keyFile, pem("PRIVATE KEY", pkcs8WithPublicKey(keys)), true);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(x509.getEncoded());
            return new SelfSignedCertificate(certFile, keyFile, HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest), temporaryDirectory);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot generate a self-signed certificate", e);
        } catch (FileAlreadyExistsException e) {
            throw new UncheckedIOException(e.getFile() + " already exists: remove it or choose another directory", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the certificate into " + directory, e);
        }
    }

    private static X509Certificate sign(KeyPair keys, List<String> dnsNames, List<InetAddress> ipAddresses, Duration validity)
            throws IOException, OperatorCreationException, GeneralSecurityException {
        String commonName = dnsNames.isEmpty() ? ipAddresses.get(0).getHostAddress() : dnsNames.get(0);
        X500Name subject = new X500Name("CN=" + commonName);
        Instant now = Instant.now();
        // Valid from an hour ago: a peer whose clock is a little behind still accepts it.
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), subject, keys.getPublic());
        List<GeneralName> names = new ArrayList<>();
        dnsNames.forEach(name -> names.add(new GeneralName(GeneralName.dNSName, name)));
        ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip.getHostAddress())));
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    /** The JDK's PKCS#8 encoding of the key with the public point added (RFC 5915's optional field). */
    private static byte[] pkcs8WithPublicKey(KeyPair keys) throws IOException {
        PrivateKeyInfo jdk = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
        ECPrivateKey secret = ECPrivateKey.getInstance(jdk.parsePrivateKey());
        SubjectPublicKeyInfo publicKey = SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded());
        ECPrivateKey withPublic = new ECPrivateKey(256, secret.getKey(), publicKey.getPublicKeyData(), null);
        return new PrivateKeyInfo(jdk.getPrivateKeyAlgorithm(), withPublic).getEncoded();
    }

    private static String pem(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    /** Creates the file (never overwrites), owner-only when it holds a secret, before any byte is written. */
    private static void writeNew(Path file, String content, boolean secret) throws IOException {
        if (secret && posix()) {
            Files.createFile(file, OWNER_ONLY_FILE);
        } else {
            Files.createFile(file);
        }
        Files.writeString(file, content, StandardCharsets.US_ASCII);
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static InetAddress loopback(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("cannot parse the literal address " + literal, e);
        }
    }
}
