package io.quicheengine.perf.report;

import io.quicheengine.QuicEngine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where the figures were measured: machine, kernel, JDK, libquiche build, Netty's QUIC codec and
 * the quiche inside it, and the load average before and after (the machine may be shared).
 * Immutable; any thread.
 */
public record Environment(int nproc, String cpuModel, String kernel, String jdk, String jvmArguments,
                          String libquiche, String libquicheBuild, String nettyQuic, String nettyQuiche,
                          String loadAverageBefore, String loadAverageAfter) {

    /** Reads everything except the load after the run ({@link #withLoadAfter}). */
    public static Environment collect() {
        QuicEngine.LibraryInfo library = QuicEngine.library();
        return new Environment(Runtime.getRuntime().availableProcessors(), readCpuModel(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " (" + System.getProperty("os.arch") + ")",
                System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()),
                "libquiche " + library.version() + " from " + library.path(), library.buildKind(),
                nettyQuicVersion(), nettyQuicheVersion(), loadAverage(), null);
    }

    public Environment withLoadAfter(String load) {
        return new Environment(nproc, cpuModel, kernel, jdk, jvmArguments, libquiche, libquicheBuild, nettyQuic, nettyQuiche,
                loadAverageBefore, load);
    }

    /** The 1, 5 and 15 minute load averages, or "unknown" off Linux. */
    public static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String readCpuModel() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            for (String line : lines) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
            return "unknown (no model name in /proc/cpuinfo)";
        } catch (IOException e) {
            return "unknown (" + System.getProperty("os.arch") + ")";
        }
    }

    private static String nettyQuicVersion() {
        try {
            Map<String, io.netty.util.Version> versions = io.netty.util.Version.identify();
            io.netty.util.Version v = versions.get("netty-codec-classes-quic");
            return v == null ? "unknown" : "netty-codec-classes-quic " + v.artifactVersion();
        } catch (RuntimeException | LinkageError e) {
            return "unknown (" + e + ")";
        }
    }

    /** quiche_version() of the library bundled with Netty; Netty only exposes it package-privately. */
    private static String nettyQuicheVersion() {
        try {
            Class<?> quic = Class.forName("io.netty.handler.codec.quic.Quic");
            quic.getMethod("ensureAvailability").invoke(null);
            Class<?> quiche = Class.forName("io.netty.handler.codec.quic.Quiche");
            Method version = quiche.getDeclaredMethod("quiche_version");
            version.setAccessible(true);
            return "quiche " + version.invoke(null) + " (bundled with netty-codec-native-quic)";
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return "unknown (" + e + ")";
        }
    }
}
