package io.quicheengine;

import io.quicheengine.ffi.QuicheConn;
import io.quicheengine.ffi.QuicheError;
import io.quicheengine.ffi.SendInfo;
import io.quicheengine.ffi.SockAddr;
import io.quicheengine.internal.io.Endpoint;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;

/**
 * Egress: everything quiche has to send for a connection goes out through the connection's
 * socket, datagrams batched back to back for one GSO send. Loop thread only.
 */
final class Egress {
    /**
     * Packets one flush of one connection takes from quiche before the loop moves on (about 1.4 MB
     * at 1350 bytes). A quiche that never says DONE (0.24.5 did, closing with a Handshake probe due:
     * patch 0006) must not keep the loop, its timers and every other connection waiting.
     */
    private static final int MAX_PACKETS_PER_FLUSH = 1024;
    /** The most bytes one batch of datagrams may hold: under the 65507-byte UDP payload limit. */
    private static final int TX_BATCH_BYTES = 65000;
    private static final int TX_BYTES = 65536;

    private final EventLoop loop;
    /** Outgoing datagrams, batched back to back for one GSO send. */
    private final MemorySegment tx;
    private final SendInfo sendInfo;
    /** Connections whose flush stopped at {@link #MAX_PACKETS_PER_FLUSH}: processed again next cycle. */
    private final ArrayList<ConnectionState> unfinished = new ArrayList<>();

    Egress(EventLoop loop) {
        this.loop = loop;
        this.tx = loop.engine.arena.allocate(TX_BYTES, 64);
        this.sendInfo = new SendInfo(loop.engine.arena);
    }

    /** Connections whose flush was cut short go back to be processed next cycle. */
    void requeueUnfinished() {
        for (int i = 0; i < unfinished.size(); i++) {
            ConnectionState connection = unfinished.get(i);
            connection.egressLeft = false;
            loop.markDirty(connection);
        }
        unfinished.clear();
    }

    /**
     * Sends everything quiche has for the connection. Datagrams are written back to back into one
     * buffer and handed to the socket in batches of equal-size segments (one GSO send on Linux): a
     * batch ends at a shorter datagram, a full buffer, or the socket's segment limit.
     */
    void flush(ConnectionState connection) {
        MemorySegment quiche = connection.quiche;
        Endpoint endpoint = connection.endpoint;
        int maxSegments = endpoint.maxSegments();
        long base = tx.address();
        int batched = 0;
        int segmentSize = 0;
        int segments = 0;
        for (int packets = 0; ; packets++) {
            if (packets == MAX_PACKETS_PER_FLUSH) {
                // quiche may go on producing packets without end (seen with a full DATAGRAM queue:
                // the loop sent for over 10 s in one call and never ran the close waiting behind it).
                // The rest waits for the next cycle, after commands, timers and other connections.
                if (!connection.egressLeft) {
                    connection.egressLeft = true;
                    unfinished.add(connection);
                }
                break;
            }
            long written = QuicheConn.sendToAddress(quiche, base + batched, TX_BYTES - batched, sendInfo.segment());
            if (written == QuicheError.DONE.code()) {
                break;
            }
            if (written < 0) {
                throw new IllegalStateException("quiche_conn_send failed: " + QuicheError.describe(written));
            }
            int n = (int) written;
            if (!SockAddr.same(sendInfo.to(), sendInfo.toLength(), connection.peerSockaddr, connection.peerSockaddrLength)) {
                // The peer moved (NAT rebinding): what is batched goes to the old address, the rest to the new one.
                if (batched > 0) {
                    sendBatch(connection, endpoint, base, batched, segmentSize);
                    MemorySegment.copy(tx, batched, tx, 0, n);
                }
                batched = 0;
                segments = 0;
                connection.peerAddress = SockAddr.NATIVE.read(sendInfo.to(), sendInfo.toLength());
                MemorySegment.copy(sendInfo.to(), 0, connection.peerSockaddr, 0, sendInfo.toLength());
                connection.peerSockaddrLength = sendInfo.toLength();
            }
            if (segments > 0 && n > segmentSize) {
                // A larger datagram cannot join this batch: send the batch, then start again with it.
                sendBatch(connection, endpoint, base, batched, segmentSize);
                MemorySegment.copy(tx, batched, tx, 0, n);
                batched = 0;
                segments = 0;
            }
            if (segments == 0) {
                segmentSize = n;
            }
            batched += n;
            segments++;
            if (n < segmentSize || segments >= maxSegments || batched + segmentSize > TX_BATCH_BYTES) {
                sendBatch(connection, endpoint, base, batched, segmentSize);
                batched = 0;
                segments = 0;
            }
        }
        if (batched > 0) {
            sendBatch(connection, endpoint, base, batched, segmentSize);
        }
    }

    private void sendBatch(ConnectionState connection, Endpoint endpoint, long address, int length, int segmentSize) {
        try {
            endpoint.send(address, length, segmentSize, connection.peerSockaddr, connection.peerSockaddrLength, connection.peerAddress);
        } catch (IOException e) {
            // The peer's address may be unreachable for a moment; quiche's loss recovery resends.
            loop.settings.errorHandler().onError(connection.handle, "sending to " + connection.peerAddress, e);
        }
    }
}
