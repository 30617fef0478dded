package io.quicheengine;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Builds and closes an engine in a JVM that {@link JvmFlagsTest} starts with chosen flags, and
 * prints what happened: {@code built <library>}, or {@code failed <exception class>: <message>}.
 * Then touches an Agrona buffer and prints whether that linked ({@code agrona ok} or
 * {@code agrona <error class>}), to show what the check saved the caller from.
 */
final class BuildEngineMain {
    private BuildEngineMain() {
    }

    public static void main(String[] args) {
        try (QuicEngine engine = QuicEngine.builder().build()) {
            System.out.println("built " + QuicEngine.library());
        } catch (RuntimeException e) {
            System.out.println("failed " + e.getClass().getName() + ": " + e.getMessage());
        }
        try {
            new UnsafeBuffer(new byte[8]).putLong(0, 1L);
            System.out.println("agrona ok");
        } catch (LinkageError e) {
            System.out.println("agrona " + e.getClass().getName());
        }
    }
}
