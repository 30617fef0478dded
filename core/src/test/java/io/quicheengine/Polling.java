package io.quicheengine;

import java.time.Duration;
import java.util.function.Supplier;

/** Waits for something to become non-null (polling APIs) or a condition to hold. Test-only. */
final class Polling {
    private Polling() {
    }

    static <T> T await(Supplier<T> supplier, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T value = supplier.get();
            if (value != null) {
                return value;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            sleep();
        }
    }

    static void until(java.util.function.BooleanSupplier condition, Duration timeout, String what) {
        await(() -> condition.getAsBoolean() ? Boolean.TRUE : null, timeout, what);
    }

    private static void sleep() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
