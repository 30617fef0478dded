package io.quicheengine.perf.engine;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * The benchmark driver's wait for an in-loop client ({@link LoopBulkClient},
 * {@link LoopPingPongClient}): parked on the client's result (so it takes no CPU from the two
 * loops), it gives up only when the client's progress counter stood still for {@code stall}, the
 * in-loop analogue of the per-step timeouts of the application-thread clients: a long run on a
 * slow shared machine still finishes. Stateless; the driver thread.
 */
final class LoopRunWatch {
    private static final long LOOK_MILLIS = 1_000;

    private LoopRunWatch() {
    }

    /**
     * @param client   named in the failure (its {@code toString} says how far it got)
     * @return the result
     * @throws IllegalStateException when the client failed (the cause) or stalled
     */
    static <T> T await(CompletableFuture<T> result, LongSupplier progress, Duration stall, Object client) throws InterruptedException {
        long seen = progress.getAsLong();
        long seenAt = System.nanoTime();
        while (true) {
            try {
                return result.get(LOOK_MILLIS, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw new IllegalStateException("the in-loop client failed: " + e.getCause().getMessage(), e.getCause());
            } catch (TimeoutException e) {
                long now = System.nanoTime();
                long p = progress.getAsLong();
                if (p != seen) {
                    seen = p;
                    seenAt = now;
                } else if (now - seenAt > stall.toNanos()) {
                    throw new IllegalStateException("stalled: no progress for " + stall + " (" + client + ")");
                }
            }
        }
    }
}
