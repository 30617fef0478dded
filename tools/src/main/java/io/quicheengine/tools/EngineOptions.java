package io.quicheengine.tools;

import io.quicheengine.QuicEngine;
import io.quicheengine.WaitStrategy;
import picocli.CommandLine.Option;

/**
 * The {@code --wait-strategy} option shared by the commands, and the engine it configures.
 * Filled by picocli, then read on the command's thread.
 */
final class EngineOptions {
    @Option(names = "--wait-strategy", paramLabel = "S", defaultValue = "BLOCKING",
            description = {"How the engine's loop and waiting threads idle: BUSY_SPIN (lowest latency,",
                    "keeps a core busy per waiting thread), YIELDING, BACKOFF (spin, yield, then",
                    "sleep up to 1 ms) or BLOCKING (sleep until a datagram, a timer or work",
                    "arrives). Default ${DEFAULT-VALUE}."})
    WaitStrategy waitStrategy;

    QuicEngine.Builder engine(String name) {
        return QuicEngine.builder().name(name).loopWaitStrategy(waitStrategy).appWaitStrategy(waitStrategy);
    }
}
