package io.quicheengine.internal.buffers;

import io.quicheengine.DatagramHandler;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * One connection's received QUIC DATAGRAMs on their way to the application: an Agrona
 * {@link OneToOneRingBuffer} (message-framed, so datagram boundaries survive) on a direct buffer
 * that the garbage collector frees, so a late reader can never touch freed memory; aligned, because
 * Agrona warns on stderr about a ring on a byte[] (whose base offset it cannot rely on). The loop writes; one application thread at a time
 * reads. A full inbox drops new datagrams: they are unreliable by definition, and counted.
 *
 * <p>Internal to the engine (not exported by its module): the event loop's datagram path
 * delivers on the loop thread; {@code QuicConnection.pollDatagrams} reads on one application thread
 * at a time.
 */
public final class DatagramInbox implements MessageHandler {
    private static final int MESSAGE_TYPE = 1;

    private final OneToOneRingBuffer ring;
    private DatagramHandler target;
    /** Written by the loop. */
    public volatile long received;
    public volatile long dropped;

    public DatagramInbox(int capacity) {
        this.ring = new OneToOneRingBuffer(new UnsafeBuffer(
                BufferUtil.allocateDirectAligned(capacity + RingBufferDescriptor.TRAILER_LENGTH, BitUtil.CACHE_LINE_LENGTH)));
    }

    public int maxLength() {
        return ring.maxMsgLength();
    }

    /** Loop thread: one datagram from {@code source}. */
    public void deliver(UnsafeBuffer source, int length) {
        if (ring.write(MESSAGE_TYPE, source, 0, length)) {
            received++;
        } else {
            dropped++;
        }
    }

    /** The reading thread. */
    public int poll(DatagramHandler handler, int limit) {
        target = handler;
        try {
            return ring.read(this, limit);
        } finally {
            target = null;
        }
    }

    @Override
    public void onMessage(int messageType, MutableDirectBuffer buffer, int index, int length) {
        target.onDatagram(buffer, index, length);
    }
}
