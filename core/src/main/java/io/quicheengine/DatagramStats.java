package io.quicheengine;

/**
 * One connection's QUIC DATAGRAM counters, each datagram counted once by what became of it.
 * Every datagram {@link QuicConnection#offerDatagram} accepted ends as {@code sent}, or as one of
 * the {@code dropped*} reasons, or is still queued; refusals were never accepted (the offer said
 * false). Immutable; any thread.
 *
 * @param sent               left quiche's send queue in a packet (the network may still lose it: datagrams are never retransmitted)
 * @param refused            offers that returned false: quiche's send queue had no room (credit exhausted) or the command ring was full
 * @param droppedTooLarge    accepted, then refused by quiche as larger than the peer accepts now
 * @param droppedByQuiche    accepted and queued, then dropped by quiche from its send queue unsent because it no longer fit the path
 * @param droppedOnClose     accepted, then the connection closed before quiche sent them
 * @param received           moved from quiche into the connection's inbox for {@link QuicConnection#pollDatagrams}
 * @param droppedOnReceive   received but dropped because the inbox was full (the application did not poll fast enough)
 */
public record DatagramStats(long sent, long refused, long droppedTooLarge, long droppedByQuiche, long droppedOnClose,
                            long received, long droppedOnReceive) {
}
