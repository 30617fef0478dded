package io.quicheengine;

import org.agrona.DirectBuffer;

/**
 * Receives one QUIC DATAGRAM in place, from {@link QuicConnection#pollDatagrams}. The buffer is
 * valid only during the call. Called on the polling thread.
 */
@FunctionalInterface
public interface DatagramHandler {
    void onDatagram(DirectBuffer buffer, int index, int length);
}
