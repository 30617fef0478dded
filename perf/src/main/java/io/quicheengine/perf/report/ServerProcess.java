package io.quicheengine.perf.report;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A benchmark server in a child JVM for two-process runs: same java, class path, engine flags and
 * {@code -Dquiche.*} properties as this JVM, started with {@code --port 0}; ready once it prints a
 * line containing {@code listening on udp /HOST:PORT}. {@link #close()} sends SIGTERM (the mains
 * close their servers in a shutdown hook) and waits; a JVM shutdown hook stops any still running.
 * {@link #start} and {@link #close}: the driver thread.
 */
final class ServerProcess implements AutoCloseable {
    static final List<String> ENGINE_FLAGS = List.of("--enable-native-access=ALL-UNNAMED",
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");
    private static final String READY = "listening on udp ";
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "server-process-reaper"));
    }

    private final Process process;
    private final InetSocketAddress address;
    private final StringBuffer output;

    private ServerProcess(Process process, InetSocketAddress address, StringBuffer output) {
        this.process = process;
        this.address = address;
        this.output = output;
    }

    /** Starts {@code mainClass} with {@code args} (which must ask for host 127.0.0.1 and port 0) and waits until it listens. */
    static ServerProcess start(String mainClass, List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ENGINE_FLAGS);
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-Dquiche.")) {
                command.add(arg);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        RUNNING.add(process);
        StringBuffer output = new StringBuffer();
        CompletableFuture<InetSocketAddress> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    output.append(line).append('\n');
                    int at = line.indexOf(READY);
                    if (at >= 0 && !ready.isDone()) {
                        ready.complete(parse(line.substring(at + READY.length()).trim()));
                    }
                }
            } catch (IOException | RuntimeException e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IllegalStateException("the server process ended before listening"));
        }, "server-process-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new ServerProcess(process, ready.get(30, TimeUnit.SECONDS), output);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            RUNNING.remove(process);
            throw new IllegalStateException(mainClass + " did not start listening within 30 s: " + e.getMessage()
                    + "; its output:\n" + output, e);
        }
    }

    /** {@code /127.0.0.1:40000} or {@code localhost/127.0.0.1:40000}. */
    static InetSocketAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        int slash = text.indexOf('/');
        if (colon < 0) {
            throw new IllegalArgumentException("no port in '" + text + "'");
        }
        String host = text.substring(slash + 1, colon);
        return new InetSocketAddress(host.isEmpty() ? "127.0.0.1" : host, Integer.parseInt(text.substring(colon + 1)));
    }

    InetSocketAddress address() {
        return address;
    }

    /** What the process printed so far. */
    String output() {
        return output.toString();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        RUNNING.remove(process);
    }
}
