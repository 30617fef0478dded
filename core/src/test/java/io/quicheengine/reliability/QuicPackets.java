package io.quicheengine.reliability;

import java.io.ByteArrayOutputStream;

/**
 * Just enough QUIC v1 header parsing (RFC 9000 section 17) for the suite to classify captured
 * packets and to rewrite header fields in place: connection ids, version, token and Length
 * varints. Stateless; any thread.
 */
final class QuicPackets {
    static final int TYPE_INITIAL = 0;
    static final int TYPE_ZERO_RTT = 1;
    static final int TYPE_HANDSHAKE = 2;
    static final int TYPE_RETRY = 3;

    private QuicPackets() {
    }

    static boolean isLongHeader(byte[] packet) {
        return packet.length > 0 && (packet[0] & 0x80) != 0;
    }

    /** The long-header packet type (Initial 0, 0-RTT 1, Handshake 2, Retry 3); only for long headers. */
    static int longType(byte[] packet) {
        return (packet[0] & 0x30) >> 4;
    }

    static int version(byte[] packet) {
        return ((packet[1] & 0xFF) << 24) | ((packet[2] & 0xFF) << 16) | ((packet[3] & 0xFF) << 8) | (packet[4] & 0xFF);
    }

    /** The byte length of the varint starting with {@code first}. */
    static int varintSize(byte first) {
        return 1 << ((first & 0xC0) >> 6);
    }

    static long varint(byte[] packet, int offset) {
        int size = varintSize(packet[offset]);
        long value = packet[offset] & 0x3F;
        for (int i = 1; i < size; i++) {
            value = (value << 8) | (packet[offset + i] & 0xFF);
        }
        return value;
    }

    /** Writes the largest value a varint of {@code size} bytes can hold at {@code offset}. */
    static void maxVarint(byte[] packet, int offset, int size) {
        int prefix = Integer.numberOfTrailingZeros(size) << 6;
        packet[offset] = (byte) (prefix | 0x3F);
        for (int i = 1; i < size; i++) {
            packet[offset + i] = (byte) 0xFF;
        }
    }

    static void writeVarint(ByteArrayOutputStream out, long value) {
        if (value < 64) {
            out.write((int) value);
        } else if (value < 16384) {
            out.write((int) (0x40 | (value >> 8)));
            out.write((int) value);
        } else {
            out.write((int) (0x80 | (value >> 24)));
            out.write((int) (value >> 16));
            out.write((int) (value >> 8));
            out.write((int) value);
        }
    }

    /**
     * Offsets of a long header's fields. {@code tokenLengthOffset} and {@code tokenOffset} are -1
     * unless Initial; {@code lengthOffset} is -1 for Retry.
     */
    record LongHeader(int dcidOffset, int dcidLength, int scidOffset, int scidLength,
                      int tokenLengthOffset, int tokenOffset, int tokenLength, int lengthOffset) {
        byte[] dcid(byte[] packet) {
            return java.util.Arrays.copyOfRange(packet, dcidOffset, dcidOffset + dcidLength);
        }

        byte[] token(byte[] packet) {
            return tokenOffset < 0 ? new byte[0] : java.util.Arrays.copyOfRange(packet, tokenOffset, tokenOffset + tokenLength);
        }
    }

    /** Parses a long header; null when the packet is too short or malformed for that. */
    static LongHeader parseLong(byte[] p) {
        if (!isLongHeader(p) || p.length < 7) {
            return null;
        }
        int at = 5;
        int dcidLength = p[at++] & 0xFF;
        int dcidOffset = at;
        at += dcidLength;
        if (at >= p.length) {
            return null;
        }
        int scidLength = p[at++] & 0xFF;
        int scidOffset = at;
        at += scidLength;
        if (at >= p.length) {
            return null;
        }
        int type = longType(p);
        int tokenLengthOffset = -1;
        int tokenOffset = -1;
        int tokenLength = 0;
        if (type == TYPE_RETRY) {
            return new LongHeader(dcidOffset, dcidLength, scidOffset, scidLength, -1, -1, 0, -1);
        }
        if (type == TYPE_INITIAL) {
            tokenLengthOffset = at;
            if (at + varintSize(p[at]) > p.length) {
                return null;
            }
            long length = varint(p, at);
            at += varintSize(p[at]);
            if (length > p.length - at) {
                return null;
            }
            tokenOffset = at;
            tokenLength = (int) length;
            at += tokenLength;
        }
        if (at >= p.length || at + varintSize(p[at]) > p.length) {
            return null;
        }
        return new LongHeader(dcidOffset, dcidLength, scidOffset, scidLength, tokenLengthOffset, tokenOffset, tokenLength, at);
    }

    /** A copy of an Initial packet with its token replaced (the rest, protected bytes included, unchanged). */
    static byte[] withToken(byte[] initial, byte[] token) {
        LongHeader h = parseLong(initial);
        if (h == null || h.tokenLengthOffset() < 0) {
            throw new IllegalArgumentException("not an Initial packet");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(initial.length + token.length);
        out.write(initial, 0, h.tokenLengthOffset());
        writeVarint(out, token.length);
        out.writeBytes(token);
        int rest = h.tokenOffset() + h.tokenLength();
        out.write(initial, rest, initial.length - rest);
        return out.toByteArray();
    }

    /**
     * The packets coalesced in one datagram (RFC 9000 section 12.2): long-header packets end where
     * their Length field says; a short-header packet takes the rest.
     */
    static java.util.List<byte[]> split(byte[] datagram) {
        java.util.List<byte[]> packets = new java.util.ArrayList<>();
        byte[] rest = datagram;
        while (rest.length > 0) {
            LongHeader h = isLongHeader(rest) ? parseLong(rest) : null;
            if (h == null || h.lengthOffset() < 0) {
                packets.add(rest);
                break;
            }
            long end = h.lengthOffset() + varintSize(rest[h.lengthOffset()]) + varint(rest, h.lengthOffset());
            if (end >= rest.length) {
                packets.add(rest);
                break;
            }
            packets.add(java.util.Arrays.copyOf(rest, (int) end));
            rest = java.util.Arrays.copyOfRange(rest, (int) end, rest.length);
        }
        return packets;
    }

    static String describe(byte[] packet) {
        if (!isLongHeader(packet)) {
            return "short(" + packet.length + ")";
        }
        String[] names = {"Initial", "0-RTT", "Handshake", "Retry"};
        return names[longType(packet)] + "(" + packet.length + ")";
    }
}
