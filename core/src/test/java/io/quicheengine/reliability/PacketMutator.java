package io.quicheengine.reliability;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Makes hostile datagrams from a seed: pure noise, and mutations of real captured QUIC packets
 * (truncation, bit flips, wrong versions, huge length fields, random connection ids, garbage under
 * a live connection's id, exact replays, coalesced pairs). Every kind is drawn with equal weight, so
 * a run of N datagrams exercises each about N/{@code Kind.values().length} times. One thread at a time.
 */
final class PacketMutator {
    /** What was done to a datagram. */
    enum Kind {
        /** Random bytes, 0 to 1500 long (now and then up to 65,507). */
        NOISE,
        /** A long header of version 1 with random type, ids and body, often padded to Initial size. */
        RANDOM_LONG_HEADER,
        /** A captured packet cut short. */
        TRUNCATED,
        /** A captured packet with 1 to 16 bits flipped, half of the time all in its first 64 bytes. */
        BIT_FLIPS,
        /** A captured long-header packet with another version (0, grease, draft-29, v2, random). */
        WRONG_VERSION,
        /** A captured long-header packet whose Length or token length varint, or an id length, is set huge. */
        HUGE_LENGTH,
        /** A captured packet with random destination (and sometimes source) connection ids. */
        RANDOM_CONNECTION_ID,
        /** A short-header packet to the live connection's id with a random body (undecryptable). */
        LIVE_ID_GARBAGE,
        /** A captured packet, unchanged. */
        REPLAY,
        /** Two mutated packets in one datagram. */
        COALESCED
    }

    private static final int[] VERSIONS = {0x00000000, 0xff00001d, 0x6b3343cf, 0x1a2a3a4a, 0xfaceb002, 0x00000002};

    private final List<byte[]> corpus;
    private final List<byte[]> longHeaders;
    private final byte[] liveId;
    private final SplittableRandom random;
    private final Map<Kind, Long> counts = new EnumMap<>(Kind.class);

    /**
     * @param corpus captured datagrams to mutate (not modified)
     * @param liveId a destination connection id the server routes to a live connection, or null
     */
    PacketMutator(List<byte[]> corpus, byte[] liveId, long seed) {
        if (corpus.isEmpty()) {
            throw new IllegalArgumentException("the corpus is empty: capture packets first");
        }
        this.corpus = List.copyOf(corpus);
        this.longHeaders = corpus.stream().filter(QuicPackets::isLongHeader).toList();
        this.liveId = liveId;
        this.random = new SplittableRandom(seed);
    }

    /** How many datagrams of each kind were made so far. */
    Map<Kind, Long> counts() {
        return Map.copyOf(counts);
    }

    byte[] next() {
        Kind[] kinds = Kind.values();
        Kind kind = kinds[random.nextInt(kinds.length)];
        if (kind == Kind.LIVE_ID_GARBAGE && liveId == null) {
            kind = Kind.NOISE;
        }
        counts.merge(kind, 1L, Long::sum);
        return make(kind);
    }

    private byte[] make(Kind kind) {
        return switch (kind) {
            case NOISE -> noise();
            case RANDOM_LONG_HEADER -> randomLongHeader();
            case TRUNCATED -> truncated(pick());
            case BIT_FLIPS -> bitFlips(pick());
            case WRONG_VERSION -> wrongVersion(pickLong());
            case HUGE_LENGTH -> hugeLength(pickLong());
            case RANDOM_CONNECTION_ID -> randomConnectionId(pick());
            case LIVE_ID_GARBAGE -> liveIdGarbage();
            case REPLAY -> pick();
            case COALESCED -> coalesced();
        };
    }

    private byte[] pick() {
        return corpus.get(random.nextInt(corpus.size())).clone();
    }

    private byte[] pickLong() {
        return longHeaders.isEmpty() ? pick() : longHeaders.get(random.nextInt(longHeaders.size())).clone();
    }

    private byte[] noise() {
        int length = random.nextInt(100) == 0 ? random.nextInt(65_508) : random.nextInt(1_501);
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private byte[] randomLongHeader() {
        int length = random.nextBoolean() ? 1200 + random.nextInt(300) : 7 + random.nextInt(1200);
        byte[] p = new byte[length];
        random.nextBytes(p);
        p[0] = (byte) (0xC0 | (p[0] & 0x3F));
        p[1] = 0;
        p[2] = 0;
        p[3] = 0;
        p[4] = 1;
        p[5] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : 8 + random.nextInt(13));
        return p;
    }

    private byte[] truncated(byte[] p) {
        return java.util.Arrays.copyOf(p, p.length == 0 ? 0 : random.nextInt(p.length));
    }

    private byte[] bitFlips(byte[] p) {
        if (p.length == 0) {
            return p;
        }
        int flips = 1 + random.nextInt(16);
        int span = random.nextBoolean() ? Math.min(64, p.length) : p.length;
        for (int i = 0; i < flips; i++) {
            int bit = random.nextInt(span * 8);
            p[bit >> 3] ^= (byte) (1 << (bit & 7));
        }
        return p;
    }

    private byte[] wrongVersion(byte[] p) {
        if (p.length < 5) {
            return p;
        }
        int version = random.nextInt(VERSIONS.length + 1) == 0 ? random.nextInt() : VERSIONS[random.nextInt(VERSIONS.length)];
        p[1] = (byte) (version >>> 24);
        p[2] = (byte) (version >>> 16);
        p[3] = (byte) (version >>> 8);
        p[4] = (byte) version;
        return p;
    }

    private byte[] hugeLength(byte[] p) {
        QuicPackets.LongHeader h = QuicPackets.parseLong(p);
        if (h == null) {
            return bitFlips(p);
        }
        switch (random.nextInt(4)) {
            case 0 -> {
                if (h.lengthOffset() >= 0) {
                    QuicPackets.maxVarint(p, h.lengthOffset(), QuicPackets.varintSize(p[h.lengthOffset()]));
                }
            }
            case 1 -> {
                if (h.tokenLengthOffset() >= 0) {
                    QuicPackets.maxVarint(p, h.tokenLengthOffset(), QuicPackets.varintSize(p[h.tokenLengthOffset()]));
                } else if (h.lengthOffset() >= 0) {
                    QuicPackets.maxVarint(p, h.lengthOffset(), QuicPackets.varintSize(p[h.lengthOffset()]));
                }
            }
            case 2 -> p[5] = (byte) (21 + random.nextInt(235)); // destination id longer than QUIC allows
            default -> p[h.scidOffset() - 1] = (byte) (21 + random.nextInt(235));
        }
        return p;
    }

    private byte[] randomConnectionId(byte[] p) {
        if (QuicPackets.isLongHeader(p)) {
            QuicPackets.LongHeader h = QuicPackets.parseLong(p);
            if (h == null) {
                return bitFlips(p);
            }
            fillRandom(p, h.dcidOffset(), h.dcidLength());
            if (random.nextBoolean()) {
                fillRandom(p, h.scidOffset(), h.scidLength());
            }
            return p;
        }
        fillRandom(p, 1, Math.min(16, p.length - 1));
        return p;
    }

    private byte[] liveIdGarbage() {
        byte[] p = new byte[1 + liveId.length + 20 + random.nextInt(1300)];
        random.nextBytes(p);
        p[0] = (byte) (0x40 | (p[0] & 0x3F));
        System.arraycopy(liveId, 0, p, 1, liveId.length);
        return p;
    }

    private byte[] coalesced() {
        Kind[] parts = {Kind.TRUNCATED, Kind.BIT_FLIPS, Kind.RANDOM_CONNECTION_ID, Kind.HUGE_LENGTH, Kind.REPLAY};
        byte[] a = make(parts[random.nextInt(parts.length)]);
        byte[] b = make(parts[random.nextInt(parts.length)]);
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private void fillRandom(byte[] p, int offset, int length) {
        for (int i = 0; i < length && offset + i < p.length; i++) {
            p[offset + i] = (byte) random.nextInt(256);
        }
    }
}
