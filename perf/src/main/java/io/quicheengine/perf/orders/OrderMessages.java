package io.quicheengine.perf.orders;

/** The benchmark's wire format: a 64-byte order and a 32-byte ack, each starting with the order's sequence number (big-endian long). */
final class OrderMessages {
    static final int ORDER_BYTES = 64;
    static final int ACK_BYTES = 32;

    private OrderMessages() {
    }
}
