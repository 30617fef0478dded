package io.quicheengine.perf.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.handler.codec.quic.QuicStreamFrame;

/**
 * Server side of an echo stream: writes back every buffer it reads. When the stream stops being
 * writable (quiche's send capacity is used up) it stops reading, so quiche's flow control pushes
 * back on the client instead of buffers piling up here; it reads again once writable. After the
 * client's FIN it sends a FIN behind the last echoed byte. One instance per stream; called only
 * on the connection's event loop.
 */
final class EchoStreamHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // Ownership of the buffer passes to the write, which releases it once quiche took it.
        ctx.write(msg, ctx.voidPromise());
        Channel channel = ctx.channel();
        if (!channel.isWritable()) {
            channel.config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        if (channel.isWritable() && !channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownReadComplete.INSTANCE) {
            // Goes through the same queue as the echoed data, so the FIN cannot overtake it.
            ctx.writeAndFlush(QuicStreamFrame.EMPTY_FIN, ctx.voidPromise());
        }
        ctx.fireUserEventTriggered(evt);
    }
}
