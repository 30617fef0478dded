package io.quicheengine.perf.engine;

import io.quicheengine.ConnectionStats;
import io.quicheengine.QuicConnection;
import io.quicheengine.QuicEngine;
import io.quicheengine.QuicListener;
import io.quicheengine.WaitStrategy;
import io.quicheengine.perf.e2e.BulkResult;
import io.quicheengine.perf.e2e.BulkSpec;
import io.quicheengine.perf.e2e.E2eSystem;
import io.quicheengine.perf.e2e.PingPongResult;
import io.quicheengine.perf.e2e.PingPongSpec;
import io.quicheengine.perf.e2e.SeedResult;
import io.quicheengine.perf.e2e.SeedSpec;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * Our engine, "quiche-engine", over real UDP on 127.0.0.1 through core's public API: a server
 * engine ({@link EngineServer}: sink or echo on its loop thread) and a client engine, two loop
 * threads in all. Each call starts both engines and closes them again; with the overloads taking
 * an address the server is elsewhere ({@link EngineServerMain}, another process) and only the
 * client engine runs here.
 *
 * <p>Two client configurations ({@link ClientThreading}), chosen per instance:
 * {@link ClientThreading#LOOP} runs the bulk and ping-pong clients as listeners on the client
 * engine's loop thread ({@link LoopBulkClient}, {@link LoopPingPongClient}), like Netty's handlers
 * on its event loop, while the calling thread only waits for the result;
 * {@link ClientThreading#APP_THREAD} runs them on the calling thread as the application
 * ({@link BulkClient}, {@link PingPongClient}), one thread more. The seed run is paced, so it
 * always uses the application thread ({@link SeedClient}).
 *
 * <p>The spec's wait strategy ({@code busy-spin}, {@code yielding}, {@code backoff},
 * {@code blocking}; "n/a" means BACKOFF) is the loop's and the application's, on both sides. The
 * seed run, whose spec has none, uses the strategy given to the constructor (default BACKOFF).
 * Transport parameters: {@link EngineTransport} ({@link io.quicheengine.perf.e2e.SharedQuicParams}).
 *
 * <p>Measurements. Bulk ({@link BulkClient}): time from the server's first read to its last read
 * (the sink reports them per stream, on its clock); CPU is this process's CPU time from after the
 * handshake to the last report (client and server engines when in one JVM, the client only with a
 * remote server); loop allocation is that of both loop threads (the client's only with a remote
 * server) per MiB written between a quarter and nine tenths of the run (steady state: set-up and
 * tear-down excluded; with LOOP the client's loop is also the writer); {@link #lastWriterBytesPerMiB()}
 * is the same for the application thread (NaN with LOOP: there is none). Ping-pong: round trips
 * after warm-up, by blocking write and read ({@link PingPongClient}) or by non-blocking offer and
 * read in the loop's callbacks ({@link LoopPingPongClient}). Seed ({@link SeedClient}): RTT and cwnd from the client connection's published
 * statistics, packets from its final statistics after close.
 *
 * <p>Not thread-safe: one benchmark-driver thread at a time (as {@link E2eSystem} says).
 */
public final class EngineSystem implements E2eSystem {
    public static final String NAME = "quiche-engine";

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final InetSocketAddress LOCAL_ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    private static final AtomicInteger CLIENTS = new AtomicInteger();
    /** An in-loop bulk run fails when no byte was accepted and no report read for this long. */
    private static final Duration BULK_STALL = Duration.ofSeconds(60);
    /** An in-loop ping-pong fails when no round trip completed for this long (the app-thread client's step timeout). */
    private static final Duration PING_STALL = Duration.ofSeconds(10);

    private final WaitStrategy seedStrategy;
    private final Duration pingPongBudget;
    private final ClientThreading threading;
    private double lastWriterBytesPerMiB = Double.NaN;

    /** Clients on the application thread; seed runs with BACKOFF; ping-pong runs do every round trip of their spec. */
    public EngineSystem() {
        this(WaitStrategy.BACKOFF, null, ClientThreading.APP_THREAD);
    }

    /** Clients on the application thread; see {@link #EngineSystem(WaitStrategy, Duration, ClientThreading)}. */
    public EngineSystem(WaitStrategy seedStrategy, Duration pingPongBudget) {
        this(seedStrategy, pingPongBudget, ClientThreading.APP_THREAD);
    }

    /**
     * @param seedStrategy   the wait strategy of seed runs (their spec carries none)
     * @param pingPongBudget the most time one ping-pong run may take, or null for none: a run that
     *                       hits it records fewer round trips than its spec asks (the histogram's
     *                       count says how many); warm-up gets a quarter of it
     * @param threading      where the bulk and ping-pong clients run
     */
    public EngineSystem(WaitStrategy seedStrategy, Duration pingPongBudget, ClientThreading threading) {
        this.seedStrategy = Objects.requireNonNull(seedStrategy, "seedStrategy");
        if (pingPongBudget != null && (pingPongBudget.isNegative() || pingPongBudget.isZero())) {
            throw new IllegalArgumentException("pingPongBudget must be positive, was " + pingPongBudget);
        }
        this.pingPongBudget = pingPongBudget;
        this.threading = Objects.requireNonNull(threading, "threading");
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Where this instance's bulk and ping-pong clients run. */
    public ClientThreading threading() {
        return threading;
    }

    /** The bulk writer thread's allocation per MiB after warm-up in the last bulk run (NaN before one, and with LOOP). */
    public double lastWriterBytesPerMiB() {
        return lastWriterBytesPerMiB;
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
        WaitStrategy strategy = WaitStrategies.parse(spec.waitStrategy());
        List<String> clientErrors = new CopyOnWriteArrayList<>();
        lastWriterBytesPerMiB = Double.NaN;
        try (EngineServer server = remoteSink == null ? EngineServer.start(LOCAL_ANY_PORT, EngineServerMode.SINK, strategy) : null;
             QuicEngine client = clientEngine(strategy, clientErrors)) {
            try {
                LoopThreads loops = server == null ? LoopThreads.named(client.name() + "-loop")
                        : LoopThreads.named(server.loopThreadName(), client.name() + "-loop");
                QuicConnection connection;
                SinkReport[] reports;
                double cpuSeconds;
                double loopBytesPerMiB;
                double writerBytesPerMiB;
                if (threading == ClientThreading.LOOP) {
                    LoopBulkClient bulk = new LoopBulkClient(spec, loops, OS::getProcessCpuTime);
                    connection = connect(client, server, remoteSink, bulk);
                    reports = LoopRunWatch.await(bulk.result(), bulk::progress, BULK_STALL, bulk);
                    cpuSeconds = bulk.cpuSeconds;
                    loopBytesPerMiB = bulk.loopBytesPerMiB;
                    writerBytesPerMiB = Double.NaN;
                } else {
                    connection = connect(client, server, remoteSink, blockingWaker(strategy));
                    // Generous: 60 s plus 1 s per 5 MB, so a slow shared machine fails only on a real stall.
                    Duration timeout = Duration.ofMillis(60_000 + spec.totalBytes() / 5_000);
                    BulkClient bulk = new BulkClient(spec, new AppIdler(strategy), loops, timeout);
                    long cpuBefore = OS.getProcessCpuTime();
                    reports = bulk.run(connection);
                    cpuSeconds = (OS.getProcessCpuTime() - cpuBefore) / 1e9;
                    loopBytesPerMiB = bulk.loopBytesPerMiB;
                    writerBytesPerMiB = bulk.writerBytesPerMiB;
                }
                connection.close();
                long bytes = 0;
                long first = Long.MAX_VALUE;
                long last = Long.MIN_VALUE;
                for (SinkReport r : reports) {
                    bytes += r.bytes();
                    first = Math.min(first, r.firstNanos());
                    last = Math.max(last, r.lastNanos());
                }
                if (bytes != spec.totalBytes()) {
                    throw new IllegalStateException("sink received " + bytes + " bytes, expected " + spec.totalBytes());
                }
                checkNoErrors(server, clientErrors);
                lastWriterBytesPerMiB = writerBytesPerMiB;
                return new BulkResult(NAME, spec, bytes, last - first, cpuSeconds, loopBytesPerMiB);
            } catch (RuntimeException e) {
                throw withEngineErrors(e, server, clientErrors);
            }
        }
    }

    @Override
    public PingPongResult pingPong(PingPongSpec spec) throws Exception {
        return pingPong(spec, null);
    }

    /** Ping-pong against an {@code echo} server at {@code remoteEcho}, or an in-JVM one when it is null. */
    public PingPongResult pingPong(PingPongSpec spec, InetSocketAddress remoteEcho) throws Exception {
        PingPongClient.check(spec);
        WaitStrategy strategy = WaitStrategies.parse(spec.waitStrategy());
        List<String> clientErrors = new CopyOnWriteArrayList<>();
        try (EngineServer server = remoteEcho == null ? EngineServer.start(LOCAL_ANY_PORT, EngineServerMode.ECHO, strategy) : null;
             QuicEngine client = clientEngine(strategy, clientErrors)) {
            try {
                QuicConnection connection;
                Histogram histogram;
                if (threading == ClientThreading.LOOP) {
                    LoopPingPongClient pinger = new LoopPingPongClient(spec, pingPongBudget);
                    connection = connect(client, server, remoteEcho, pinger);
                    histogram = LoopRunWatch.await(pinger.result(), pinger::roundTrips, PING_STALL, pinger);
                } else {
                    // No listener: the engine's blocking write and read wait by its own application strategy.
                    connection = connect(client, server, remoteEcho, null);
                    histogram = new PingPongClient(spec, pingPongBudget).run(connection);
                }
                connection.close();
                checkNoErrors(server, clientErrors);
                return new PingPongResult(NAME, spec, histogram);
            } catch (RuntimeException e) {
                throw withEngineErrors(e, server, clientErrors);
            }
        }
    }

    @Override
    public SeedResult seed(SeedSpec spec) throws Exception {
        return seed(spec, null);
    }

    /**
     * The seed test against an {@code echo} server at {@code remoteEcho}, or an in-JVM one when it
     * is null. A run that does not finish within the spec's time plus 30 s, or whose echo differs,
     * is returned with {@code completed == false}; why is printed to standard error. Always on the
     * application thread, whatever {@link #threading()} says: the run is paced, not CPU-bound.
     */
    public SeedResult seed(SeedSpec spec, InetSocketAddress remoteEcho) throws Exception {
        AppIdler idler = new AppIdler(seedStrategy);
        SeedClient seedClient = new SeedClient(spec, idler);
        List<String> clientErrors = new CopyOnWriteArrayList<>();
        try (EngineServer server = remoteEcho == null ? EngineServer.start(LOCAL_ANY_PORT, EngineServerMode.ECHO, seedStrategy) : null;
             QuicEngine client = clientEngine(seedStrategy, clientErrors)) {
            try {
                QuicConnection connection = connect(client, server, remoteEcho, blockingWaker(seedStrategy));
                seedClient.run(connection);
                connection.close();
                connection.closeFuture().get(10, TimeUnit.SECONDS);
                ConnectionStats last = connection.stats();
                seedClient.sample(last);
                List<String> errors = engineErrors(server, clientErrors);
                if (!errors.isEmpty() && seedClient.failure == null) {
                    seedClient.failure = "engine errors: " + errors;
                }
                if (!seedClient.completed()) {
                    System.err.println(NAME + " seed run did not complete: " + seedClient.failure);
                }
                return new SeedResult(NAME, spec, seedClient.completed() && errors.isEmpty(), seedClient.written, seedClient.echoed,
                        seedClient.throughputPeakMbit(), seedClient.throughputAvgMbit(),
                        seedClient.rttMicros(seedClient.rttMinNanos),
                        seedClient.rttSamples == 0 ? Double.NaN : seedClient.rttSumNanos / (double) seedClient.rttSamples / 1_000.0,
                        seedClient.rttMicros(seedClient.rttMaxNanos), seedClient.cwndMax,
                        last.packetsSent(), last.packetsReceived(), last.packetsLost());
            } catch (RuntimeException e) {
                throw withEngineErrors(e, server, clientErrors);
            }
        }
    }

    private static QuicEngine clientEngine(WaitStrategy strategy, List<String> errors) {
        return QuicEngine.builder()
                .name("qe-client-" + CLIENTS.incrementAndGet())
                .loopWaitStrategy(strategy)
                .appWaitStrategy(strategy)
                .errorHandler((connection, context, error) -> errors.add(context + ": " + error))
                .build();
    }

    private static QuicConnection connect(QuicEngine client, EngineServer server, InetSocketAddress remote, QuicListener listener) {
        InetSocketAddress target = server != null ? server.address() : remote;
        return client.connect(target, EngineTransport.clientConfig(), listener).awaitHandshake(HANDSHAKE_TIMEOUT);
    }

    /** With BLOCKING the application thread parks between offers/polls: the engine's callbacks must wake it. */
    private static QuicListener blockingWaker(WaitStrategy strategy) {
        return strategy == WaitStrategy.BLOCKING ? new UnparkListener(Thread.currentThread()) : null;
    }

    private static List<String> engineErrors(EngineServer server, List<String> clientErrors) {
        List<String> all = new ArrayList<>();
        if (server != null) {
            for (String e : server.errors()) {
                all.add("server: " + e);
            }
        }
        for (String e : clientErrors) {
            all.add("client: " + e);
        }
        return all;
    }

    private static void checkNoErrors(EngineServer server, List<String> clientErrors) {
        List<String> errors = engineErrors(server, clientErrors);
        if (!errors.isEmpty()) {
            throw new IllegalStateException("the engines reported errors during the run: " + errors);
        }
    }

    private static RuntimeException withEngineErrors(RuntimeException e, EngineServer server, List<String> clientErrors) {
        List<String> errors = engineErrors(server, clientErrors);
        if (!errors.isEmpty()) {
            e.addSuppressed(new IllegalStateException("engine errors: " + errors));
        }
        return e;
    }
}
