package io.quicheengine.internal.server;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.security.SecureRandom;

/**
 * Connection ids: the engine's own source ids (16 random bytes from {@link SecureRandom}) and the
 * zero-allocation parsing of a datagram's destination id for routing. A routing key is the id's
 * first 8 bytes; a hit is confirmed by comparing the whole id.
 *
 * <p>Internal to the engine (not exported by its module): used by the event loop (routing,
 * connecting) and the server acceptor, on the loop thread.
 */
public final class ConnectionIds {
    /** Length of the ids this engine chooses for itself. */
    public static final int LOCAL_LENGTH = 16;
    public static final int MAX_LENGTH = 20;
    private static final ValueLayout.OfLong KEY = ValueLayout.JAVA_LONG_UNALIGNED;

    private final SecureRandom random = new SecureRandom();

    /** Loop thread: a fresh random id. */
    public byte[] next() {
        byte[] id = new byte[LOCAL_LENGTH];
        random.nextBytes(id);
        return id;
    }

    public static long key(MemorySegment id, long offset) {
        return id.get(KEY, offset);
    }

    public static long key(byte[] id) {
        return MemorySegment.ofArray(id).get(KEY, 0);
    }

    /**
     * Where the destination id of the datagram at {@code offset} starts (an absolute offset in
     * {@code buffer}), or -1 when the datagram is too short or its id shorter than a routing key.
     */
    public static long destinationOffset(MemorySegment buffer, long offset, int length) {
        if (length < 1) {
            return -1;
        }
        byte first = buffer.get(ValueLayout.JAVA_BYTE, offset);
        if ((first & 0x80) == 0) {
            return length >= 1 + LOCAL_LENGTH ? offset + 1 : -1;
        }
        if (length < 6) {
            return -1;
        }
        int idLength = buffer.get(ValueLayout.JAVA_BYTE, offset + 5) & 0xFF;
        return idLength >= 8 && idLength <= MAX_LENGTH && length >= 6 + idLength ? offset + 6 : -1;
    }

    public static int destinationLength(MemorySegment buffer, long offset) {
        byte first = buffer.get(ValueLayout.JAVA_BYTE, offset);
        return (first & 0x80) == 0 ? LOCAL_LENGTH : buffer.get(ValueLayout.JAVA_BYTE, offset + 5) & 0xFF;
    }

    public static boolean isLongHeader(MemorySegment buffer, long offset) {
        return (buffer.get(ValueLayout.JAVA_BYTE, offset) & 0x80) != 0;
    }

    public static String hex(MemorySegment id, int length) {
        StringBuilder s = new StringBuilder(length * 2);
        for (int i = 0; i < length; i++) {
            s.append(String.format("%02x", id.get(ValueLayout.JAVA_BYTE, i)));
        }
        return s.toString();
    }
}
