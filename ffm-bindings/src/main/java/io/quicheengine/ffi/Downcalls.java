package io.quicheengine.ffi;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Makes downcall handles into the loaded libquiche, and names the C types.
 *
 * <p>Short, hot calls (packet and stream I/O, timers, iteration) are linked with
 * {@link Linker.Option#critical(boolean) Linker.Option.critical(false)}: no thread-state
 * transition, which a critical function must repay by never calling back into Java. quiche calls
 * back only through its debug logger, so critical linking is on unless
 * {@code -Dquiche.ffm.critical=false}, and {@link Quiche#enableDebugLogging} refuses to run while it
 * is on.
 *
 * <p>Any thread; handles are immutable.
 */
public final class Downcalls {

    /** {@code size_t}, {@code ssize_t}, {@code uint64_t}, {@code int64_t}. */
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    /** {@code int}, {@code uint32_t}, enums, {@code socklen_t}. */
    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    /** {@code bool} (one byte). */
    public static final ValueLayout.OfBoolean C_BOOL = ValueLayout.JAVA_BOOLEAN;
    /** {@code uint8_t}. */
    public static final ValueLayout.OfByte C_BYTE = ValueLayout.JAVA_BYTE;
    /** Any pointer. */
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS;

    /**
     * Whether every wrapper reports its call to the {@link CallObserver} first
     * ({@code -Dquiche.ffm.callChecks=true}). Off by default: the check then costs nothing.
     */
    public static final boolean CALL_CHECKS = Boolean.getBoolean("quiche.ffm.callChecks");

    private static volatile CallObserver callObserver;

    /** Whether hot calls are linked critical; fixed for the life of the JVM. */
    public static final boolean CRITICAL = !"false".equalsIgnoreCase(System.getProperty("quiche.ffm.critical", "true"));

    private Downcalls() {
    }

    /**
     * Sees every quiche call made through these bindings when {@link #CALL_CHECKS} is on. The
     * engine installs one that fails loudly when a call comes from a thread that does not own
     * quiche; this module itself has no opinion on threads.
     */
    @FunctionalInterface
    public interface CallObserver {
        /** Called on the calling thread just before {@code function} runs; may throw to stop the call. */
        void beforeCall(String function);
    }

    /** Installs the observer (null removes it); only effective when {@link #CALL_CHECKS} is on. */
    public static void callObserver(CallObserver observer) {
        callObserver = observer;
    }

    static void checkCall(String function) {
        if (CALL_CHECKS) {
            CallObserver observer = callObserver;
            if (observer != null) {
                observer.beforeCall(function);
            }
        }
    }

    /** A handle to {@code name} with the normal thread-state transition. */
    public static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        return downcall(name, descriptor, false);
    }

    /** A handle to a short call on the hot path: critical unless disabled (see class doc). */
    public static MethodHandle hotDowncall(String name, FunctionDescriptor descriptor) {
        return downcall(name, descriptor, CRITICAL);
    }

    /** A handle to {@code name}, critical or not; benchmarks use it to compare the two. */
    public static MethodHandle downcall(String name, FunctionDescriptor descriptor, boolean critical) {
        MemorySegment symbol = QuicheLibrary.lookup().find(name).orElseThrow(() -> new QuicheLibraryException(
                QuicheLibrary.info() + " does not export " + name));
        return critical
                ? Linker.nativeLinker().downcallHandle(symbol, descriptor, Linker.Option.critical(false))
                : Linker.nativeLinker().downcallHandle(symbol, descriptor);
    }

    /**
     * A handle to {@code name}, critical or not, or null when the loaded library does not export it:
     * for functions only the project's patched build has (the debug fallback lacks them).
     */
    static MethodHandle optionalDowncall(String name, FunctionDescriptor descriptor, boolean critical) {
        return QuicheLibrary.lookup().find(name).isPresent() ? downcall(name, descriptor, critical) : null;
    }

    static FunctionDescriptor fn(MemoryLayout result, MemoryLayout... args) {
        return FunctionDescriptor.of(result, args);
    }

    static FunctionDescriptor voidFn(MemoryLayout... args) {
        return FunctionDescriptor.ofVoid(args);
    }

    /** invokeExact declares Throwable; a downcall only throws what the JVM throws. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("downcall failed", t);
    }
}
