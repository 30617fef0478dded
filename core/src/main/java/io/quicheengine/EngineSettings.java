package io.quicheengine;

import java.time.Duration;

/** The engine's immutable settings, taken from {@link QuicEngine.Builder}. */
record EngineSettings(
        String name,
        WaitStrategy loopWaitStrategy,
        WaitStrategy appWaitStrategy,
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
