package io.quicheengine.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Finds the interop peer binaries that {@code src/test/interop/build-peers.sh} built into the cache.
 * Maven runs the script before the tests and leaves its result in {@code target/interop-peers.txt};
 * run any other way (an IDE), the first call runs the script itself. A missing Go or cargo, or a
 * failed build, fails the calling test with the script's one-line reason. Test-only; any thread.
 */
final class InteropPeers {
    private static final long BUILD_TIMEOUT_MINUTES = 10;
    private static Path directory;
    private static String failure;

    /** The interop stacks; each is one of our peer programs built against that stack. */
    enum Stack {
        QUIC_GO("quic-go", "quic-go-peer"),
        QUINN("quinn", "quinn-peer");

        final String label;
        final String binaryName;

        Stack(String label, String binaryName) {
            this.label = label;
            this.binaryName = binaryName;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private InteropPeers() {
    }

    /** The stack's peer binary, building the peers first if needed. */
    static synchronized Path binary(Stack stack) {
        if (directory == null && failure == null) {
            locate();
        }
        if (failure != null) {
            throw new AssertionError("interop peers unavailable: " + failure);
        }
        Path binary = directory.resolve("bin").resolve(stack.binaryName);
        if (!Files.isExecutable(binary)) {
            throw new AssertionError("interop peer " + binary + " is missing: run core/src/test/interop/build-peers.sh");
        }
        return binary;
    }

    private static void locate() {
        Path base = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        Path result = base.resolve("target/interop-peers.txt");
        try {
            if (Files.isRegularFile(result)) {
                String line = Files.readString(result, StandardCharsets.UTF_8).strip();
                if (line.startsWith("failure=")) {
                    failure = line.substring("failure=".length());
                    return;
                }
                if (line.startsWith("peers=") && Files.isDirectory(Path.of(line.substring("peers=".length())))) {
                    directory = Path.of(line.substring("peers=".length()));
                    return;
                }
            }
            build(base.resolve("src/test/interop/build-peers.sh"));
        } catch (IOException e) {
            failure = "cannot read " + result + " or run the build script: " + e.getMessage();
        }
    }

    private static void build(Path script) throws IOException {
        Process process = new ProcessBuilder(List.of("bash", script.toString())).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(BUILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                failure = script + " did not finish within " + BUILD_TIMEOUT_MINUTES + " minutes";
                return;
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            failure = "interrupted while building the interop peers";
            return;
        }
        List<String> lines = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        String last = lines.isEmpty() ? "" : lines.getLast();
        if (process.exitValue() == 0) {
            directory = Path.of(last);
        } else {
            failure = last.isEmpty() ? script + " exited with " + process.exitValue() : last;
        }
    }
}
