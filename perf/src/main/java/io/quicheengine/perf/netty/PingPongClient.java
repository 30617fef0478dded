package io.quicheengine.perf.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.quic.QuicStreamFrame;
import io.netty.util.ReferenceCountUtil;
import org.HdrHistogram.Histogram;

import java.util.concurrent.CompletableFuture;

/**
 * Client side of the ping-pong stream: sends one message, waits until the echo server has sent
 * all of its bytes back (checking them), records the round trip after warm-up, and sends the
 * next. Completes {@code done} with the histogram after the last round trip and FINs the stream.
 * One instance per run; called only on the client's event loop.
 */
final class PingPongClient extends ChannelInboundHandlerAdapter {
    private final int messageSize;
    private final int warmup;
    private final int rounds;
    private final Histogram roundTripNanos;
    private final CompletableFuture<Histogram> done;
    private final StreamPattern pattern = new StreamPattern();
    private long sentAt;
    private int received;
    private int completed;

    PingPongClient(int messageSize, int warmup, int count, CompletableFuture<Histogram> done) {
        if (messageSize < 1 || messageSize > StreamPattern.MAX_SLICE) {
            throw new IllegalArgumentException("messageSize must be 1.." + StreamPattern.MAX_SLICE + ", got " + messageSize);
        }
        this.messageSize = messageSize;
        this.warmup = warmup;
        this.rounds = warmup + count;
        // 3 significant digits, growing as needed: a 10 ms stall must not throw.
        this.roundTripNanos = new Histogram(3);
        this.done = done;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        send(ctx);
        ctx.fireChannelActive();
    }

    private void send(ChannelHandlerContext ctx) {
        received = 0;
        sentAt = System.nanoTime();
        // Every message starts at pattern offset 0: the echo is checked against the same bytes.
        ctx.writeAndFlush(pattern.slice(0, messageSize), ctx.voidPromise());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            if (done.isDone()) {
                return;
            }
            if (received + in.readableBytes() > messageSize || !pattern.matches(in, received)) {
                done.completeExceptionally(new IllegalStateException("echo of round trip " + completed
                        + " differs from what was sent (" + received + "+" + in.readableBytes()
                        + " bytes of a " + messageSize + "-byte message)"));
                return;
            }
            received += in.readableBytes();
        } finally {
            ReferenceCountUtil.release(in);
        }
        if (received == messageSize) {
            long rtt = System.nanoTime() - sentAt;
            completed++;
            if (completed > warmup) {
                roundTripNanos.recordValue(rtt);
            }
            if (completed == rounds) {
                done.complete(roundTripNanos);
                ctx.writeAndFlush(QuicStreamFrame.EMPTY_FIN, ctx.voidPromise());
            } else {
                send(ctx);
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        done.completeExceptionally(cause);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        done.completeExceptionally(new IllegalStateException("ping-pong stream closed after "
                + completed + " of " + rounds + " round trips"));
        pattern.release();
        ctx.fireChannelInactive();
    }
}
