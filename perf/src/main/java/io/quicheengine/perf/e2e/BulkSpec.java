package io.quicheengine.perf.e2e;

/**
 * A bulk transfer: {@code totalBytes} split evenly over {@code streams} client-to-server streams,
 * written in {@code chunkSize} pieces, the server discarding (counting) what it reads.
 *
 * @param waitStrategy the engine's wait strategy name, or "n/a" for systems that have none
 */
public record BulkSpec(int streams, long totalBytes, int chunkSize, String waitStrategy) {
}
