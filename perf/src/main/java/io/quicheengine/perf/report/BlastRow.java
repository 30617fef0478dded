package io.quicheengine.perf.report;

/** The plain-UDP one-way blast: what the kernel moves with one datagram per syscall. Immutable; any thread. */
public record BlastRow(int datagramSize, double seconds, long receivedPackets, long sentPackets, double packetsPerSecond,
                       double mbitPerSecond) {
}
