package io.quicheengine.internal.buffers;

import io.quicheengine.ffi.Quiche;
import io.quicheengine.ffi.QuicheConfig;
import io.quicheengine.ffi.QuicheConn;
import io.quicheengine.ffi.QuicheError;
import io.quicheengine.ffi.QuicheStream;
import io.quicheengine.ffi.RecvInfo;
import io.quicheengine.ffi.SendInfo;
import io.quicheengine.ffi.SockAddr;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * A real quiche client and server connection in one thread, packets handed over in memory, for
 * unit tests of loop-side classes that call quiche (PendingWrites). Test thread only.
 */
final class QuichePairForTests implements AutoCloseable {
    private static final byte[] ALPN = "\u0009unit-test".getBytes(StandardCharsets.ISO_8859_1);

    final Arena arena = Arena.ofConfined();
    final MemorySegment client;
    final MemorySegment errorCode = arena.allocate(ValueLayout.JAVA_LONG);
    MemorySegment server = MemorySegment.NULL;
    private final MemorySegment clientConfig;
    private final MemorySegment serverConfig;
    private final MemorySegment clientAddr = arena.allocate(SockAddr.STORAGE_LENGTH);
    private final MemorySegment serverAddr = arena.allocate(SockAddr.STORAGE_LENGTH);
    private final int clientAddrLen;
    private final int serverAddrLen;
    private final MemorySegment packet = arena.allocate(65536);
    private final SendInfo sendInfo = new SendInfo(arena);
    private final RecvInfo recvInfo = new RecvInfo(arena);
    private final MemorySegment fin = arena.allocate(ValueLayout.JAVA_BOOLEAN);

    /** {@code serverStreamWindow}: the stream flow-control window the server grants, to make quiche take less than offered. */
    QuichePairForTests(long serverStreamWindow) {
        // The suite checks that only loop (or invoker-owner) threads call quiche; this pair is driven by the test thread.
        io.quicheengine.QuicheCallsForTests.permit();
        serverConfig = config(serverStreamWindow);
        QuicheConfig.loadCertChain(serverConfig, io.quicheengine.testing.TestCertificate.certificate());
        QuicheConfig.loadPrivateKey(serverConfig, io.quicheengine.testing.TestCertificate.privateKey());
        clientConfig = config(1 << 20);
        // Only stream bytes are under test here; the handshake's certificate checks are EchoTest's business.
        QuicheConfig.verifyPeer(clientConfig, false);
        clientAddrLen = SockAddr.NATIVE.write(new InetSocketAddress(InetAddress.getLoopbackAddress(), 50000), clientAddr);
        serverAddrLen = SockAddr.NATIVE.write(new InetSocketAddress(InetAddress.getLoopbackAddress(), 4433), serverAddr);
        MemorySegment scid = randomId();
        client = Quiche.connect(arena.allocateFrom("localhost"), scid, scid.byteSize(), clientAddr, clientAddrLen, serverAddr,
                serverAddrLen, clientConfig);
        for (int i = 0; i < 20 && !(server.address() != 0 && QuicheConn.isEstablished(server) && QuicheConn.isEstablished(client)); i++) {
            pump();
        }
        if (!QuicheConn.isEstablished(client) || !QuicheConn.isEstablished(server)) {
            throw new IllegalStateException("in-memory handshake did not complete");
        }
    }

    private MemorySegment config(long streamWindow) {
        MemorySegment config = QuicheConfig.newConfig(Quiche.PROTOCOL_VERSION);
        QuicheConfig.setApplicationProtos(config, arena.allocateFrom(ValueLayout.JAVA_BYTE, ALPN), ALPN.length);
        QuicheConfig.setMaxIdleTimeout(config, 5_000);
        QuicheConfig.setInitialMaxData(config, 16 << 20);
        QuicheConfig.setInitialMaxStreamDataBidiLocal(config, streamWindow);
        QuicheConfig.setInitialMaxStreamDataBidiRemote(config, streamWindow);
        QuicheConfig.setInitialMaxStreamsBidi(config, 10);
        QuicheConfig.setDisableActiveMigration(config, true);
        return config;
    }

    private MemorySegment randomId() {
        byte[] id = new byte[16];
        new SecureRandom().nextBytes(id);
        return arena.allocateFrom(ValueLayout.JAVA_BYTE, id);
    }

    /** Moves packets both ways until neither side has anything to send. */
    void pump() {
        boolean moved = true;
        while (moved) {
            moved = flush(client, true);
            moved |= flush(server, false);
        }
    }

    /** Everything readable on {@code stream} at the server. */
    byte[] serverRead(long stream) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            long n = QuicheStream.recv(server, stream, packet, packet.byteSize(), fin, errorCode);
            if (n == QuicheError.DONE.code()) {
                return out.toByteArray();
            }
            if (n < 0) {
                throw new IllegalStateException("stream_recv: " + QuicheError.describe(n));
            }
            out.write(packet.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), 0, (int) n);
        }
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
            if (written < 0) {
                throw new IllegalStateException("conn_send: " + QuicheError.describe(written));
            }
            sent = true;
            if (fromClient && server.address() == 0) {
                MemorySegment scid = randomId();
                server = Quiche.accept(scid, scid.byteSize(), MemorySegment.NULL, 0, serverAddr, serverAddrLen, clientAddr, clientAddrLen,
                        serverConfig);
            }
            MemorySegment to = fromClient ? server : client;
            recvInfo.from(fromClient ? clientAddr : serverAddr, fromClient ? clientAddrLen : serverAddrLen)
                    .to(fromClient ? serverAddr : clientAddr, fromClient ? serverAddrLen : clientAddrLen);
            long read = QuicheConn.recv(to, packet, written, recvInfo.segment());
            if (read < 0) {
                throw new IllegalStateException("conn_recv: " + QuicheError.describe(read));
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
        QuicheConfig.free(clientConfig);
        QuicheConfig.free(serverConfig);
        arena.close();
        io.quicheengine.QuicheCallsForTests.forbid();
    }
}
