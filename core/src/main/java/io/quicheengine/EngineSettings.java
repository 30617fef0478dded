package io.quicheengine;

import java.time.Duration;
import org.agrona.concurrent.IdleStrategy;

/**
 * The engine's immutable settings, taken from {@link QuicEngine.Builder}. An idle strategy, when not
 * null, replaces the wait strategy of the same place.
 */
record EngineSettings(
        String name,
        WaitStrategy loopWaitStrategy,
        WaitStrategy appWaitStrategy,
        IdleStrategy loopIdleStrategy,
        IdleStrategy appIdleStrategy,
        int commandRingSize,
        int slotSize,
        int readRingCapacity,
        int maxReadRings,
        long streamWriteBound,
        long connectionWriteBound,
        int pendingChunkSize,
        Duration closeTimeout,
        Duration statsInterval,
        ErrorHandler errorHandler,
        boolean portableSockets) {
}
