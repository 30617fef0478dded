package io.quicheengine.perf.netty;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicCodecBuilder;
import io.netty.handler.codec.quic.QuicCongestionControlAlgorithm;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.quicheengine.perf.e2e.SharedQuicParams;

import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Builds Netty's QUIC client and server codecs with the transport parameters of
 * {@link SharedQuicParams}. Stateless; any thread.
 *
 * <p>What is matched: ALPN, max idle timeout, max send and receive UDP payload (1350), initial
 * max data, initial max stream data (bidi local, bidi remote, uni), initial max streams (bidi,
 * uni) and the congestion control algorithm (CUBIC; HyStart++ left at quiche's default, on).
 * What Netty does not let us match: quiche's pacing ({@code enable_pacing} is not exposed, and
 * Netty sends as soon as quiche produces a packet, ignoring {@code send_info.at}), the connection
 * and stream receive-window limits ({@code max_connection_window}, {@code max_stream_window}:
 * quiche's defaults, 24 MiB and 16 MiB), and the quiche build itself (Netty 4.2.18 bundles
 * quiche 0.29.x as published, the engine 0.29.3 with the project's patches). Netty's default connection-id length (20) and stateless
 * reset token generator are kept. No token handler is set, so Netty does no Retry and the handshake
 * takes one round trip as in the other systems.
 */
final class NettyQuicTransport {
    private NettyQuicTransport() {
    }

    /** A server codec; {@code streamHandler} is added to every stream the client opens. */
    static ChannelHandler serverCodec(ChannelHandler streamHandler) {
        QuicSslContext ssl = QuicSslContextBuilder
                .forServer(NettyQuicCerts.PRIVATE_KEY, null, NettyQuicCerts.CERTIFICATE)
                .applicationProtocols(SharedQuicParams.ALPN)
                .build();
        return applyShared(new QuicServerCodecBuilder())
                .sslContext(ssl)
                // A stream must outlive the peer's FIN so the server can still answer (echo, report).
                .streamOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .streamHandler(streamHandler)
                .build();
    }

    /**
     * A client codec that trusts exactly the test certificate and checks that it names
     * {@code server}'s host (the certificate covers localhost and 127.0.0.1).
     */
    static ChannelHandler clientCodec(InetSocketAddress server) {
        QuicSslContext ssl = QuicSslContextBuilder.forClient()
                .trustManager(NettyQuicCerts.CERTIFICATE)
                .applicationProtocols(SharedQuicParams.ALPN)
                .build();
        // Netty's default engine knows no peer host, so its HTTPS host check would always fail.
        return applyShared(new QuicClientCodecBuilder())
                .sslEngineProvider(connection -> ssl.newEngine(connection.alloc(), server.getHostString(), server.getPort()))
                .build();
    }

    private static <B extends QuicCodecBuilder<B>> B applyShared(B builder) {
        return builder
                .maxIdleTimeout(SharedQuicParams.IDLE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                .maxSendUdpPayloadSize(SharedQuicParams.MAX_UDP_PAYLOAD)
                .maxRecvUdpPayloadSize(SharedQuicParams.MAX_UDP_PAYLOAD)
                .initialMaxData(SharedQuicParams.INITIAL_MAX_DATA)
                .initialMaxStreamDataBidirectionalLocal(SharedQuicParams.INITIAL_MAX_STREAM_DATA)
                .initialMaxStreamDataBidirectionalRemote(SharedQuicParams.INITIAL_MAX_STREAM_DATA)
                .initialMaxStreamDataUnidirectional(SharedQuicParams.INITIAL_MAX_STREAM_DATA)
                .initialMaxStreamsBidirectional(SharedQuicParams.INITIAL_MAX_STREAMS_BIDI)
                .initialMaxStreamsUnidirectional(SharedQuicParams.INITIAL_MAX_STREAMS_UNI)
                .congestionControlAlgorithm(QuicCongestionControlAlgorithm.valueOf(
                        SharedQuicParams.CC_ALGORITHM.toUpperCase(Locale.ROOT)));
    }
}
