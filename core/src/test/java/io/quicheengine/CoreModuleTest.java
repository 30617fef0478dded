package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine as a module: an application on the module path (a separate JVM started with
 * {@code --module-path}) echoes a stream through the engine, and neither compiles against nor
 * reflects into {@code io.quicheengine.internal}. The other tests run on the class path.
 */
class CoreModuleTest {
    private static final String MODULE_FLAGS = "--enable-native-access=io.quicheengine.ffi,io.quicheengine.core "
            + "--add-exports java.base/jdk.internal.misc=org.agrona --sun-misc-unsafe-memory-access=allow";

    private static final String MODULE_INFO = """
            module demo.app {
                requires io.quicheengine.core;
            }
            """;

    private static final String MAIN = """
            package demo.app;

            import io.quicheengine.ClientConfig;
            import io.quicheengine.QuicConnection;
            import io.quicheengine.QuicEngine;
            import io.quicheengine.QuicServer;
            import io.quicheengine.QuicStream;
            import io.quicheengine.ServerConfig;
            import java.lang.foreign.Arena;
            import java.lang.foreign.MemorySegment;
            import java.net.InetAddress;
            import java.net.InetSocketAddress;
            import java.nio.charset.StandardCharsets;
            import java.nio.file.Path;
            import java.time.Duration;
            import java.util.function.Supplier;

            public class Main {
                public static void main(String[] args) throws Exception {
                    System.out.println("module: " + QuicEngine.class.getModule().getName());
                    Path certificate = Path.of(args[0]);
                    Path key = Path.of(args[1]);
                    try (QuicEngine engine = QuicEngine.builder().name("module-app").build()) {
                        QuicServer server = engine.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                                ServerConfig.builder().certificateChain(certificate).privateKey(key).alpn("echo").build());
                        QuicConnection client = engine.connect(server.localAddress(),
                                ClientConfig.builder().alpn("echo").caFile(certificate).serverName("localhost").build())
                                .awaitHandshake(Duration.ofSeconds(10));
                        QuicStream out = client.openBidirectionalStream();
                        byte[] hello = "hello over the module path".getBytes(StandardCharsets.UTF_8);
                        out.write(hello, 0, hello.length, true, Duration.ofSeconds(5));
                        QuicConnection accepted = await(server::accept);
                        QuicStream in = await(accepted::acceptStream);
                        byte[] received = readAll(in);
                        in.write(received, 0, received.length, true, Duration.ofSeconds(5));
                        System.out.println("echo: " + new String(readAll(out), StandardCharsets.UTF_8));
                    }
                    Class<?> internal = Class.forName("io.quicheengine.internal.buffers.StreamReadRing");
                    System.out.println("internal exported: " + internal.getModule().isExported(internal.getPackageName()));
                    try (Arena arena = Arena.ofConfined()) {
                        internal.getConstructor(MemorySegment.class).newInstance(arena.allocate(64));
                        System.out.println("internal usable");
                    } catch (IllegalAccessException expected) {
                        System.out.println("internal refused: " + expected.getClass().getSimpleName());
                    }
                }

                private static <T> T await(Supplier<T> poll) throws InterruptedException {
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    T value;
                    while ((value = poll.get()) == null) {
                        if (System.nanoTime() - deadline > 0) {
                            throw new IllegalStateException("nothing arrived within 10 s");
                        }
                        Thread.sleep(1);
                    }
                    return value;
                }

                private static byte[] readAll(QuicStream stream) {
                    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                    byte[] buffer = new byte[256];
                    int n;
                    while ((n = stream.read(buffer, 0, buffer.length, Duration.ofSeconds(5))) >= 0) {
                        bytes.write(buffer, 0, n);
                    }
                    return bytes.toByteArray();
                }
            }
            """;

    private static final String SNEAKY = """
            package demo.app;

            public class Sneaky {
                Object ring = new io.quicheengine.internal.buffers.StreamReadRing(null);
            }
            """;

    @Test
    void anApplicationOnTheModulePathUsesTheEngineButCannotReachItsInternals(@TempDir Path work) throws Exception {
        String modulePath = String.join(File.pathSeparator, location(QuicEngine.class), location(io.quicheengine.ffi.Quiche.class),
                location(org.agrona.DirectBuffer.class), location(com.lmax.disruptor.RingBuffer.class));
        Path sources = work.resolve("src");
        Files.createDirectories(sources.resolve("demo/app"));
        Files.writeString(sources.resolve("module-info.java"), MODULE_INFO);
        Files.writeString(sources.resolve("demo/app/Main.java"), MAIN);
        Path classes = work.resolve("classes");

        CompileResult ok = compile(modulePath, classes, sources.resolve("module-info.java"), sources.resolve("demo/app/Main.java"));
        assertThat(ok.exitCode).as("the application compiles against the exported API: %s", ok.output).isZero();

        Files.writeString(sources.resolve("demo/app/Sneaky.java"), SNEAKY);
        CompileResult refused = compile(modulePath, work.resolve("sneaky"), sources.resolve("module-info.java"), sources.resolve("demo/app/Sneaky.java"));
        assertThat(refused.exitCode).as("code using an internal class does not compile").isNotZero();
        assertThat(refused.output).contains("package io.quicheengine.internal.buffers is not visible");

        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(MODULE_FLAGS.split(" ")));
        String cacheDir = System.getProperty("quiche.cache.dir");
        if (cacheDir != null) {
            command.add("-Dquiche.cache.dir=" + cacheDir);
        }
        command.addAll(List.of("--module-path", modulePath + File.pathSeparator + classes, "-m", "demo.app/demo.app.Main",
                io.quicheengine.testing.TestCertificate.certificate().toString(), io.quicheengine.testing.TestCertificate.privateKey().toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread pump = Thread.ofVirtual().start(() -> {
            try {
                process.getInputStream().transferTo(output);
            } catch (IOException ignored) {
                // the process ended
            }
        });
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        pump.join(5_000);
        String printed = output.toString(StandardCharsets.UTF_8);
        assertThat(exited).as("the module application ends within 60 s: %s", printed).isTrue();
        assertThat(process.exitValue()).as("exit code; output: %s", printed).isZero();
        assertThat(printed).contains("module: io.quicheengine.core", "echo: hello over the module path",
                "internal exported: false", "internal refused: IllegalAccessException");
    }

    private record CompileResult(int exitCode, String output) {
    }

    private static CompileResult compile(String modulePath, Path out, Path... files) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> args = new ArrayList<>(List.of("--module-path", modulePath, "-d", out.toString()));
        for (Path file : files) {
            args.add(file.toString());
        }
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int code = javac.run(null, errors, errors, args.toArray(String[]::new));
        return new CompileResult(code, errors.toString(StandardCharsets.UTF_8));
    }

    private static String location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
