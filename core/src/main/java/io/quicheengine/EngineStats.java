package io.quicheengine;

/**
 * Engine-wide memory and liveness figures, for monitoring and leak checks. Immutable; any thread.
 *
 * @param liveConnections         connections not yet closed and freed
 * @param liveStreams             streams the engine still tracks
 * @param quicheConnections       native {@code quiche_conn} objects allocated
 * @param quicheConfigs           native {@code quiche_config} objects allocated
 * @param readRingsInUse          read rings lent to streams
 * @param readRingsAllocated      read rings allocated (in use + pooled)
 * @param readRingBytesAllocated  native bytes of all read rings
 * @param pendingChunksInUse      pending-write chunks holding bytes
 * @param pendingChunksAllocated  pending-write chunks allocated (in use + pooled)
 * @param commandSlotBytes        native bytes of command-ring payload slots
 * @param bufferedReadBytes       bytes received and not yet read, all streams (as of the last stats interval)
 * @param pendingWriteBytes       bytes accepted and not yet taken by quiche, all streams (as of the last stats interval)
 * @param datagramsDroppedOnSend  UDP datagrams the engine's sockets dropped since it started because their send
 *                                buffer stayed full (quiche counts them as sent; its loss recovery resends what
 *                                they carried), as of the last stats interval
 */
public record EngineStats(long liveConnections, long liveStreams, long quicheConnections, long quicheConfigs,
                          long readRingsInUse, long readRingsAllocated, long readRingBytesAllocated,
                          long pendingChunksInUse, long pendingChunksAllocated, long commandSlotBytes,
                          long bufferedReadBytes, long pendingWriteBytes, long datagramsDroppedOnSend) {

    /**
     * True when nothing native is held: after {@link QuicEngine#close()}, unless the close reported
     * to the error handler that it had to leak buffers a thread still used (the counts then show them).
     */
    public boolean nothingAllocated() {
        return quicheConnections == 0 && quicheConfigs == 0 && readRingsAllocated == 0 && pendingChunksAllocated == 0 && commandSlotBytes == 0;
    }
}
