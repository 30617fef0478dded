package io.quicheengine.perf.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A Netty QUIC server on one UDP socket and one NIO event-loop thread, sinking or echoing every
 * stream a client opens. {@link #start} and {@link #close} may be called from any thread; the
 * connections themselves live on the server's loop thread.
 */
public final class NettyQuicServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel socket;
    private final long loopThreadId;

    private NettyQuicServer(EventLoopGroup group, Channel socket, long loopThreadId) {
        this.group = group;
        this.socket = socket;
        this.loopThreadId = loopThreadId;
    }

    /**
     * Binds a server.
     *
     * @param bind where to listen; port 0 picks a free port (see {@link #address()})
     * @param mode what to do with each stream's bytes
     */
    public static NettyQuicServer start(InetSocketAddress bind, ServerMode mode) throws Exception {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(mode, "mode");
        ChannelHandler perStream = new ChannelInitializer<QuicStreamChannel>() {
            @Override
            protected void initChannel(QuicStreamChannel stream) {
                stream.pipeline().addLast(mode == ServerMode.SINK ? new SinkStreamHandler() : new EchoStreamHandler());
            }
        };
        EventLoopGroup group = EventLoops.newSingleThreadGroup();
        try {
            Channel socket = new Bootstrap()
                    .group(group)
                    .channel(NioDatagramChannel.class)
                    .handler(NettyQuicTransport.serverCodec(perStream))
                    .bind(bind)
                    .sync()
                    .channel();
            return new NettyQuicServer(group, socket, EventLoops.threadId(group));
        } catch (Exception | Error e) {
            EventLoops.shutdown(group);
            throw e;
        }
    }

    /** The bound UDP address (with the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return (InetSocketAddress) socket.localAddress();
    }

    /** The server's event-loop thread. */
    long loopThreadId() {
        return loopThreadId;
    }

    /** Closes the socket (and with it every connection) and stops the loop thread. */
    @Override
    public void close() {
        socket.close().awaitUninterruptibly();
        EventLoops.shutdown(group);
    }
}
