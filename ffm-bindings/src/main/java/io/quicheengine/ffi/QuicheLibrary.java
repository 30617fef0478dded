package io.quicheengine.ffi;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Finds, loads and checks libquiche, once per JVM: the optimized {@value #RELEASE_VERSION}, or the debug
 * {@value #FALLBACK_VERSION} of jetty-quiche-native. Any version without known struct layouts
 * ({@link QuicheVersion}) is refused.
 *
 * <p>Where the library comes from, first match wins ({@link Origin}):
 * <ol>
 *   <li>{@code -Dquiche.library=/abs/libquiche.so}, {@code -Dquiche.library.path=...} or the
 *       environment variable {@code QUICHE_LIBRARY_PATH}: exactly that file ({@link BuildKind#CUSTOM}).</li>
 *   <li>The platform jar on the class path, {@code io.quicheengine:quiche-engine-ffm-bindings} with
 *       the classifier {@link Platform#classifier()} (e.g. {@code linux-x86_64}): its
 *       {@code META-INF/native/<classifier>/} holds the optimized, patched build and a
 *       {@code libquiche.properties} describing it. It is extracted to a file named by its content
 *       hash under the cache ({@code <cache>/platform-<sha256>/}), or into a private temporary
 *       directory when the cache cannot be written.</li>
 *   <li>The optimized build that {@code ffm-bindings/src/build/build-libquiche.sh} leaves in the
 *       cache, {@code <cache>/quiche-VERSION-release/libquiche.so} ({@link BuildKind#RELEASE}).</li>
 *   <li>The debug build inside {@code org.mortbay.jetty.quiche:jetty-quiche-native} on the class
 *       path, extracted the same way into {@code <cache>/fallback-<sha256>/} ({@link BuildKind#DEBUG});
 *       one warning is logged, because it is several times slower.</li>
 * </ol>
 * {@code -Dquiche.library=release} takes only an optimized build (the platform jar or the cache) and
 * fails naming the platform jar to add; {@code =fallback} takes only the debug build. The cache is
 * {@code -Dquiche.cache.dir}, else {@code $QUICHE_ENGINE_CACHE}, else
 * {@code $XDG_CACHE_HOME/quiche-engine}, else {@code $HOME/.cache/quiche-engine}, else
 * {@code user.home/.cache/quiche-engine}: the build script's rule ({@link #cacheDirectory()}).
 *
 * <p>Extraction is safe for JVMs starting at once: each writes a temporary file and renames it into
 * place, and a file already there is used only when its content hash matches.
 *
 * <p>Thread safety: any thread may call {@link #info()} and {@link #lookup()}; the first call
 * loads the library under the JVM's class-initialization lock. A load that failed fails again, with
 * the same message, on every later call.
 */
public final class QuicheLibrary {

    /** The version build-libquiche.sh builds (the pom's {@code quiche.version}), looked for in the cache. */
    public static final String RELEASE_VERSION = "0.29.3";

    /** The version of the debug library in jetty-quiche-native (no newer one is published). */
    public static final String FALLBACK_VERSION = "0.24.5";

    private static final System.Logger LOG = System.getLogger(QuicheLibrary.class.getName());

    /** How the loaded library was built, so benchmarks can label their figures. */
    public enum BuildKind {
        /** Optimized: the crates.io sources plus the project's patches (src/build/patches), built by build-libquiche.sh. */
        RELEASE,
        /** The unoptimized build bundled in jetty-quiche-native: slow, and without the project's patches. */
        DEBUG,
        /** A file named by {@code quiche.library} / {@code quiche.library.path} / {@code QUICHE_LIBRARY_PATH}; its build is unknown. */
        CUSTOM
    }

    /** Where the loaded library was found, in the order the loader looks. */
    public enum Origin {
        /** A file the user named ({@code -Dquiche.library=/path}, {@code quiche.library.path}, {@code QUICHE_LIBRARY_PATH}). */
        EXPLICIT_PATH,
        /** The platform jar ({@code quiche-engine-ffm-bindings-VERSION-<classifier>.jar}) on the class path. */
        PLATFORM_JAR,
        /** The optimized build in the cache directory, left there by build-libquiche.sh. */
        CACHE,
        /** The debug build inside jetty-quiche-native on the class path. */
        FALLBACK_JAR
    }

    /**
     * What was loaded.
     *
     * @param path    the library file
     * @param version what {@code quiche_version()} returned
     * @param kind    how it was built
     * @param patches the project's patches compiled in, as the build recorded them next to a
     *                {@link BuildKind#RELEASE} library (for example {@code 0001-empty-stream-frames.patch});
     *                {@code "none"} for the debug build, {@code "unknown"} when nothing says
     * @param origin  where it was found
     */
    public record Info(Path path, String version, BuildKind kind, String patches, Origin origin) {
        @Override
        public String toString() {
            return "libquiche " + version + " (" + kind.name().toLowerCase(Locale.ROOT) + ", patches: " + patches + ") from "
                    + origin.name().toLowerCase(Locale.ROOT).replace('_', ' ') + " " + path;
        }
    }

    private QuicheLibrary() {
    }

    /** Loads the library on first use and says what was loaded; throws {@link QuicheLibraryException} when none could be. */
    public static Info info() {
        return Holder.loaded().info();
    }

    /** Symbols of the loaded library; it stays loaded for the life of the JVM. */
    public static SymbolLookup lookup() {
        return Holder.loaded().lookup();
    }

    /**
     * The cache directory shared with the build script: {@code -Dquiche.cache.dir} when given,
     * else by the script's rule ({@link #cacheDirectory(Function, String)}).
     */
    public static Path cacheDirectory() {
        String configured = System.getProperty("quiche.cache.dir");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return cacheDirectory(System::getenv, System.getProperty("user.home"));
    }

    /**
     * The rule {@code build-libquiche.sh} follows too, so the library it builds is the one loaded:
     * the first set and non-empty of {@code $QUICHE_ENGINE_CACHE}, {@code $XDG_CACHE_HOME/quiche-engine},
     * {@code $HOME/.cache/quiche-engine}, and only last {@code userHome/.cache/quiche-engine}. The
     * environment comes before {@code user.home} because the JVM takes that from the password
     * database, not from {@code HOME}, and a container or CI job that sets {@code HOME} builds there.
     *
     * @param environment the environment variables ({@code System::getenv})
     * @param userHome    the JVM's {@code user.home}
     */
    static Path cacheDirectory(Function<String, String> environment, String userHome) {
        String cache = environment.apply("QUICHE_ENGINE_CACHE");
        if (cache != null && !cache.isEmpty()) {
            return Path.of(cache);
        }
        String xdg = environment.apply("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isEmpty()) {
            return Path.of(xdg, "quiche-engine");
        }
        String home = environment.apply("HOME");
        return Path.of(home != null && !home.isEmpty() ? home : userHome, ".cache", "quiche-engine");
    }

    /** Where the optimized build of {@link #RELEASE_VERSION} lives once built. */
    public static Path releaseLibraryPath() {
        return cacheDirectory().resolve("quiche-" + RELEASE_VERSION + "-release").resolve(Platform.current().libraryFileName());
    }

    private static final class Holder {
        private static final Loaded LOADED;
        private static final QuicheLibraryException FAILURE;

        static {
            Loaded loaded = null;
            QuicheLibraryException failure = null;
            try {
                loaded = load();
            } catch (QuicheLibraryException e) {
                failure = e;
            }
            LOADED = loaded;
            FAILURE = failure;
        }

        /** A fresh exception per call, so each caller gets its own stack trace under the first one. */
        static Loaded loaded() {
            if (FAILURE != null) {
                throw new QuicheLibraryException(FAILURE.getMessage(), FAILURE);
            }
            return LOADED;
        }
    }

    private record Loaded(Info info, SymbolLookup lookup) {
    }

    /** A library file found, before it is loaded and checked. */
    record Candidate(Path path, BuildKind kind, String patches, Origin origin) {
    }

    private static Loaded load() {
        Platform platform = Platform.current();
        List<String> tried = new ArrayList<>();
        Candidate candidate = find(platform, tried);
        if (candidate == null) {
            throw new QuicheLibraryException("no libquiche for " + platform + "; tried: " + String.join("; ", tried));
        }
        SymbolLookup lookup;
        try {
            lookup = SymbolLookup.libraryLookup(candidate.path(), Arena.global());
        } catch (IllegalArgumentException | IllegalCallerException e) {
            tried.add(candidate.path() + " (could not be loaded: " + e.getMessage() + ")");
            throw new QuicheLibraryException("libquiche could not be loaded on " + platform + "; tried: " + String.join("; ", tried), e);
        }
        String version = readVersion(lookup, candidate.path(), platform);
        if (QuicheVersion.find(version) == null) {
            throw new QuicheLibraryException("libquiche at " + candidate.path() + " (" + candidate.origin() + ") is version " + version + ", but these bindings know the "
                    + "struct layouts of " + java.util.Arrays.toString(QuicheVersion.values()) + " only (quiche_stats and quiche_path_stats "
                    + "differ between versions); use the optimized " + RELEASE_VERSION + " that build-libquiche.sh builds");
        }
        Info info = new Info(candidate.path(), version, candidate.kind(), candidate.patches(), candidate.origin());
        if (info.kind() == BuildKind.DEBUG) {
            LOG.log(System.Logger.Level.WARNING, "Using the DEBUG libquiche from jetty-quiche-native (" + info.path()
                    + "): several times slower, and without the project's quiche patches (after loss it may close a connection with "
                    + "FLOW_CONTROL_ERROR, quiche issue 2696, and its RTT estimates run away). For the optimized one add "
                    + PlatformJar.coordinates(platform) + " to the class path, or build it with cargo (see README).");
        } else {
            LOG.log(System.Logger.Level.DEBUG, "Loaded " + info);
        }
        return new Loaded(info, lookup);
    }

    /** The patch list that build-libquiche.sh writes into BUILD_OK: "... patches=ID (a.patch,b.patch) built ...". */
    private static String cachedPatches(Path library) {
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("patches=\\S+ \\(([^)]*)\\)")
                    .matcher(Files.readString(library.resolveSibling("BUILD_OK")));
            return m.find() ? m.group(1) : "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static Candidate find(Platform platform, List<String> tried) {
        String mode = System.getProperty("quiche.library", "auto").trim();
        String override = System.getProperty("quiche.library.path");
        String overrideSource = "-Dquiche.library.path";
        if (mode.contains("/") || mode.contains(java.io.File.separator)) {
            override = mode;
            overrideSource = "-Dquiche.library";
        } else if (override == null || override.isBlank()) {
            override = System.getenv("QUICHE_LIBRARY_PATH");
            overrideSource = "QUICHE_LIBRARY_PATH";
        }
        if (override != null && !override.isBlank()) {
            Path path = Path.of(override).toAbsolutePath();
            if (Files.isRegularFile(path)) {
                return new Candidate(path, BuildKind.CUSTOM, "unknown", Origin.EXPLICIT_PATH);
            }
            tried.add(overrideSource + "=" + override + " (no such file)");
            return null;
        }
        mode = mode.toLowerCase(Locale.ROOT);
        if (!mode.equals("auto") && !mode.equals("release") && !mode.equals("fallback")) {
            throw new QuicheLibraryException("-Dquiche.library must be auto, release, fallback or a path to the library file, not '" + mode + "'");
        }
        if (!mode.equals("fallback")) {
            Candidate fromJar = PlatformJar.find(platform, tried);
            if (fromJar != null) {
                return fromJar;
            }
            Path release = releaseLibraryPath();
            if (Files.isRegularFile(release)) {
                return new Candidate(release, BuildKind.RELEASE, cachedPatches(release), Origin.CACHE);
            }
            tried.add(release + " (optimized build not present: run ./mvnw once with cargo and cmake installed)");
        }
        if (mode.equals("release")) {
            throw new QuicheLibraryException("-Dquiche.library=release but no optimized libquiche " + RELEASE_VERSION + " was found for "
                    + platform + ". Add the platform jar " + PlatformJar.coordinates(platform)
                    + " to the class path (Maven: the quiche-engine-ffm-bindings dependency with <classifier>" + platform.classifier()
                    + "</classifier>), or build the library into the cache with ./mvnw (cargo and cmake needed). Tried: " + String.join("; ", tried));
        }
        String resource = platform.fallbackResource();
        if (resource == null) {
            tried.add("jetty-quiche-native (has no library for " + platform + ")");
            return null;
        }
        try {
            Path extracted = NativeExtractor.extract(resource, "fallback", platform.libraryFileName());
            if (extracted != null) {
                return new Candidate(extracted, BuildKind.DEBUG, "none", Origin.FALLBACK_JAR);
            }
            tried.add("class path resource " + resource + " (org.mortbay.jetty.quiche:jetty-quiche-native:" + FALLBACK_VERSION + " not on the class path)");
        } catch (IOException e) {
            tried.add("class path resource " + resource + " (extraction failed: " + e + ")");
        }
        return null;
    }

    private static String readVersion(SymbolLookup lookup, Path path, Platform platform) {
        MemorySegment symbol = lookup.find("quiche_version").orElseThrow(() -> new QuicheLibraryException(
                path + " loaded on " + platform + " but exports no quiche_version: not libquiche, or corrupt"));
        MethodHandle handle = Linker.nativeLinker().downcallHandle(symbol, FunctionDescriptor.of(ValueLayout.ADDRESS));
        try {
            MemorySegment version = (MemorySegment) handle.invokeExact();
            return version.reinterpret(64).getString(0);
        } catch (Throwable t) {
            throw new QuicheLibraryException("quiche_version() failed in " + path, t);
        }
    }
}
