package io.quicheengine.perf.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.quicheengine.perf.e2e.BulkResult;
import io.quicheengine.perf.e2e.BulkSpec;
import io.quicheengine.perf.e2e.E2eSystem;
import io.quicheengine.perf.e2e.PingPongResult;
import io.quicheengine.perf.e2e.PingPongSpec;
import io.quicheengine.perf.e2e.SeedResult;
import io.quicheengine.perf.e2e.SeedSpec;
import org.HdrHistogram.Histogram;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The competitor baseline: Netty's QUIC codec (4.2.18, its bundled optimized quiche) over NIO
 * datagram channels on 127.0.0.1, one event-loop thread for the client and one for the server.
 * Each call starts a fresh server ({@link NettyQuicServer}) and client in this JVM, or, with the
 * overloads taking an address, uses a server already running elsewhere
 * ({@link NettyQuicServerMain}, in {@code sink} mode for bulk and {@code echo} mode for the others).
 *
 * <p>Transport parameters are those of {@link io.quicheengine.perf.e2e.SharedQuicParams}; see
 * {@code NettyQuicTransport} for the ones Netty cannot match (pacing, quiche's receive-window
 * limits, and the quiche patches: Netty runs quiche 0.29.x as published, the engine 0.29.3 with the
 * project's patches).
 *
 * <p>Measurements: bulk time runs from the server's first read to its last read (reported back on
 * each stream, so it also works with a remote server); CPU is this process's CPU time from just
 * after the handshake to the last report (client and server together when in-JVM, the client
 * only with a remote server); loop allocation is that of both loop threads per MiB written after
 * the first quarter of the bytes (NaN with a remote server). Seed RTT and cwnd are quiche's
 * smoothed RTT and congestion window of the client's path, sampled every 100 ms; packet counts
 * are the client connection's.
 *
 * <p>Not thread-safe: call from one driver thread at a time (as {@link E2eSystem} says).
 */
public final class NettyQuicSystem implements E2eSystem {
    public static final String NAME = "netty-quic";

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final InetSocketAddress LOCAL_ANY_PORT =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public BulkResult bulk(BulkSpec spec) throws Exception {
        return bulk(spec, null);
    }

    /** Bulk against a {@code sink} server at {@code remoteSink}, or an in-JVM one when it is null. */
    public BulkResult bulk(BulkSpec spec, InetSocketAddress remoteSink) throws Exception {
        if (spec.streams() < 1 || spec.chunkSize() < 1 || spec.totalBytes() < spec.streams()) {
            throw new IllegalArgumentException("bulk spec needs streams >= 1, chunkSize >= 1 and totalBytes >= streams, got " + spec);
        }
        try (NettyQuicServer server = remoteSink == null ? NettyQuicServer.start(LOCAL_ANY_PORT, ServerMode.SINK) : null;
             NettyQuicClient client = NettyQuicClient.connect(remoteSink == null ? server.address() : remoteSink)) {
            LoopAllocationProbe probe = server == null ? null
                    : new LoopAllocationProbe(server.loopThreadId(), client.loopThreadId());
            BulkProgress progress = new BulkProgress(spec.totalBytes(), probe);
            ByteBuf chunk = PooledByteBufAllocator.DEFAULT.directBuffer(spec.chunkSize()).writeZero(spec.chunkSize());
            try {
                long cpuBefore = OS.getProcessCpuTime();
                List<CompletableFuture<SinkReport>> reports = new ArrayList<>(spec.streams());
                long share = spec.totalBytes() / spec.streams();
                long extra = spec.totalBytes() % spec.streams();
                for (int i = 0; i < spec.streams(); i++) {
                    CompletableFuture<SinkReport> report = new CompletableFuture<>();
                    reports.add(report);
                    client.openStream(new BulkSender(share + (i < extra ? 1 : 0), chunk, progress, report));
                }
                // Generous: 60 s plus 1 s per 5 MB, so a slow shared machine fails only on a real hang.
                long timeoutMillis = 60_000 + spec.totalBytes() / 5_000;
                CompletableFuture.allOf(reports.toArray(CompletableFuture[]::new)).get(timeoutMillis, TimeUnit.MILLISECONDS);
                double cpuSeconds = (OS.getProcessCpuTime() - cpuBefore) / 1e9;
                // The report futures completed on the client loop after its last write: progress is safe to read.
                double allocPerMiB = progress.allocatedPerMiBAfterWarmup();

                long bytes = 0;
                long first = Long.MAX_VALUE;
                long last = Long.MIN_VALUE;
                for (CompletableFuture<SinkReport> report : reports) {
                    SinkReport r = report.join();
                    bytes += r.bytes();
                    first = Math.min(first, r.firstNanos());
                    last = Math.max(last, r.lastNanos());
                }
                if (bytes != spec.totalBytes()) {
                    throw new IllegalStateException("sink received " + bytes + " bytes, expected " + spec.totalBytes());
                }
                return new BulkResult(NAME, spec, bytes, last - first, cpuSeconds, allocPerMiB);
            } finally {
                chunk.release();
            }
        }
    }

