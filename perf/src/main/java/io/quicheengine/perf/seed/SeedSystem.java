package io.quicheengine.perf.seed;

import io.quicheengine.perf.e2e.BulkResult;
import io.quicheengine.perf.e2e.BulkSpec;
import io.quicheengine.perf.e2e.E2eSystem;
import io.quicheengine.perf.e2e.PingPongResult;
import io.quicheengine.perf.e2e.PingPongSpec;
import io.quicheengine.perf.e2e.SeedResult;
import io.quicheengine.perf.e2e.SeedSpec;

/**
 * The three workloads run on one seed design; the public subclasses only name the design. Each call
 * starts its own server and client in this JVM and tears them down. One benchmark-driver thread at
 * a time.
 */
abstract class SeedSystem implements E2eSystem {

    private final String name;
    private final SeedTransportFactory factory;

    SeedSystem(String name, SeedTransportFactory factory) {
        this.name = name;
        this.factory = factory;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }

    @Override
    public BulkResult bulk(BulkSpec spec) throws Exception {
        return BulkWorkload.run(name, factory, spec);
    }

    @Override
    public PingPongResult pingPong(PingPongSpec spec) throws Exception {
        return PingPongWorkload.run(name, factory, spec);
    }

    @Override
    public SeedResult seed(SeedSpec spec) throws Exception {
        return SeedUploadWorkload.run(name, factory, spec);
    }
}
