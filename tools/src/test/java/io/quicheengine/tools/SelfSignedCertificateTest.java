package io.quicheengine.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.junit.jupiter.api.Test;

/** Temporary certificates: private while they exist, gone once the JVM that made them exits. */
class SelfSignedCertificateTest {

    @Test
    void generatedKeyIsOwnerOnlyInAnOwnerOnlyDirectoryAndCarriesItsPublicKey() throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.generate();
        try {
            Path directory = certificate.privateKey().getParent();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory))).isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certificate.privateKey()))).isEqualTo("rw-------");

            byte[] pkcs8 = pemBody(certificate.privateKey(), "PRIVATE KEY");
            assertThat(KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8)).getAlgorithm()).isEqualTo("EC");
            ECPrivateKey inner = ECPrivateKey.getInstance(PrivateKeyInfo.getInstance(pkcs8).parsePrivateKey());
            assertThat(inner.getPublicKey()).as("the public key rustls/ring needs").isNotNull();

            X509Certificate x509 = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certificate.certificate())));
            assertThat(x509.getSubjectAlternativeNames()).extracting(name -> (Object) name.get(1))
                    .containsExactlyInAnyOrder("localhost", "127.0.0.1", "0:0:0:0:0:0:0:1");
            assertThat(x509.getBasicConstraints()).as("its own CA").isGreaterThanOrEqualTo(0);
        } finally {
            certificate.delete();
        }
        assertThat(certificate.privateKey().getParent()).doesNotExist();
    }

    @Test
    void childJvmLeavesNoKeyBehindWhenItExits() throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), CertificateChild.class.getName());
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("the child JVM exited").isTrue();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as(output).isZero();
        List<Path> files = output.lines().map(Path::of).toList();
        assertThat(files).as(output).hasSize(2);

        assertThat(files.get(0)).doesNotExist();
        assertThat(files.get(1)).doesNotExist();
        assertThat(files.get(1).getParent()).doesNotExist();
    }

    static byte[] pemBody(Path file, String label) throws Exception {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        assertThat(text).contains(begin, end);
        return Base64.getMimeDecoder().decode(text.substring(text.indexOf(begin) + begin.length(), text.indexOf(end)));
    }
}
