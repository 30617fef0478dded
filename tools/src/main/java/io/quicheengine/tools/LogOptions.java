package io.quicheengine.tools;

import io.quicheengine.ClientConfig;
import io.quicheengine.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --qlog-dir} and {@code --keylog}, shared by server and client commands: the traces a
 * packet capture needs to be read (Wireshark takes the key log) or a connection to be replayed
 * (qvis takes the qlog files). Without {@code --keylog} the {@code SSLKEYLOGFILE} environment
 * variable is honoured, as browsers and curl do. Filled by picocli, then read on the command's thread.
 */
final class LogOptions {
    /** The variable browsers, curl and most TLS stacks read for the key log file. */
    static final String KEYLOG_VARIABLE = "SSLKEYLOGFILE";

    @Option(names = "--qlog-dir", paramLabel = "DIR",
            description = "Write one qlog trace (JSON-SEQ, .sqlog) per connection into DIR, made if missing.")
    Path qlogDirectory;

    @Option(names = "--keylog", paramLabel = "FILE",
            description = "Append the TLS secrets of every connection to FILE (NSS key log format, for Wireshark)."
                    + " Default: $" + KEYLOG_VARIABLE + " when set. Anyone with the file can decrypt the traffic.")
    Path keyLogFile;

    void apply(ClientConfig.Builder builder) {
        builder.qlogDirectory(qlogDirectory()).keyLogFile(keyLog());
    }

    void apply(ServerConfig.Builder builder) {
        builder.qlogDirectory(qlogDirectory()).keyLogFile(keyLog());
    }

    /** Prints where the traces go, so that a user who forgot SSLKEYLOGFILE in the environment sees it. */
    static void describe(Path qlog, Path keyLog, java.io.PrintWriter out) {
        if (qlog != null) {
            out.println("  qlog traces: " + qlog.toAbsolutePath() + " (one .sqlog file per connection)");
        }
        if (keyLog != null) {
            out.println("  TLS key log: " + keyLog.toAbsolutePath() + " (secrets: anyone with it can decrypt the traffic)");
        }
    }

    /** The key log file in effect (the option, else the environment variable), or null. */
    Path keyLog() {
        Path file = keyLogFile;
        String option = "--keylog";
        if (file == null) {
            String variable = System.getenv(KEYLOG_VARIABLE);
            if (variable == null || variable.isBlank()) {
                return null;
            }
            file = Path.of(variable);
            option = KEYLOG_VARIABLE;
        }
        Path parent = file.toAbsolutePath().getParent();
        if (Files.isDirectory(file) || parent == null || !Files.isDirectory(parent)) {
            throw new CliException(option + " " + file.toAbsolutePath() + ": not a file in an existing directory");
        }
        return file;
    }

    private Path qlogDirectory() {
        if (qlogDirectory == null) {
            return null;
        }
        try {
            Files.createDirectories(qlogDirectory);
        } catch (IOException e) {
            throw new CliException("cannot create --qlog-dir " + qlogDirectory.toAbsolutePath() + ": " + e);
        }
        if (!Files.isWritable(qlogDirectory)) {
            throw new CliException("--qlog-dir " + qlogDirectory.toAbsolutePath() + " is not writable");
        }
        return qlogDirectory;
    }
}
