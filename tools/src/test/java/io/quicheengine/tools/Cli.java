package io.quicheengine.tools;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;

/** Runs the quic command line in this JVM and captures what it printed. Test-only. */
final class Cli {
    private Cli() {
    }

    /** What one command line did. */
    record Run(String[] args, int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "quic " + String.join(" ", args) + " -> exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = QuicMain.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(Arrays.copyOf(args, args.length), code, out.toString(), err.toString());
    }
}
