package io.quicheengine.perf.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * Server side of a bulk stream: counts and drops what it reads, timing the first and last read;
 * when the client's FIN arrives it answers with a {@link SinkReport} and its own FIN. One
 * instance per stream; called only on the connection's event loop.
 */
final class SinkStreamHandler extends ChannelInboundHandlerAdapter {
    private long bytes;
    private long firstNanos;
    private long lastNanos;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            int n = ((ByteBuf) msg).readableBytes();
            if (n > 0) {
                long now = System.nanoTime();
                if (bytes == 0) {
                    firstNanos = now;
                }
                lastNanos = now;
                bytes += n;
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownReadComplete.INSTANCE) {
            ByteBuf out = ctx.alloc().directBuffer(SinkReport.WIRE_LENGTH);
            new SinkReport(bytes, firstNanos, lastNanos).writeTo(out);
            ctx.writeAndFlush(new DefaultQuicStreamFrame(out, true));
        }
        ctx.fireUserEventTriggered(evt);
    }
}
