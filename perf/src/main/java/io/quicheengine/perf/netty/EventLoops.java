package io.quicheengine.perf.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Creating and stopping the one-thread NIO event loop groups each side runs on. Stateless; any thread. */
final class EventLoops {
    private EventLoops() {
    }

    /** One thread: Netty handles a UDP socket and all its QUIC connections on one loop anyway. */
    static EventLoopGroup newSingleThreadGroup() {
        return new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    /** The id of the group's loop thread, for per-thread allocation counters. */
    static long threadId(EventLoopGroup group) throws InterruptedException, ExecutionException {
        return group.next().submit(() -> Thread.currentThread().threadId()).get();
    }

    /** Stops the group without Netty's default two-second quiet period, waiting up to five seconds. */
    static void shutdown(EventLoopGroup group) {
        group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
