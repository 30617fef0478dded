package io.quicheengine.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quic cert}: a certificate pair that stays where it was asked to go and serves a verified connection. */
class CertCommandTest {

    @Test
    void writesAPairThatAServerUsesAndAClientVerifies(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("certs");
        Cli.Run run = Cli.run("cert", "--dir", target.toString(), "--name", "localhost", "--name", "quic.example", "--ip", "127.0.0.1",
                "--days", "30");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).contains("quic server --cert " + target.resolve("cert.pem"), "--server-name localhost");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("key.pem")))).isEqualTo("rw-------");
        X509Certificate x509 = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(target.resolve("cert.pem"))));
        assertThat(x509.getSubjectAlternativeNames()).extracting(name -> (Object) name.get(1)).containsExactly("localhost", "quic.example", "127.0.0.1");
        assertThat(x509.getNotAfter().toInstant()).isBetween(Instant.now().plus(Duration.ofDays(29)), Instant.now().plus(Duration.ofDays(31)));

        try (TestServer server = new TestServer("perf", ServerMode.ECHO, target.resolve("cert.pem"), target.resolve("key.pem"))) {
            Cli.Run client = Cli.run("client", server.address(), "--alpn", "perf", "--bytes", "10K", "--ca", target.resolve("cert.pem").toString(),
                    "--server-name", "quic.example");
            assertThat(client.exitCode()).as(client.toString()).isZero();
        }
        assertThat(target.resolve("key.pem")).as("quic cert's files are the user's to keep").exists();
    }

    @Test
    void refusesToOverwriteAndToTakeAHostNameForAnAddress(@TempDir Path dir) {
        assertThat(Cli.run("cert", "--dir", dir.toString()).exitCode()).isZero();

        Cli.Run again = Cli.run("cert", "--dir", dir.toString());
        assertThat(again.exitCode()).isEqualTo(CliException.EXIT_CODE);
        assertThat(again.err()).contains("cert.pem already exists");

        Cli.Run hostName = Cli.run("cert", "--dir", dir.resolve("other").toString(), "--ip", "localhost");
        assertThat(hostName.exitCode()).isEqualTo(CliException.EXIT_CODE);
        assertThat(hostName.err()).contains("--ip 'localhost' is not an IP address");
    }
}
