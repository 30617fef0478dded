package io.quicheengine;

/**
 * A snapshot of one stream's byte counters. Immutable; any thread.
 *
 * @param bytesWritten      accepted from the application
 * @param bytesSent         taken by quiche (queued for the network)
 * @param bytesPendingWrite accepted but not yet taken by quiche (counts against the write bounds)
 * @param bytesReceived     handed by quiche into the stream's read ring
 * @param bytesRead         consumed by the application
 * @param bytesBufferedRead received but not yet read (sitting in the read ring)
 */
public record StreamStats(long streamId, long bytesWritten, long bytesSent, long bytesPendingWrite,
                          long bytesReceived, long bytesRead, long bytesBufferedRead) {
}
