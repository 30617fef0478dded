package io.quicheengine.ffi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * The platform jar: {@code io.quicheengine:quiche-engine-ffm-bindings:VERSION:jar:<classifier>},
 * which carries the optimized, patched libquiche for one OS and CPU as
 * {@code META-INF/native/<classifier>/<library file>} beside {@value #PROPERTIES} ({@code version},
 * {@code build}, {@code patches.id}, {@code patches}). {@code src/build/stage-platform-jar.sh}
 * writes that layout; keep the two in step.
 *
 * <p>Called by {@link QuicheLibrary} while it loads, on that thread.
 */
final class PlatformJar {
    static final String PROPERTIES = "libquiche.properties";

    private PlatformJar() {
    }

    /** The class path directory of {@code classifier}'s library. */
    static String directory(String classifier) {
        return "META-INF/native/" + classifier + "/";
    }

    /** The library of the platform jar on the class path, extracted; null (with a line in {@code tried}) when there is none. */
    static QuicheLibrary.Candidate find(Platform platform, List<String> tried) {
        String classifier = platform.classifier();
        if (classifier == null) {
            tried.add("platform jar (the project builds none for " + platform + ")");
            return null;
        }
        String directory = directory(classifier);
        Properties description = load(directory + PROPERTIES);
        if (description == null) {
            tried.add("platform jar " + coordinates(platform) + " (not on the class path)");
            return null;
        }
        String version = description.getProperty("version");
        if (!QuicheLibrary.RELEASE_VERSION.equals(version)) {
            tried.add("platform jar " + classifier + " (holds libquiche " + version + ", these bindings need " + QuicheLibrary.RELEASE_VERSION + ")");
            return null;
        }
        String library = directory + platform.libraryFileName();
        try {
            Path path = NativeExtractor.extract(library, "platform", platform.libraryFileName());
            if (path == null) {
                tried.add("platform jar " + classifier + " (has " + PROPERTIES + " but no " + library + ")");
                return null;
            }
            QuicheLibrary.BuildKind kind = "debug".equals(description.getProperty("build"))
                    ? QuicheLibrary.BuildKind.DEBUG : QuicheLibrary.BuildKind.RELEASE;
            return new QuicheLibrary.Candidate(path, kind, description.getProperty("patches", "unknown"), QuicheLibrary.Origin.PLATFORM_JAR);
        } catch (IOException e) {
            tried.add("platform jar " + classifier + " (extraction of " + library + " failed: " + e + ")");
            return null;
        }
    }

    /** What to add to a build for this platform's optimized library, e.g. {@code io.quicheengine:quiche-engine-ffm-bindings:0.1.0:jar:linux-x86_64}. */
    static String coordinates(Platform platform) {
        Properties artifact = load("io/quicheengine/ffi/artifact.properties");
        String gav = artifact == null ? "io.quicheengine:quiche-engine-ffm-bindings:VERSION"
                : artifact.getProperty("groupId") + ":" + artifact.getProperty("artifactId") + ":" + artifact.getProperty("version");
        String classifier = platform.classifier();
        return gav + ":jar:" + (classifier != null ? classifier : "<none built for " + platform.os() + " " + platform.arch() + ">");
    }

    private static Properties load(String resource) {
        try (InputStream in = PlatformJar.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties;
        } catch (IOException e) {
            return null;
        }
    }
}
