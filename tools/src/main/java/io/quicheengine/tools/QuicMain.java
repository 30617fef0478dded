package io.quicheengine.tools;

import io.quicheengine.QuicEngine;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code quic} command: parses the command line with picocli and runs a subcommand. Every
 * problem the user can fix ends as one line on stderr and exit code {@value CliException#EXIT_CODE};
 * a run whose data did not come back intact exits 1; success exits 0.
 *
 * <p>Called on the main thread. {@link #execute} runs in-process without {@code System.exit},
 * for tests.
 */
@Command(name = "quic", mixinStandardHelpOptions = true, versionProvider = QuicMain.Version.class,
        // The bench command (performance issue) joins this list.
        subcommands = {DemoCommand.class, ServerCommand.class, ClientCommand.class, PingPongCommand.class, CertCommand.class, CommandLine.HelpCommand.class},
        description = {"QUIC on quiche-engine: a self-checking demo, a test server, an",
                "iperf3-style client, a latency probe and a certificate maker. Start",
                "with `quic demo`; every command takes --help.",
                ""})
public final class QuicMain implements Runnable {
    @Spec
    CommandSpec spec;

    /** Exits with the command's code. */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = execute(args, out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * Runs one command line in this JVM.
     *
     * @return the exit code: 0 success, 1 the data did not come back intact, 2 bad input or a failed connection
     */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new QuicMain());
        cli.setOut(out);
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((ex, arguments) -> {
            String name = ex.getCommandLine().getCommandSpec().qualifiedName();
            String message = String.valueOf(ex.getMessage());
            err.println(name + ": " + (message.startsWith("Error: ") ? message.substring(7) : message) + " (see '" + name + " --help')");
            err.flush();
            return CliException.EXIT_CODE;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            String name = commandLine.getCommandSpec().qualifiedName();
            if (ex instanceof CliException) {
                err.println(name + ": " + ex.getMessage());
                err.flush();
                return CliException.EXIT_CODE;
            }
            err.println(name + ": unexpected error: " + ex);
            ex.printStackTrace(err);
            err.flush();
            return 1;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "choose a command: demo, server, client, pingpong or cert");
    }

    /** "quic 0.1.0 (libquiche 0.29.3 (release) from ...)". */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = QuicMain.class.getPackage().getImplementationVersion();
            return new String[] {"quic " + (version == null ? "(development build)" : version), QuicEngine.library().toString()};
        }
    }
}
