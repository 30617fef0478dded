package io.quicheengine.ffi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The build script and the loader must agree on the cache, or the optimized library is built
 * where the loader never looks. Runs the real {@code build-libquiche.sh --print-cache-dir} and a
 * real JVM ({@link PrintCacheDirectory}) in the same environment and compares what they say.
 */
class CacheDirectoryTest {

    @TempDir
    Path temp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"HOME differs from user.home", "HOME unset", "HOME empty", "XDG_CACHE_HOME set", "XDG_CACHE_HOME empty",
            "QUICHE_ENGINE_CACHE set", "QUICHE_ENGINE_CACHE empty"})
    void scriptAndLoaderResolveTheSameDirectory(String scenario) throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", System.getenv("PATH"));
        String home = temp.resolve("home-from-env").toString();
        switch (scenario) {
            case "HOME differs from user.home" -> env.put("HOME", home);
            case "HOME unset" -> { }
            case "HOME empty" -> env.put("HOME", "");
            case "XDG_CACHE_HOME set" -> {
                env.put("HOME", home);
                env.put("XDG_CACHE_HOME", temp.resolve("xdg").toString());
            }
            case "XDG_CACHE_HOME empty" -> {
                env.put("HOME", home);
                env.put("XDG_CACHE_HOME", "");
            }
            case "QUICHE_ENGINE_CACHE set" -> {
                env.put("HOME", home);
                env.put("XDG_CACHE_HOME", temp.resolve("xdg").toString());
                env.put("QUICHE_ENGINE_CACHE", temp.resolve("explicit").toString());
            }
            case "QUICHE_ENGINE_CACHE empty" -> {
                env.put("HOME", home);
                env.put("QUICHE_ENGINE_CACHE", "");
            }
            default -> throw new IllegalArgumentException(scenario);
        }
        String script = run(env, List.of("bash", Path.of("src/build/build-libquiche.sh").toAbsolutePath().toString(), "--print-cache-dir"));
        String loader = run(env, List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                Path.of("target/test-classes").toAbsolutePath() + File.pathSeparator + Path.of("target/classes").toAbsolutePath(),
                PrintCacheDirectory.class.getName()));

        assertThat(loader).as("the loader's cache directory vs the build script's, environment %s", env).isEqualTo(script);
        assertThat(Path.of(script)).isEqualTo(expected(scenario));
    }

    /** What the documented rule gives: the environment first, user.home only when HOME says nothing. */
    private Path expected(String scenario) {
        Path userHome = Path.of(System.getProperty("user.home"));
        return switch (scenario) {
            case "HOME unset", "HOME empty" -> userHome.resolve(".cache/quiche-engine");
            case "XDG_CACHE_HOME set" -> temp.resolve("xdg/quiche-engine");
            case "QUICHE_ENGINE_CACHE set" -> temp.resolve("explicit");
            default -> temp.resolve("home-from-env/.cache/quiche-engine");
        };
    }

    private static String run(Map<String, String> env, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        String text = new String(out, StandardCharsets.UTF_8).strip();
        assertThat(process.exitValue()).as("%s exit status; output: %s", command, text).isZero();
        return text;
    }
}