    @Override
    public PingPongResult pingPong(PingPongSpec spec) throws Exception {
        return pingPong(spec, null);
    }

    /** Ping-pong against an {@code echo} server at {@code remoteEcho}, or an in-JVM one when it is null. */
    public PingPongResult pingPong(PingPongSpec spec, InetSocketAddress remoteEcho) throws Exception {
        if (spec.count() < 1 || spec.warmup() < 0) {
            throw new IllegalArgumentException("ping-pong spec needs count >= 1 and warmup >= 0, got " + spec);
        }
        try (NettyQuicServer server = remoteEcho == null ? NettyQuicServer.start(LOCAL_ANY_PORT, ServerMode.ECHO) : null;
             NettyQuicClient client = NettyQuicClient.connect(remoteEcho == null ? server.address() : remoteEcho)) {
            CompletableFuture<Histogram> done = new CompletableFuture<>();
            client.openStream(new PingPongClient(spec.messageSize(), spec.warmup(), spec.count(), done));
            // 30 s plus 10 ms per round trip: far above any healthy run.
            Histogram histogram = done.get(30_000 + 10L * (spec.warmup() + spec.count()), TimeUnit.MILLISECONDS);
            return new PingPongResult(NAME, spec, histogram);
        }
    }

    @Override
    public SeedResult seed(SeedSpec spec) throws Exception {
        return seed(spec, null);
    }

    /**
     * The seed test against an {@code echo} server at {@code remoteEcho}, or an in-JVM one when
     * it is null. A run that does not finish within the spec's duration plus 30 s, or whose echo
     * differs, is returned with {@code completed == false}; why is printed to standard error.
     */
    public SeedResult seed(SeedSpec spec, InetSocketAddress remoteEcho) throws Exception {
        try (NettyQuicServer server = remoteEcho == null ? NettyQuicServer.start(LOCAL_ANY_PORT, ServerMode.ECHO) : null;
             NettyQuicClient client = NettyQuicClient.connect(remoteEcho == null ? server.address() : remoteEcho)) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            SeedClient seedClient = new SeedClient(spec, done);
            client.openStream(seedClient);
            try {
                done.get(spec.seconds() + 30L, TimeUnit.SECONDS);
            } catch (TimeoutException ignored) {
                // outcome() below records the timeout as the failure.
            }
            SeedOutcome o = client.eventLoop().submit(seedClient::outcome).get(10, TimeUnit.SECONDS);
            if (!o.completed()) {
                System.err.println(NAME + " seed run did not complete: " + o.failure());
            }
            return new SeedResult(NAME, spec, o.completed(), o.bytesSent(), o.bytesEchoed(),
                    o.throughputPeakMbit(), o.throughputAvgMbit(),
                    o.rttMinMicros(), o.rttAvgMicros(), o.rttMaxMicros(), o.cwndMaxBytes(),
                    o.packetsSent(), o.packetsReceived(), o.packetsLost());
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
