package io.quicheengine.perf.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicConnectionPathStats;
import io.netty.handler.codec.quic.QuicConnectionStats;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.quicheengine.perf.e2e.SeedSpec;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Client side of the seed document's test: uploads the {@link StreamPattern} at a fixed rate on
 * one stream (topping up every {@value #TICK_MILLIS} ms to what the elapsed time allows, and only
 * while the stream is writable), sets FIN on the last byte, and checks every echoed byte against
 * the pattern. Every {@value #STATS_EVERY_TICKS} ticks it samples the path's smoothed RTT and
 * congestion window from quiche. {@code done} completes when the echo ended (FIN after the last
 * byte) or a byte differed; {@link #outcome()} then reads the numbers. One instance per run;
 * called only on the client's event loop.
 */
final class SeedClient extends ChannelInboundHandlerAdapter {
    static final int TICK_MILLIS = 10;
    static final int STATS_EVERY_TICKS = 10;
    private static final int MAX_WRITE = 16 * 1024;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long bytesPerSecond;
    private final long totalBytes;
    private final CompletableFuture<Void> done;
    private final StreamPattern pattern = new StreamPattern();
    /** Echoed bytes per whole second since the start; the last slot also takes anything later. */
    private final long[] echoedPerSecond;

    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> ticker;
    private long startNanos;
    private long lastEchoNanos;
    private long ticks;
    private long written;
    private long echoed;
    private boolean finReceived;
    private String failure;

    private long rttSamples;
    private long rttSumNanos;
    private long rttMinNanos = Long.MAX_VALUE;
    private long rttMaxNanos;
    private long cwndMax;

    SeedClient(SeedSpec spec, CompletableFuture<Void> done) {
        if (spec.bytesPerSecond() < 1 || spec.seconds() < 1) {
            throw new IllegalArgumentException("seed spec needs bytesPerSecond >= 1 and seconds >= 1, got " + spec);
        }
        this.bytesPerSecond = spec.bytesPerSecond();
        this.totalBytes = Math.multiplyExact(spec.bytesPerSecond(), (long) spec.seconds());
        this.done = done;
        this.echoedPerSecond = new long[spec.seconds() + 32];
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // Keep the stream open after the server's FIN so it arrives as an event, not as a close.
        ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        startNanos = System.nanoTime();
        ticker = ctx.executor().scheduleAtFixedRate(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    private void tick() {
        ticks++;
        writeDue();
        if (ticks % STATS_EVERY_TICKS == 0) {
            samplePath();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        writeDue();
        ctx.fireChannelWritabilityChanged();
    }

    /** Writes what the elapsed time allows, stopping when the stream is not writable. */
    private void writeDue() {
        if (done.isDone()) {
            return;
        }
        double elapsedSeconds = (System.nanoTime() - startNanos) / (double) NANOS_PER_SECOND;
        long due = (long) Math.min(totalBytes, bytesPerSecond * elapsedSeconds);
        while (written < due && ctx.channel().isWritable()) {
            int n = (int) Math.min(MAX_WRITE, due - written);
            ByteBuf piece = pattern.slice(written, n);
            written += n;
            if (written == totalBytes) {
                ctx.write(new DefaultQuicStreamFrame(piece, true), ctx.voidPromise());
            } else {
                ctx.write(piece, ctx.voidPromise());
            }
        }
        ctx.flush();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            int n = in.readableBytes();
            if (done.isDone() || n == 0) {
                return;
            }
            if (echoed + n > written) {
                finish("echo returned " + (echoed + n) + " bytes but only " + written + " were sent");
                return;
            }
            if (!pattern.matches(in, echoed)) {
                finish("echoed bytes at stream offsets " + echoed + ".." + (echoed + n) + " differ from what was sent");
                return;
            }
            long now = System.nanoTime();
            int second = (int) Math.min((now - startNanos) / NANOS_PER_SECOND, echoedPerSecond.length - 1);
            echoedPerSecond[second] += n;
            echoed += n;
            lastEchoNanos = now;
        } finally {
            ReferenceCountUtil.release(in);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownReadComplete.INSTANCE) {
            finReceived = true;
            finish(echoed == totalBytes ? null
                    : "server ended the echo after " + echoed + " of " + totalBytes + " bytes");
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        finish("stream failed: " + cause);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        finish("stream closed after " + echoed + " of " + totalBytes + " bytes echoed");
        pattern.release();
        ctx.fireChannelInactive();
    }

    private void finish(String why) {
        if (done.isDone()) {
            return;
        }
        failure = why;
        ticker.cancel(false);
        samplePath();
        done.complete(null);
    }

    private void samplePath() {
        QuicChannel connection = ((QuicStreamChannel) ctx.channel()).parent();
        // On the connection's own loop the stats are collected synchronously.
        QuicConnectionPathStats path = connection.collectPathStats(0).getNow();
        if (path == null) {
            return;
        }
        long rtt = path.rtt();
        rttSamples++;
        rttSumNanos += rtt;
        rttMinNanos = Math.min(rttMinNanos, rtt);
        rttMaxNanos = Math.max(rttMaxNanos, rtt);
        cwndMax = Math.max(cwndMax, path.cwnd());
    }

    /** The numbers so far; call on the client's event loop (after {@code done}, or to give up). */
    SeedOutcome outcome() {
        if (!done.isDone()) {
            finish("timed out after " + echoed + " of " + totalBytes + " bytes echoed");
        }
        QuicConnectionStats stats = ((QuicStreamChannel) ctx.channel()).parent().collectStats().getNow();
        long peak = 0;
        for (long bytes : echoedPerSecond) {
            peak = Math.max(peak, bytes);
        }
        double seconds = (lastEchoNanos - startNanos) / (double) NANOS_PER_SECOND;
        double micros = 1_000.0;
        boolean completed = failure == null && finReceived && echoed == totalBytes;
        return new SeedOutcome(completed, failure, written, echoed,
                peak * 8 / 1e6, seconds > 0 ? echoed * 8 / 1e6 / seconds : 0,
                rttSamples == 0 ? Double.NaN : rttMinNanos / micros,
                rttSamples == 0 ? Double.NaN : rttSumNanos / (double) rttSamples / micros,
                rttSamples == 0 ? Double.NaN : rttMaxNanos / micros,
                cwndMax,
                stats == null ? -1 : stats.sent(), stats == null ? -1 : stats.recv(), stats == null ? -1 : stats.lost());
    }
}
