package io.quicheengine.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A JUnit extension that puts the seed, profiles and counters of the relays a test tracked into that
 * test's failure: attached to the failure as a suppressed exception (so it shows in the report next to
 * the assertion) and printed to standard error. Register it on an instance field so that each test
 * method gets a fresh one:
 *
 * <pre>{@code
 * @RegisterExtension
 * final RelaySeedReporter seeds = new RelaySeedReporter();
 *
 * @Test
 * void survivesLoss() {
 *     try (FaultInjectingRelay relay = seeds.track(FaultInjectingRelay.builder().target(server).build())) {
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>{@link #track} may be called from any thread; JUnit calls the callbacks.
 */
public final class RelaySeedReporter implements TestWatcher, TestExecutionExceptionHandler {
    private final List<FaultInjectingRelay> relays = new CopyOnWriteArrayList<>();

    /** Remembers {@code relay} for the failure report and returns it. */
    public FaultInjectingRelay track(FaultInjectingRelay relay) {
        relays.add(relay);
        return relay;
    }

    /** The tracked relays' {@link FaultInjectingRelay#describe()}, one after the other. */
    public String describeAll() {
        StringBuilder sb = new StringBuilder();
        for (FaultInjectingRelay relay : relays) {
            sb.append(relay.describe()).append('\n');
        }
        return sb.toString();
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable error) throws Throwable {
        if (!relays.isEmpty()) {
            error.addSuppressed(new RelaySeeds(describeAll()));
        }
        throw error;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        if (!relays.isEmpty()) {
            System.err.println("Fault-injecting relays of failed test " + context.getDisplayName() + ":\n"
                    + describeAll());
        }
    }

    /** Carries the relay descriptions inside a failure; no stack trace of its own. */
    static final class RelaySeeds extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RelaySeeds(String description) {
            super("fault-injecting relays of this test:\n" + description, null, false, false);
        }
    }
}
