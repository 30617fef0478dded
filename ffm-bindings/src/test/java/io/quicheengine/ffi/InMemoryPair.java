package io.quicheengine.ffi;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;

/**
 * A quiche client and server connection in one thread, with packets handed over in memory: no
 * sockets, no threads. Test-only.
 */
final class InMemoryPair implements AutoCloseable {
    static final String ALPN = "quiche-engine-test";
    private static final int MAX_DATAGRAM = 1350;

    final Arena arena = Arena.ofConfined();
    final MemorySegment clientConfig;
    final MemorySegment serverConfig;
    final MemorySegment clientAddr = arena.allocate(SockAddr.STORAGE_LENGTH);
    final MemorySegment serverAddr = arena.allocate(SockAddr.STORAGE_LENGTH);
    final int clientAddrLen;
    final int serverAddrLen;
    final MemorySegment client;
    MemorySegment server = MemorySegment.NULL;

    private final MemorySegment packet = arena.allocate(65536);
    private final SendInfo sendInfo = new SendInfo(arena);
    private final RecvInfo recvInfo = new RecvInfo(arena);
    final MemorySegment scratchFin = arena.allocate(ValueLayout.JAVA_BOOLEAN);
    final MemorySegment scratchError = arena.allocate(ValueLayout.JAVA_LONG);

