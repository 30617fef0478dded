package io.quicheengine.reliability;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Samples a figure every ~100 microseconds on its own thread and keeps the maximum seen: for "at
 * all times" bounds such as a connection cap. Start and close from the test thread.
 */
final class Sampler implements AutoCloseable {
    private final LongSupplier figure;
    private final AtomicLong max = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong samples = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    Sampler(String name, LongSupplier figure) {
        this.figure = figure;
        this.thread = Thread.ofPlatform().name("sampler-" + name).daemon().start(this::run);
    }

    private void run() {
        while (running) {
            long value = figure.getAsLong();
            max.accumulateAndGet(value, Math::max);
            samples.incrementAndGet();
            LockSupport.parkNanos(100_000);
        }
    }

    long max() {
        return Math.max(max.get(), figure.getAsLong());
    }

    long samples() {
        return samples.get();
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
