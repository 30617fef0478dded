package io.quicheengine.tools;

import io.quicheengine.ClientConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * How a client command trusts the server: the system CA bundle (default), {@code --ca FILE}, or
 * {@code --insecure}. Filled by picocli, then read on the command's thread.
 */
final class TrustOptions {
    @ArgGroup(exclusive = true)
    Choice choice;

    @Option(names = "--server-name", paramLabel = "NAME",
            description = "The name the server's certificate must carry, also sent as SNI (default: the HOST given).")
    String serverName;

    /** One of the two ways to trust, not both. */
    static final class Choice {
        @Option(names = "--ca", paramLabel = "FILE", description = "Trust the CA certificate(s) in this PEM file, e.g. the cert.pem that `quic server` printed. The certificate must name the host: quiche matches names, not IP addresses, so with an IP address also give --server-name.")
        Path caFile;

        @Option(names = "--insecure", description = "Accept any server certificate: no verification (for tests only).")
        boolean insecure;
    }

    void apply(ClientConfig.Builder builder) {
        if (serverName != null) {
            builder.serverName(serverName);
        }
        if (choice == null) {
            return;
        }
        if (choice.insecure) {
            builder.trustAllCertificatesInsecurely();
        } else if (choice.caFile != null) {
            if (!Files.isRegularFile(choice.caFile) || !Files.isReadable(choice.caFile)) {
                throw new CliException("cannot read --ca " + choice.caFile.toAbsolutePath() + ": no such readable file");
            }
            builder.caFile(choice.caFile);
        }
    }
}
