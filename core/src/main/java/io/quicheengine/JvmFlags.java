package io.quicheengine;

import io.quicheengine.ffi.QuicheLibrary;
import java.util.LinkedHashSet;
import java.util.Set;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Checks that this JVM was started with the flags the engine cannot run without, and names the
 * missing ones, so that a forgotten flag fails {@link QuicEngine.Builder#build()} with a clear
 * message instead of a warning on stderr or an {@code IllegalAccessError} deep inside the first
 * connect.
 *
 * <ul>
 *   <li>{@code --enable-native-access=<module>}: the modules that call libquiche through FFM (the
 *       bindings and the engine; {@code ALL-UNNAMED} on the class path).</li>
 *   <li>{@code --add-exports java.base/jdk.internal.misc=<module>}: Agrona's buffers call
 *       {@code jdk.internal.misc.Unsafe} directly and fail to link without it.</li>
 * </ul>
 * An executable jar can give both in its manifest ({@code Enable-Native-Access},
 * {@code Add-Exports}); the checks ask the modules themselves, so every way of granting counts.
 *
 * <p>Native access is read once, when {@link QuicEngine} is initialized ({@link #snapshot()}): in the
 * JDK's default mode a restricted call made without the flag only warns, and then grants access
 * for good, so a look after the engine's first such call (building a {@code Builder} already makes
 * one) would always see it granted.
 *
 * <p>Any thread; immutable after class initialization.
 */
final class JvmFlags {
    private static final Set<String> MISSING_NATIVE_ACCESS = missingNativeAccess();

    private JvmFlags() {
    }

    /** Takes the native-access snapshot (by initializing this class); QuicEngine calls it before anything else. */
    static void snapshot() {
        // Class initialization did the work.
    }

    /** @throws IllegalStateException naming every missing flag and why it is needed */
    static void check() {
        Set<String> missing = new LinkedHashSet<>(MISSING_NATIVE_ACCESS);
        Module agrona = UnsafeBuffer.class.getModule();
        if (!Object.class.getModule().isExported("jdk.internal.misc", agrona)) {
            missing.add("--add-exports java.base/jdk.internal.misc=" + flagName(agrona) + " (Agrona's buffers use jdk.internal.misc.Unsafe)");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("quiche-engine needs JVM flags this JVM was started without: " + String.join(", ", missing)
                    + ". Add them to the java command line (or to JDK_JAVA_OPTIONS, Surefire's argLine, or an executable jar's manifest"
                    + " as Enable-Native-Access / Add-Exports).");
        }
    }

    private static Set<String> missingNativeAccess() {
        Set<String> missing = new LinkedHashSet<>();
        for (Module module : new Module[] {QuicheLibrary.class.getModule(), JvmFlags.class.getModule()}) {
            if (!module.isNativeAccessEnabled()) {
                missing.add("--enable-native-access=" + flagName(module) + " (libquiche is called through FFM)");
            }
        }
        return missing;
    }

    private static String flagName(Module module) {
        return module.isNamed() ? module.getName() : "ALL-UNNAMED";
    }
}
