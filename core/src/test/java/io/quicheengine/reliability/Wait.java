package io.quicheengine.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition until it holds or a timeout passes. Test-only; any thread. */
final class Wait {
    private Wait() {
    }

    /** Waits until {@code supplier} gives a value (a polling accept, say) and returns it; fails with {@code what} after {@code timeout}. */
    static <T> T forValue(Supplier<T> supplier, Duration timeout, String what) {
        List<T> got = new ArrayList<>(1);
        until(() -> {
            T value = supplier.get();
            return value != null && got.add(value);
        }, timeout, () -> what);
        return got.get(0);
    }

    /** Waits for {@code condition}; fails with {@code what} (evaluated only on failure) after {@code timeout}. */
    static void until(BooleanSupplier condition, Duration timeout, Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what.get());
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what.get(), e);
            }
        }
    }
}
