package io.quicheengine.perf.seed;

/**
 * "seed-queue-mutex": the seed's "after" design, every quiche call on the event loop, writes
 * through a mutex-guarded command queue with a copy per command, reads through per-stream locked
 * buffers (see {@link QueueMutexTransport}). One benchmark-driver thread at a time.
 */
public final class SeedQueueMutexSystem extends SeedSystem {

    public static final String NAME = "seed-queue-mutex";

    public SeedQueueMutexSystem() {
        super(NAME, QueueMutexTransport::open);
    }
}
