package io.quicheengine.tools;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quic cert}: writes a self-signed certificate and its key into a directory, for a server
 * that should keep one certificate across restarts (clients then trust one file for good).
 *
 * <p>Runs on the main thread.
 */
@Command(name = "cert", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes a self-signed EC P-256 certificate (its own CA) as cert.pem and its",
                "PKCS#8 key as key.pem (owner-only) into --dir, then prints how to use them:",
                "  quic server --cert DIR/cert.pem --key DIR/key.pem ...",
                "  quic client --ca DIR/cert.pem --server-name NAME ...",
                "Existing files are never overwritten.",
                ""})
final class CertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", required = true, description = "Where to write cert.pem and key.pem (made if missing).")
    Path directory;

    @Option(names = "--name", paramLabel = "DNS", description = "A DNS name the certificate carries; repeat for more (the first is the"
            + " common name). Default: localhost, unless only --ip is given.")
    List<String> names = new ArrayList<>();

    @Option(names = "--ip", paramLabel = "ADDR", description = "An IP address the certificate carries; repeat for more. Default: 127.0.0.1"
            + " and ::1, unless only --name is given.")
    List<String> addresses = new ArrayList<>();

    @Option(names = "--days", paramLabel = "N", defaultValue = "365", description = "Days of validity. Default ${DEFAULT-VALUE}.")
    int days;

    @Override
    public Integer call() {
        if (days < 1) {
            throw new CliException("--days must be at least 1, was " + days);
        }
        List<String> dnsNames = names.isEmpty() && addresses.isEmpty() ? List.of("localhost") : names;
        List<InetAddress> ips = new ArrayList<>();
        for (String address : names.isEmpty() && addresses.isEmpty() ? List.of("127.0.0.1", "::1") : addresses) {
            ips.add(literal(address));
        }
        SelfSignedCertificate certificate;
        try {
            certificate = SelfSignedCertificate.writeTo(directory, dnsNames, ips, Duration.ofDays(days));
        } catch (UncheckedIOException e) {
            throw new CliException("--dir " + directory.toAbsolutePath() + ": " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("quic cert: wrote a self-signed certificate valid for " + days + (days == 1 ? " day" : " days") + " for "
                + String.join(", ", dnsNames) + (dnsNames.isEmpty() || ips.isEmpty() ? "" : ", ")
                + String.join(", ", ips.stream().map(InetAddress::getHostAddress).toList()));
        out.println("  certificate  " + certificate.certificate().toAbsolutePath() + " (SHA-256 " + certificate.sha256Fingerprint() + ")");
        out.println("  private key  " + certificate.privateKey().toAbsolutePath() + " (readable by the owner only)");
        out.println("  serve with   quic server --cert " + certificate.certificate() + " --key " + certificate.privateKey() + " ...");
        out.println("  trust with   quic client --ca " + certificate.certificate()
                + (dnsNames.isEmpty() ? "" : " --server-name " + dnsNames.get(0)) + " ...");
        out.flush();
        return 0;
    }

    /** An IP literal only: a host name here would be resolved, and the certificate would carry whatever DNS said. */
    private static InetAddress literal(String text) {
        String bare = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (!bare.contains(":") && !bare.matches("[0-9.]+")) {
            throw new CliException("--ip '" + text + "' is not an IP address (use --name for host names)");
        }
        try {
            return InetAddress.getByName(bare);
        } catch (UnknownHostException e) {
            throw new CliException("--ip '" + text + "' is not an IP address: " + e.getMessage());
        }
    }
}
