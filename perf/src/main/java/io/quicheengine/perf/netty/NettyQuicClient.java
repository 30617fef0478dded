package io.quicheengine.perf.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One Netty QUIC client connection on its own UDP socket and NIO event-loop thread.
 * {@link #connect}, {@link #openStream} and {@link #close} may be called from any thread; the
 * stream handlers run on {@link #eventLoop()}.
 */
final class NettyQuicClient implements AutoCloseable {
    private static final long HANDSHAKE_TIMEOUT_SECONDS = 10;

    private final EventLoopGroup group;
    private final Channel socket;
    private final QuicChannel connection;
    private final long loopThreadId;

    private NettyQuicClient(EventLoopGroup group, Channel socket, QuicChannel connection, long loopThreadId) {
        this.group = group;
        this.socket = socket;
        this.connection = connection;
        this.loopThreadId = loopThreadId;
    }

    /** Binds an ephemeral UDP port and completes a handshake with {@code server}. */
    static NettyQuicClient connect(InetSocketAddress server) throws Exception {
        Objects.requireNonNull(server, "server");
        EventLoopGroup group = EventLoops.newSingleThreadGroup();
        try {
            Channel socket = new Bootstrap()
                    .group(group)
                    .channel(NioDatagramChannel.class)
                    .handler(NettyQuicTransport.clientCodec(server))
                    .bind(new InetSocketAddress(0))
                    .sync()
                    .channel();
            QuicChannel connection = QuicChannel.newBootstrap(socket)
                    .handler(new ChannelInboundHandlerAdapter())
                    .remoteAddress(server)
                    .connect()
                    .get(HANDSHAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return new NettyQuicClient(group, socket, connection, EventLoops.threadId(group));
        } catch (Exception | Error e) {
            EventLoops.shutdown(group);
            throw e;
        }
    }

    /** Opens a bidirectional stream whose pipeline holds {@code handler}; waits until it exists. */
    QuicStreamChannel openStream(ChannelHandler handler) throws Exception {
        return connection.createStream(QuicStreamType.BIDIRECTIONAL, handler)
                .get(HANDSHAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    QuicChannel connection() {
        return connection;
    }

    EventLoop eventLoop() {
        return connection.eventLoop();
    }

    long loopThreadId() {
        return loopThreadId;
    }

    /** Closes the connection (CONNECTION_CLOSE, no error), the socket, and stops the loop thread. */
    @Override
    public void close() {
        connection.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        socket.close().awaitUninterruptibly();
        EventLoops.shutdown(group);
    }
}