    InMemoryPair() {
        serverConfig = config(true);
        clientConfig = config(false);
        try {
            clientAddrLen = SockAddr.NATIVE.write(new InetSocketAddress(InetAddress.getLoopbackAddress(), 50000), clientAddr);
            serverAddrLen = SockAddr.NATIVE.write(new InetSocketAddress(InetAddress.getLoopbackAddress(), 4433), serverAddr);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        MemorySegment scid = randomId();
        client = Quiche.connect(arena.allocateFrom("localhost"), scid, scid.byteSize(), clientAddr, clientAddrLen,
                serverAddr, serverAddrLen, clientConfig);
        assertThat(client).isNotEqualTo(MemorySegment.NULL);
    }

    static Path resource(String name) {
        try {
            return Path.of(InMemoryPair.class.getResource("/certs/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MemorySegment config(boolean server) {
        MemorySegment config = QuicheConfig.newConfig(Quiche.PROTOCOL_VERSION);
        assertThat(config).isNotEqualTo(MemorySegment.NULL);
        if (server) {
            QuicheConfig.loadCertChain(config, resource("cert.pem"));
            QuicheConfig.loadPrivateKey(config, resource("key.pem"));
        } else {
            // The self-signed test certificate is its own CA: real verification, not an opt-out.
            QuicheConfig.verifyPeer(config, true);
            QuicheConfig.loadVerifyLocations(config, resource("cert.pem"));
        }
        QuicheConfig.setApplicationProtos(config, List.of(ALPN));
        QuicheConfig.setMaxIdleTimeout(config, 5_000);
        QuicheConfig.setMaxRecvUdpPayloadSize(config, MAX_DATAGRAM);
        QuicheConfig.setMaxSendUdpPayloadSize(config, MAX_DATAGRAM);
        QuicheConfig.setInitialMaxData(config, 16 << 20);
        QuicheConfig.setInitialMaxStreamDataBidiLocal(config, 4 << 20);
        QuicheConfig.setInitialMaxStreamDataBidiRemote(config, 4 << 20);
        QuicheConfig.setInitialMaxStreamDataUni(config, 4 << 20);
        QuicheConfig.setInitialMaxStreamsBidi(config, 100);
        QuicheConfig.setInitialMaxStreamsUni(config, 100);
        QuicheConfig.setDisableActiveMigration(config, true);
        QuicheConfig.enableDgram(config, true, 64, 64);
        return config;
    }

    MemorySegment randomId() {
        byte[] id = new byte[16];
        new SecureRandom().nextBytes(id);
        return arena.allocateFrom(ValueLayout.JAVA_BYTE, id);
    }

    /** Moves every pending packet both ways until neither side has anything to send. */
    void pump() {
        boolean moved = true;
        while (moved) {
            moved = flush(client, true);
            moved |= flush(server, false);
        }
    }

    /** Delivers every packet {@code from} has to send to the other side, and nothing back. */
    void deliverFrom(MemorySegment from) {
        flush(from, from == client);
    }

    /** Lets {@code from} send every packet it has and loses them all. */
    void dropFrom(MemorySegment from) {
        while (QuicheConn.send(from, packet, packet.byteSize(), sendInfo.segment()) > 0) {
            // lost on the way
        }
    }

    void pumpUntilEstablished() {
        for (int i = 0; i < 20 && !(QuicheConn.isEstablished(client) && server.address() != 0 && QuicheConn.isEstablished(server)); i++) {
            pump();
        }
        assertThat(QuicheConn.isEstablished(client)).as("client established").isTrue();
        assertThat(QuicheConn.isEstablished(server)).as("server established").isTrue();
    }

    private boolean flush(MemorySegment from, boolean fromClient) {
        if (from.address() == 0) {
            return false;
        }
        boolean sent = false;
        while (true) {
            long written = QuicheConn.send(from, packet, packet.byteSize(), sendInfo.segment());
            if (written == QuicheError.DONE.code()) {
                return sent;
            }
            assertThat(written).as("quiche_conn_send: %s", QuicheError.describe(written)).isPositive();
            sent = true;
            deliver(written, fromClient);
        }
    }

    private void deliver(long length, boolean toServer) {
        if (toServer && server.address() == 0) {
            acceptFirstPacket(length);
        }
        MemorySegment to = toServer ? server : client;
        recvInfo.from(toServer ? clientAddr : serverAddr, toServer ? clientAddrLen : serverAddrLen)
                .to(toServer ? serverAddr : clientAddr, toServer ? serverAddrLen : clientAddrLen);
        long read = QuicheConn.recv(to, packet, length, recvInfo.segment());
        assertThat(read).as("quiche_conn_recv: %s", QuicheError.describe(read)).isGreaterThanOrEqualTo(0);
    }

    private void acceptFirstPacket(long length) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment version = scratch.allocate(ValueLayout.JAVA_INT);
            MemorySegment type = scratch.allocate(ValueLayout.JAVA_BYTE);
            MemorySegment scid = scratch.allocate(Quiche.MAX_CONN_ID_LEN);
            MemorySegment scidLen = scratch.allocate(ValueLayout.JAVA_LONG);
            MemorySegment dcid = scratch.allocate(Quiche.MAX_CONN_ID_LEN);
            MemorySegment dcidLen = scratch.allocate(ValueLayout.JAVA_LONG);
            MemorySegment token = scratch.allocate(256);
            MemorySegment tokenLen = scratch.allocate(ValueLayout.JAVA_LONG);
            scidLen.set(ValueLayout.JAVA_LONG, 0, Quiche.MAX_CONN_ID_LEN);
            dcidLen.set(ValueLayout.JAVA_LONG, 0, Quiche.MAX_CONN_ID_LEN);
            tokenLen.set(ValueLayout.JAVA_LONG, 0, 256);
            int rc = Quiche.headerInfo(packet, length, 16, version, type, scid, scidLen, dcid, dcidLen, token, tokenLen);
            assertThat(rc).as("quiche_header_info").isZero();
            assertThat(type.get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) Quiche.TYPE_INITIAL);
            assertThat(version.get(ValueLayout.JAVA_INT, 0)).isEqualTo(Quiche.PROTOCOL_VERSION);
            assertThat(dcidLen.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(16);
        }
        MemorySegment scid = randomId();
        server = Quiche.accept(scid, scid.byteSize(), MemorySegment.NULL, 0, serverAddr, serverAddrLen, clientAddr, clientAddrLen, serverConfig);
        assertThat(server).isNotEqualTo(MemorySegment.NULL);
    }

    /** Reads everything readable on {@code stream} of {@code conn}; returns the bytes, fin via {@link #scratchFin}. */
    byte[] readAll(MemorySegment conn, long stream) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        MemorySegment buf = arena.allocate(65536);
        while (true) {
            long n = QuicheStream.recv(conn, stream, buf, buf.byteSize(), scratchFin, scratchError);
            if (n == QuicheError.DONE.code()) {
                return out.toByteArray();
            }
            assertThat(n).as("stream_recv: %s", QuicheError.describe(n)).isGreaterThanOrEqualTo(0);
            out.write(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), 0, (int) n);
            if (scratchFin.get(ValueLayout.JAVA_BOOLEAN, 0)) {
                return out.toByteArray();
            }
        }
    }

    @Override
    public void close() {
        if (client != null && client.address() != 0) {
            QuicheConn.free(client);
        }
        if (server.address() != 0) {
            QuicheConn.free(server);
        }
        if (clientConfig != null) {
            QuicheConfig.free(clientConfig);
        }
        if (serverConfig != null) {
            QuicheConfig.free(serverConfig);
        }
        arena.close();
    }
}
