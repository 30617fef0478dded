package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link QuicEngine.Builder#build()} in new JVMs started without one of the flags the engine
 * needs, or asked for a release library that is not there: it must fail at once, naming the flag
 * or the jar to add.
 */
class JvmFlagsTest {
    private static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    private static final String ADD_EXPORTS = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";

    @TempDir
    Path temp;

    @Test
    void withoutAnyFlagBuildNamesBoth() throws Exception {
        String out = run(List.of());

        assertThat(out).contains("failed java.lang.IllegalStateException")
                .contains("--enable-native-access=ALL-UNNAMED")
                .contains("--add-exports java.base/jdk.internal.misc=ALL-UNNAMED");
    }

    @Test
    void withoutAddExportsBuildNamesItWhereAgronaWouldFailToLink() throws Exception {
        String out = run(List.of(NATIVE_ACCESS));

        assertThat(out).contains("failed java.lang.IllegalStateException")
                .contains("--add-exports java.base/jdk.internal.misc=ALL-UNNAMED")
                .doesNotContain("--enable-native-access");
        // What the check stands in front of: the first use of an Agrona buffer fails to link.
        assertThat(out).contains("agrona java.lang.IllegalAccessError");
    }

    @Test
    void withoutNativeAccessBuildNamesIt() throws Exception {
        String out = run(List.of(ADD_EXPORTS));

        assertThat(out).contains("failed java.lang.IllegalStateException").contains("--enable-native-access=ALL-UNNAMED")
                .doesNotContain("--add-exports").contains("agrona ok");
    }

    @Test
    void withBothFlagsTheEngineBuilds() throws Exception {
        assertThat(run(List.of(NATIVE_ACCESS, ADD_EXPORTS))).contains("built libquiche").contains("agrona ok");
    }

    @Test
    void releaseWithoutPlatformJarOrCacheNamesTheJarToAdd() throws Exception {
        String out = run(List.of(NATIVE_ACCESS, ADD_EXPORTS, "-Dquiche.library=release"));

        assertThat(out).contains("failed io.quicheengine.ffi.QuicheLibraryException")
                .contains("io.quicheengine:quiche-engine-ffm-bindings:")
                .contains("<classifier>");
    }

    /** Runs {@link BuildEngineMain} with this JVM's class path and {@code flags}; {@code -Dquiche.library=release} gets an empty cache directory. */
    private String run(List<String> flags) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(flags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), BuildEngineMain.class.getName()));
        Path output = temp.resolve("out-" + flags.size() + "-" + System.nanoTime() + ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().remove("QUICHE_LIBRARY_PATH");
        if (flags.contains("-Dquiche.library=release")) {
            builder.environment().put("QUICHE_ENGINE_CACHE", Files.createDirectories(temp.resolve("empty-cache")).toString());
        }
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child JVM did not finish in 60 s: " + command);
        }
        String text = Files.readString(output);
        assertThat(process.exitValue()).as("exit status; output:%n%s", text).isZero();
        return text;
    }
}
