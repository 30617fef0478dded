/**
 * The competitor baseline: Netty's QUIC codec (netty-codec-classes-quic 4.2, which embeds its own
 * optimized quiche) driven over real UDP on 127.0.0.1 with the transport parameters of
 * {@link io.quicheengine.perf.e2e.SharedQuicParams}. {@link io.quicheengine.perf.netty.NettyQuicSystem}
 * is the {@link io.quicheengine.perf.e2e.E2eSystem}; {@link io.quicheengine.perf.netty.NettyQuicServerMain}
 * runs only the server side for two-process runs.
 */
package io.quicheengine.perf.netty;
