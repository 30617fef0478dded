package io.quicheengine;

import io.quicheengine.internal.io.Endpoint;
import io.quicheengine.internal.server.RetryTokens;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

/** A bound server: its socket, config, cap and counters. Written by the loop, read by any thread. */
final class ServerState {
    final EngineCore engine;
    final ServerConfig config;
    final QuicListener listener;
    final QuicServer handle;
    final InetSocketAddress localAddress;
    /** New connections waiting for {@link QuicServer#accept()} (polling mode only). */
    final ManyToManyConcurrentArrayQueue<QuicConnection> acceptQueue;
    final RetryTokens retryTokens;
    final CompletableFuture<Void> closedFuture = new CompletableFuture<>();

    // ---- published by the loop ----
    volatile int liveConnections;
    volatile long connectionsAccepted;
    volatile long connectionsRefused;
    volatile long versionNegotiationsSent;
    volatile long retriesSent;
    volatile long invalidTokens;
    volatile long datagramsDropped;
    volatile boolean closed;

    // ---- loop thread only ----
    Endpoint endpoint;
    MemorySegment nativeConfig = MemorySegment.NULL;

    ServerState(EngineCore engine, ServerConfig config, QuicListener listener, InetSocketAddress localAddress) {
        this.engine = engine;
        this.config = config;
        this.listener = listener;
        this.localAddress = localAddress;
        this.acceptQueue = listener == null ? new ManyToManyConcurrentArrayQueue<>(Math.min(1 << 16, Integer.highestOneBit(Math.max(16, config.maxConnections())) * 2)) : null;
        this.retryTokens = config.retry() ? new RetryTokens(config.retryTokenLifetime()) : null;
        this.handle = new QuicServer(this);
    }
}
