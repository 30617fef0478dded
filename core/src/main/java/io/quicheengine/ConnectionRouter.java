package io.quicheengine;

import io.quicheengine.internal.io.Endpoint;
import io.quicheengine.internal.server.ConnectionIds;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * The engine's routing tables: which live connection a datagram belongs to, by the connection id
 * it is addressed to, and the list of every live connection. Keys are the first 8 bytes of an id
 * ({@link ConnectionIds#key}); a source id is then compared in full. Loop thread only.
 */
final class ConnectionRouter {
    /** Every live connection by its source id (ours, random: unique among live connections). */
    private final Long2ObjectHashMap<ConnectionState> bySourceId = new Long2ObjectHashMap<>();
    /** Client-chosen ids of server connections still in their handshake. */
    private final Long2ObjectHashMap<ConnectionState> byOriginalId = new Long2ObjectHashMap<>();
    /** Every live connection; each knows its place ({@link ConnectionState#liveIndex}) for O(1) removal. */
    private final ArrayList<ConnectionState> live = new ArrayList<>();

    /**
     * The connection a datagram that arrived on {@code endpoint} is addressed to, or null; the
     * destination id starts at {@code idOffset} of {@code buffer}, the packet at {@code offset}.
     */
    ConnectionState route(Endpoint endpoint, MemorySegment buffer, long offset, long idOffset) {
        long key = ConnectionIds.key(buffer, idOffset);
        ConnectionState connection = bySourceId.get(key);
        if (connection != null && connection.endpoint == endpoint
                && ConnectionIds.destinationLength(buffer, offset) == ConnectionIds.LOCAL_LENGTH
                && MemorySegment.mismatch(buffer, idOffset, idOffset + ConnectionIds.LOCAL_LENGTH, connection.sourceId, 0, ConnectionIds.LOCAL_LENGTH) == -1) {
            return connection;
        }
        if (ConnectionIds.isLongHeader(buffer, offset)) {
            connection = byOriginalId.get(key);
            if (connection != null && connection.endpoint == endpoint) {
                return connection;
            }
        }
        return null;
    }

    /** Whether a live connection already has a source id with this key (a new one must not take it). */
    boolean knowsSourceId(long key) {
        return bySourceId.containsKey(key);
    }

    /** A live connection: routed by its source id from now on. */
    void add(ConnectionState connection) {
        bySourceId.put(connection.sourceIdKey, connection);
        connection.liveIndex = live.size();
        live.add(connection);
    }

    /** Until the handshake moves the client to our id, it may send more packets to its own. */
    void addOriginalId(ConnectionState connection, long key) {
        connection.originalIdKey = key;
        connection.hasOriginalIdKey = true;
        byOriginalId.put(key, connection);
    }

    /** The connection is gone: no datagram reaches it any more. */
    void remove(ConnectionState connection) {
        if (bySourceId.get(connection.sourceIdKey) == connection) {
            bySourceId.remove(connection.sourceIdKey);
        }
        if (connection.hasOriginalIdKey && byOriginalId.get(connection.originalIdKey) == connection) {
            byOriginalId.remove(connection.originalIdKey);
        }
        int index = connection.liveIndex;
        if (index >= 0) {
            int last = live.size() - 1;
            ConnectionState moved = live.get(last);
            live.set(index, moved);
            moved.liveIndex = index;
            live.remove(last);
            connection.liveIndex = -1;
        }
    }

    int liveCount() {
        return live.size();
    }

    /** The live connection at {@code index}; removal moves the last one into a freed place. */
    ConnectionState live(int index) {
        return live.get(index);
    }
}
