package io.quicheengine.ffi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class QuicheLibraryTest {

    @Test
    void reportsPathVersionAndBuildKind() {
        QuicheLibrary.Info info = QuicheLibrary.info();
        assertThat(info.version()).isEqualTo(QuicheVersion.loaded().text());
        assertThat(Files.isRegularFile(info.path())).isTrue();
        assertThat(info.toString()).contains(info.version()).contains(info.path().toString());
    }

    @Test
    void onlyVersionsWhoseLayoutsAreKnownAreAccepted() {
        assertThat(QuicheVersion.find(QuicheLibrary.RELEASE_VERSION)).isEqualTo(QuicheVersion.V0_29_3);
        assertThat(QuicheVersion.find(QuicheLibrary.FALLBACK_VERSION)).isEqualTo(QuicheVersion.V0_24_5);
        // quiche_stats and quiche_path_stats changed in 0.24.7 and 0.27.0: a near version is not close enough.
        assertThat(QuicheVersion.find("0.24.9")).isNull();
        assertThat(QuicheVersion.find("0.29.4")).isNull();
        assertThat(QuicheVersion.find("")).isNull();
    }

    @Test
    void continuousIntegrationRunsOnTheOptimizedBuild() {
        // CI builds libquiche with cargo; silently testing the debug fallback there would hide a broken build.
        if (System.getenv("CI") != null) {
            assertThat(QuicheLibrary.info().kind()).as("CI must test the optimized libquiche; see the build log").isEqualTo(QuicheLibrary.BuildKind.RELEASE);
        }
        if (QuicheLibrary.info().kind() == QuicheLibrary.BuildKind.RELEASE) {
            assertThat(QuicheLibrary.info().path()).isEqualTo(QuicheLibrary.releaseLibraryPath());
            assertThat(QuicheLibrary.info().origin()).isEqualTo(QuicheLibrary.Origin.CACHE);
            assertThat(QuicheLibrary.info().version()).isEqualTo(QuicheLibrary.RELEASE_VERSION);
            // The fixes in src/build/patches are part of the build, not an option (quiche issue 2696 closes connections).
            assertThat(QuicheLibrary.info().patches()).as(QuicheLibrary.info().toString()).isEqualTo(patchFilesOfThisVersion());
            assertThat(patchFilesOfThisVersion()).contains("0004-stream-send-complete.patch");
            assertThat(QuicheSendComplete.available()).as("patch 0004's quiche_conn_stream_send_complete").isTrue();
        }
    }

    private static String patchFilesOfThisVersion() {
        try (var files = Files.list(java.nio.file.Path.of("src/build/patches/quiche-" + QuicheLibrary.RELEASE_VERSION))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".patch")).sorted()
                    .reduce((a, b) -> a + "," + b).orElse("none");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void platformJarClassifiersFollowNettysNames() {
        assertThat(Platform.detect("Linux", "amd64").classifier()).isEqualTo("linux-x86_64");
        assertThat(Platform.detect("Linux", "aarch64").classifier()).isEqualTo("linux-aarch_64");
        assertThat(Platform.detect("Mac OS X", "x86_64").classifier()).isEqualTo("osx-x86_64");
        assertThat(Platform.detect("Mac OS X", "aarch64").classifier()).isEqualTo("osx-aarch_64");
        assertThat(Platform.detect("FreeBSD", "riscv64").classifier()).isNull();
        // The parent pom's native-* profiles set native.classifier; surefire passes it in.
        assertThat(System.getProperty("native.classifier")).as("Maven's classifier for this machine").isEqualTo(Platform.current().classifier());
    }

    @Test
    void platformNamesMatchTheFallbackJar() {
        assertThat(Platform.detect("Linux", "amd64").fallbackResource()).isEqualTo("linux-x86-64/libquiche.so");
        assertThat(Platform.detect("Mac OS X", "aarch64").fallbackResource()).isEqualTo("darwin-aarch64/libquiche.dylib");
        assertThat(Platform.detect("Windows 11", "amd64").fallbackResource()).isEqualTo("win32-x86-64/quiche.dll");
        assertThat(Platform.detect("FreeBSD", "riscv64").fallbackResource()).isNull();
        assertThat(Platform.detect("FreeBSD", "riscv64").toString()).contains("freebsd").contains("riscv64");
    }
}
