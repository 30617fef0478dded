package io.quicheengine.ffi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The platform jar as the loader meets it: a real jar in {@code PlatformJar}'s layout holding the
 * libquiche this build loads, on the class path of new JVMs whose cache directory starts empty.
 * (The jar Maven builds is checked end to end by tools' consumer project, src/it/consumer.)
 */
class PlatformJarTest {

    @TempDir
    Path temp;

    private Path cache;
    private Path jar;
    private final Map<Process, Path> outputs = new HashMap<>();

    @BeforeEach
    void writePlatformJar() throws IOException {
        cache = temp.resolve("cache");
        jar = temp.resolve("quiche-engine-ffm-bindings-test-" + Platform.current().classifier() + ".jar");
        String directory = PlatformJar.directory(Platform.current().classifier());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry(directory + Platform.current().libraryFileName()));
            Files.copy(QuicheLibrary.info().path(), out);
            out.putNextEntry(new JarEntry(directory + PlatformJar.PROPERTIES));
            out.write(("version=" + QuicheLibrary.RELEASE_VERSION + "\nbuild=release\npatches=test-patches\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void jvmsStartingAtOnceLoadTheJarsLibraryFromOneFileNamedByItsHash() throws Exception {
        List<Process> jvms = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            jvms.add(start(true, cache, "release"));
        }
        List<Map<String, String>> reports = new ArrayList<>();
        for (Process jvm : jvms) {
            reports.add(report(jvm, 0));
        }

        for (Map<String, String> report : reports) {
            assertThat(report).containsEntry("origin", "PLATFORM_JAR").containsEntry("kind", "RELEASE").containsEntry("patches", "test-patches");
            assertThat(report.get("path")).isEqualTo(reports.get(0).get("path"));
        }
        Path extracted = Path.of(reports.get(0).get("path"));
        assertThat(extracted.getParent().getParent()).isEqualTo(cache);
        assertThat(extracted.getParent().getFileName().toString()).matches("platform-[0-9a-f]{16}");
        assertThat(Files.mismatch(extracted, QuicheLibrary.info().path())).as("extracted bytes equal the jar's").isEqualTo(-1L);
        try (var left = Files.list(extracted.getParent())) {
            assertThat(left.toList()).as("no temporary files left").containsExactly(extracted);
        }
    }

    @Test
    void aDamagedExtractedFileIsReplaced() throws Exception {
        Path extracted = Path.of(report(start(true, cache, "auto"), 0).get("path"));
        Files.write(extracted, new byte[] {1, 2, 3});

        Map<String, String> again = report(start(true, cache, "auto"), 0);

        assertThat(again).containsEntry("origin", "PLATFORM_JAR").containsEntry("path", extracted.toString());
        assertThat(Files.mismatch(extracted, QuicheLibrary.info().path())).isEqualTo(-1L);
    }

    @Test
    void anUnwritableCacheExtractsIntoATemporaryDirectory() throws Exception {
        Path notADirectory = temp.resolve("cache-is-a-file");
        Files.writeString(notADirectory, "x");

        Map<String, String> report = report(start(true, notADirectory, "release"), 0);

        assertThat(report).containsEntry("origin", "PLATFORM_JAR");
        assertThat(Path.of(report.get("path")).getParent().getFileName().toString()).startsWith("quiche-engine-platform-");
    }

    @Test
    void releaseWithoutThePlatformJarOrACacheNamesTheJarToAdd() throws Exception {
        Map<String, String> report = report(start(false, cache, "release"), 3);

        assertThat(report.get("error"))
                .contains("-Dquiche.library=release")
                .contains("io.quicheengine:quiche-engine-ffm-bindings:")
                .contains(":jar:" + Platform.current().classifier())
                .contains("<classifier>" + Platform.current().classifier() + "</classifier>")
                .contains(cache.toString());
    }

    @Test
    void anExplicitPathWinsOverThePlatformJar() throws Exception {
        Map<String, String> report = report(start(true, cache, QuicheLibrary.info().path().toString()), 0);

        assertThat(report).containsEntry("origin", "EXPLICIT_PATH").containsEntry("kind", "CUSTOM")
                .containsEntry("path", QuicheLibrary.info().path().toString());
    }

    /** A JVM with this module's classes (and the platform jar when asked), the cache directory {@code cacheDir}, and no other library on its class path. */
    private Process start(boolean withPlatformJar, Path cacheDir, String mode) throws IOException {
        String classPath = Path.of("target/test-classes").toAbsolutePath() + File.pathSeparator + Path.of("target/classes").toAbsolutePath()
                + (withPlatformJar ? File.pathSeparator + jar : "");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-Dquiche.library=" + mode, "-cp", classPath, PrintLibraryInfo.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(Files.createTempFile(temp, "jvm", ".out").toFile());
        builder.environment().remove("QUICHE_LIBRARY_PATH");
        builder.environment().put("QUICHE_ENGINE_CACHE", cacheDir.toString());
        Process process = builder.start();
        outputs.put(process, builder.redirectOutput().file().toPath());
        return process;
    }

    private Map<String, String> report(Process process, int expectedExit) throws Exception {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child JVM did not finish in 60 s: " + process.info().commandLine().orElse("?"));
        }
        String text = Files.readString(outputs.remove(process));
        assertThat(process.exitValue()).as("exit status; output:%n%s", text).isEqualTo(expectedExit);
        Map<String, String> report = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                report.put(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        }
        return report;
    }
}
