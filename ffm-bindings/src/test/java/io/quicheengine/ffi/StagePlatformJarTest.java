package io.quicheengine.ffi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code src/build/stage-platform-jar.sh}, which fills the platform jar, run for real against a
 * cache made here: it stages only a library built from this version's patches, in the layout
 * {@link PlatformJar} reads, and says plainly when it stages nothing.
 */
class StagePlatformJarTest {
    private static final String CLASSIFIER = "linux-x86_64";

    @TempDir
    Path temp;

    @Test
    void stagesTheCachedLibraryWhereTheLoaderLooks() throws Exception {
        Path cache = cacheWithLibrary(patchId());
        Path out = temp.resolve("platform-jar");

        String said = stage(cache, out);

        Path directory = out.resolve(PlatformJar.directory(CLASSIFIER));
        assertThat(said).contains("platform jar (" + CLASSIFIER + ") packs");
        assertThat(Files.readString(directory.resolve("libquiche.so"))).isEqualTo("not really a library");
        Properties description = new Properties();
        try (InputStream in = Files.newInputStream(directory.resolve(PlatformJar.PROPERTIES))) {
            description.load(in);
        }
        assertThat(description.getProperty("version")).isEqualTo(QuicheLibrary.RELEASE_VERSION);
        assertThat(description.getProperty("build")).isEqualTo("release");
        assertThat(description.getProperty("patches.id")).isEqualTo(patchId());
        assertThat(description.getProperty("patches")).contains("0001-empty-stream-frames.patch");
    }

    @Test
    void withoutAnOptimizedBuildNothingIsStagedAndTheLogSaysWhy() throws Exception {
        Path out = temp.resolve("platform-jar");
        Files.createDirectories(out.resolve("stale"));

        String said = stage(temp.resolve("empty-cache"), out);

        assertThat(said).contains("NOT attached").contains("no optimized libquiche " + QuicheLibrary.RELEASE_VERSION);
        assertThat(out).doesNotExist();
    }

    @Test
    void aLibraryBuiltFromOtherPatchesIsNotStaged() throws Exception {
        Path out = temp.resolve("platform-jar");

        String said = stage(cacheWithLibrary("0123456789abcdef"), out);

        assertThat(said).contains("NOT attached").contains("built from other patches");
        assertThat(out).doesNotExist();
    }

    private Path cacheWithLibrary(String patchId) throws IOException {
        Path cache = temp.resolve("cache");
        Path release = Files.createDirectories(cache.resolve("quiche-" + QuicheLibrary.RELEASE_VERSION + "-release"));
        Files.writeString(release.resolve("libquiche.so"), "not really a library");
        Files.writeString(release.resolve("BUILD_OK"), "quiche " + QuicheLibrary.RELEASE_VERSION + " release features=ffi,qlog patches=" + patchId
                + " (test) built now\n");
        return cache;
    }

    /** What build-libquiche.sh records: the first 16 hex digits of the SHA-256 of this version's patches, concatenated in name order. */
    private static String patchId() throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (var files = Files.list(Path.of("src/build/patches/quiche-" + QuicheLibrary.RELEASE_VERSION))) {
            for (Path patch : files.filter(f -> f.toString().endsWith(".patch")).sorted().toList()) {
                digest.update(Files.readAllBytes(patch));
            }
        }
        return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
    }

    private String stage(Path cache, Path out) throws Exception {
        Path log = temp.resolve("stage.log");
        ProcessBuilder builder = new ProcessBuilder(List.of("bash", Path.of("src/build/stage-platform-jar.sh").toAbsolutePath().toString(),
                QuicheLibrary.RELEASE_VERSION, CLASSIFIER, out.toString())).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("QUICHE_ENGINE_CACHE", cache.toString());
        Process process = builder.start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("stage-platform-jar.sh did not finish in 30 s");
        }
        String said = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("exit status; output: %s", said).isZero();
        return said;
    }
}
