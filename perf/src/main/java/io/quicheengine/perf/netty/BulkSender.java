package io.quicheengine.perf.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.util.ReferenceCountUtil;

import java.util.concurrent.CompletableFuture;

/**
 * Client side of one bulk stream: writes {@code bytes} in chunks for as long as the stream is
 * writable, resumes on the writability event, sets FIN on the last chunk, then waits for the
 * sink's {@link SinkReport}. Netty hands every write straight to quiche, and a write quiche takes
 * only partly leaves the stream unwritable, so at most one chunk waits in Netty's queue. One
 * instance per stream; called only on the client's event loop.
 */
final class BulkSender extends ChannelInboundHandlerAdapter {
    private final long bytes;
    private final ByteBuf chunk;
    private final BulkProgress progress;
    private final CompletableFuture<SinkReport> report;
    private long written;
    private ByteBuf reportBytes;

    /**
     * @param chunk  a direct buffer whose readable bytes are one chunk; sliced, never modified,
     *               shared by all senders of the run
     * @param report completed with the sink's report, or exceptionally if the stream fails
     */
    BulkSender(long bytes, ByteBuf chunk, BulkProgress progress, CompletableFuture<SinkReport> report) {
        this.bytes = bytes;
        this.chunk = chunk;
        this.progress = progress;
        this.report = report;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        reportBytes = ctx.alloc().heapBuffer(SinkReport.WIRE_LENGTH);
        writeWhileWritable(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        writeWhileWritable(ctx);
        ctx.fireChannelWritabilityChanged();
    }

    private void writeWhileWritable(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        int chunkSize = chunk.readableBytes();
        while (written < bytes && channel.isWritable()) {
            int n = (int) Math.min(chunkSize, bytes - written);
            written += n;
            ByteBuf piece = chunk.retainedSlice(chunk.readerIndex(), n);
            if (written == bytes) {
                ctx.write(new DefaultQuicStreamFrame(piece, true)).addListener(f -> {
                    if (!f.isSuccess()) {
                        report.completeExceptionally(f.cause());
                    }
                });
            } else {
                // A failed write closes the stream, which channelInactive turns into a failed report.
                ctx.write(piece, ctx.voidPromise());
            }
            progress.wrote(n);
        }
        ctx.flush();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            ByteBuf in = (ByteBuf) msg;
            int room = SinkReport.WIRE_LENGTH - reportBytes.readableBytes();
            if (in.readableBytes() > room) {
                report.completeExceptionally(new IllegalStateException("sink sent more than a "
                        + SinkReport.WIRE_LENGTH + "-byte report on stream " + ctx.channel()));
                return;
            }
            reportBytes.writeBytes(in);
            if (reportBytes.readableBytes() == SinkReport.WIRE_LENGTH) {
                report.complete(SinkReport.readFrom(reportBytes));
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        report.completeExceptionally(cause);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        report.completeExceptionally(new IllegalStateException("stream " + ctx.channel() + " closed after writing "
                + written + " of " + bytes + " bytes and receiving " + reportBytes.readableBytes()
                + " of the " + SinkReport.WIRE_LENGTH + "-byte report"));
        reportBytes.release();
        ctx.fireChannelInactive();
    }
}
