package io.quicheengine.perf.seed;

/**
 * "seed-global-lock": the seed's original design, one recursive lock around the
 * {@code quiche_conn}, taken by application threads for their own stream calls and by the event
 * loop for packet I/O and timers (see {@link GlobalLockTransport}). One benchmark-driver thread at
 * a time.
 */
public final class SeedGlobalLockSystem extends SeedSystem {

    public static final String NAME = "seed-global-lock";

    public SeedGlobalLockSystem() {
        super(NAME, GlobalLockTransport::open);
    }
}
