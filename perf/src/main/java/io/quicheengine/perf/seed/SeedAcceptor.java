package io.quicheengine.perf.seed;

import io.quicheengine.ffi.Quiche;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The server's accept step, as in the seed: on the first datagram, {@code quiche_header_info};
 * when it is a client Initial of a supported version, {@code quiche_accept} with a fresh source
 * connection ID and no retry (no original DCID). Anything else is dropped. Loop thread only (or,
 * in the global-lock design, whichever thread holds the connection lock).
 */
final class SeedAcceptor {

    /** Length of the connection IDs this package generates. */
    static final int CONN_ID_LEN = 16;
    private static final int TOKEN_CAPACITY = 256;

    private final MemorySegment version;
    private final MemorySegment type;
    private final MemorySegment scid;
    private final MemorySegment scidLen;
    private final MemorySegment dcid;
    private final MemorySegment dcidLen;
    private final MemorySegment token;
    private final MemorySegment tokenLen;

    SeedAcceptor(Arena arena) {
        version = arena.allocate(ValueLayout.JAVA_INT);
        type = arena.allocate(ValueLayout.JAVA_BYTE);
        scid = arena.allocate(Quiche.MAX_CONN_ID_LEN);
        scidLen = arena.allocate(ValueLayout.JAVA_LONG);
        dcid = arena.allocate(Quiche.MAX_CONN_ID_LEN);
        dcidLen = arena.allocate(ValueLayout.JAVA_LONG);
        token = arena.allocate(TOKEN_CAPACITY);
        tokenLen = arena.allocate(ValueLayout.JAVA_LONG);
    }

    /**
     * @param packet    the datagram (not modified)
     * @param newScid   the server's connection ID for the new connection
     * @return the new {@code quiche_conn*}, or NULL when the datagram is not an acceptable Initial
     */
    MemorySegment accept(MemorySegment packet, long length, MemorySegment newScid, MemorySegment config,
                         MemorySegment local, int localLen, MemorySegment peer, int peerLen) {
        scidLen.set(ValueLayout.JAVA_LONG, 0, Quiche.MAX_CONN_ID_LEN);
        dcidLen.set(ValueLayout.JAVA_LONG, 0, Quiche.MAX_CONN_ID_LEN);
        tokenLen.set(ValueLayout.JAVA_LONG, 0, TOKEN_CAPACITY);
        int rc = Quiche.headerInfo(packet, length, CONN_ID_LEN, version, type, scid, scidLen, dcid, dcidLen, token, tokenLen);
        if (rc < 0 || type.get(ValueLayout.JAVA_BYTE, 0) != Quiche.TYPE_INITIAL
                || !Quiche.versionIsSupported(version.get(ValueLayout.JAVA_INT, 0))) {
            // The seed's clients always speak QUIC v1, so version negotiation is not needed here.
            return MemorySegment.NULL;
        }
        return Quiche.accept(newScid, newScid.byteSize(), MemorySegment.NULL, 0, local, localLen, peer, peerLen, config);
    }
}
