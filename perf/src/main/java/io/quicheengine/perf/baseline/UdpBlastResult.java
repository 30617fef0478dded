package io.quicheengine.perf.baseline;

/**
 * What a one-way UDP blast measured: datagrams the receiver got in the measured window.
 *
 * @param datagramSize           bytes per datagram
 * @param receivedPackets        datagrams received in the window (what counts)
 * @param nanos                  length of the window
 * @param sentPackets            datagrams the sender handed to the kernel in the window (more than received when the kernel drops)
 * @param receiverBytesAllocated bytes the receiver thread allocated in the window (-1 when unknown)
 */
public record UdpBlastResult(int datagramSize, long receivedPackets, long nanos, long sentPackets, long receiverBytesAllocated) {

    public double packetsPerSecond() {
        return receivedPackets * 1e9 / nanos;
    }

    /** Received payload bits per nanosecond, i.e. Gbit/s. */
    public double gbitPerSecond() {
        return receivedPackets * (double) datagramSize * 8 / nanos;
    }
}
