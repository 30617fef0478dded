package io.quicheengine.ffi;

import java.util.Locale;

/**
 * The running OS and CPU, named the way native library bundles name them.
 *
 * <p>Immutable; any thread.
 *
 * @param os   {@code linux}, {@code darwin}, {@code win32}, or the JVM's own name when unknown
 * @param arch {@code x86-64}, {@code aarch64}, or the JVM's own name when unknown
 */
public record Platform(String os, String arch) {

    private static final Platform CURRENT = detect(System.getProperty("os.name"), System.getProperty("os.arch"));

    /** The platform this JVM runs on. */
    public static Platform current() {
        return CURRENT;
    }

    static Platform detect(String osName, String osArch) {
        String name = osName.toLowerCase(Locale.ROOT);
        String os = name.startsWith("linux") ? "linux"
                : name.startsWith("mac") || name.startsWith("darwin") ? "darwin"
                : name.startsWith("windows") ? "win32"
                : name;
        String lowerArch = osArch.toLowerCase(Locale.ROOT);
        String arch = switch (lowerArch) {
            case "amd64", "x86_64", "x86-64" -> "x86-64";
            case "aarch64", "arm64" -> "aarch64";
            default -> lowerArch;
        };
        return new Platform(os, arch);
    }

    /** {@code libquiche.so}, {@code libquiche.dylib} or {@code quiche.dll}. */
    public String libraryFileName() {
        return switch (os) {
            case "darwin" -> "libquiche.dylib";
            case "win32" -> "quiche.dll";
            default -> "libquiche.so";
        };
    }

    /** The entry of jetty-quiche-native holding this platform's library, or null when it has none. */
    String fallbackResource() {
        boolean known = switch (os) {
            case "linux", "darwin" -> arch.equals("x86-64") || arch.equals("aarch64");
            case "win32" -> arch.equals("x86-64");
            default -> false;
        };
        return known ? os + "-" + arch + "/" + libraryFileName() : null;
    }

    /**
     * The Maven classifier of this platform's jar of the optimized library, named as Netty's native
     * jars are ({@code linux-x86_64}, {@code linux-aarch_64}, {@code osx-x86_64}, {@code osx-aarch_64},
     * {@code windows-x86_64}), or null for a platform the project names no jar for. The parent pom's
     * {@code native-*} profiles give Maven the same names.
     */
    public String classifier() {
        String mavenOs = switch (os) {
            case "linux" -> "linux";
            case "darwin" -> "osx";
            case "win32" -> "windows";
            default -> null;
        };
        String mavenArch = switch (arch) {
            case "x86-64" -> "x86_64";
            case "aarch64" -> "aarch_64";
            default -> null;
        };
        return mavenOs == null || mavenArch == null ? null : mavenOs + "-" + mavenArch;
    }

    /** BSD-derived systems put a one-byte {@code sin_len} before a one-byte family in every sockaddr. */
    public boolean bsdSockaddr() {
        return os.equals("darwin");
    }

    @Override
    public String toString() {
        return "OS " + os + " (" + System.getProperty("os.name") + "), arch " + arch + " (" + System.getProperty("os.arch") + ")";
    }
}
