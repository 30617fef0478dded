package io.quicheengine.tools;

import io.quicheengine.ConnectionStats;
import io.quicheengine.QuicConnection;
import io.quicheengine.QuicStream;
import io.quicheengine.WaitStrategy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a {@link TransferPlan} over an established connection: one {@link StreamWorker} thread per
 * stream, while the calling thread samples the connection's statistics every 100 ms and reports
 * an {@link Interval} every second. Used by {@code client} and {@code demo}.
 *
 * <p>{@link #run} blocks the calling thread until every stream is done or the connection closes.
 */
final class TransferRun {
    private static final long SAMPLE_NANOS = 100_000_000;
    private static final long INTERVAL_NANOS = 1_000_000_000;
    /** RTT average and maximum leave out the first half second; see {@link StatsSampler#rttSettledFrom}. */
    private static final long RTT_SETTLE_NANOS = 500_000_000;

    private TransferRun() {
    }

    /**
     * The outcome of a run.
     *
     * @param seconds        from the first byte to the last stream finishing
     * @param failures       what went wrong with the data, per stream (empty: all good)
     * @param connectionLost why the connection ended early, or null
     * @param serverReceipts the byte counts a sink server answered, summed (-1: it answered none)
     * @param perStream      each stream's counts, in the order the streams were opened
     */
    record Result(TransferPlan plan, double seconds, long sent, long received, List<Interval> intervals, StatsSampler sampler,
                  List<String> failures, CliException connectionLost, long serverReceipts, List<StreamCounts> perStream) {

        boolean ok() {
            return failures.isEmpty() && connectionLost == null;
        }
    }

    /**
     * One stream's share of a run.
     *
     * @param serverReceipt the byte count a sink server answered for it, or -1 when none
     */
    record StreamCounts(long streamId, long sent, long received, long serverReceipt) {
    }

    /**
     * @param peer     how the peer is named in messages ("server")
     * @param reporter receives each interval on the calling thread, as it ends
     */
    static Result run(QuicConnection connection, TransferPlan plan, WaitStrategy waitStrategy, String peer, Consumer<Interval> reporter) {
        List<QuicStream> streams = new ArrayList<>();
        try {
            for (int i = 0; i < plan.streams(); i++) {
                streams.add(connection.openBidirectionalStream(plan.stall()));
            }
        } catch (RuntimeException e) {
            CliException lost = Failures.closed(connection.closeReason(), peer);
            throw lost != null ? lost : new CliException("cannot open stream " + (streams.size() + 1) + " of " + plan.streams() + ": " + e.getMessage());
        }
        long start = System.nanoTime();
        List<StreamWorker> workers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < streams.size(); i++) {
            StreamWorker worker = new StreamWorker(streams.get(i), plan, i, start, waitStrategy);
            workers.add(worker);
            Thread thread = Thread.ofPlatform().name("quic-stream-" + i).daemon().unstarted(worker);
            threads.add(thread);
        }
        threads.forEach(Thread::start);

        StatsSampler sampler = new StatsSampler();
        sampler.rttSettledFrom(start + RTT_SETTLE_NANOS);
        List<Interval> intervals = new ArrayList<>();
        long intervalStart = start;
        long intervalSent = 0;
        long intervalReceived = 0;
        long end = start;
        while (true) {
            boolean allDone = workers.stream().allMatch(StreamWorker::done);
            long now = System.nanoTime();
            sampler.sample(connection.stats());
            if (allDone) {
                end = now;
            }
            boolean lastOne = allDone && (now - intervalStart >= SAMPLE_NANOS / 2 || intervals.isEmpty());
            if (now - intervalStart >= INTERVAL_NANOS || lastOne) {
                long sent = workers.stream().mapToLong(StreamWorker::sent).sum();
                long received = workers.stream().mapToLong(StreamWorker::received).sum();
                Interval interval = interval(start, intervalStart, now, sent - intervalSent, received - intervalReceived, sent, received, sampler.last());
                intervals.add(interval);
                reporter.accept(interval);
                intervalStart = now;
                intervalSent = sent;
                intervalReceived = received;
            }
            if (allDone) {
                break;
            }
            long nextSample = Math.min(SAMPLE_NANOS, intervalStart + INTERVAL_NANOS - now);
            sleepUnlessDone(workers, Math.max(1_000_000, nextSample));
        }
        for (Thread thread : threads) {
            join(thread);
        }

        List<String> failures = new ArrayList<>();
        CliException lost = null;
        long receipts = -1;
        for (StreamWorker worker : workers) {
            if (worker.failure() != null) {
                failures.add(worker.failure());
            }
            if (worker.error() != null && lost == null) {
                CliException closed = Failures.closed(connection.closeReason(), peer);
                lost = closed != null ? closed
                        : new CliException("stream " + worker.stream().id() + " failed: " + worker.error().getMessage());
            }
            if (worker.serverReceipt() >= 0) {
                receipts = Math.max(0, receipts) + worker.serverReceipt();
            }
        }
        long sent = workers.stream().mapToLong(StreamWorker::sent).sum();
        long received = workers.stream().mapToLong(StreamWorker::received).sum();
        List<StreamCounts> perStream = workers.stream()
                .map(w -> new StreamCounts(w.stream().id(), w.sent(), w.received(), w.serverReceipt())).toList();
        return new Result(plan, (end - start) / 1e9, sent, received, intervals, sampler, failures, lost, receipts, perStream);
    }

    /** Closes the connection cleanly, waits for the close, and takes the final statistics into {@code sampler}. */
    static ConnectionStats close(QuicConnection connection, StatsSampler sampler) {
        connection.close(0, "done");
        try {
            connection.closeFuture().get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // the statistics published so far are still worth reporting
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ConnectionStats stats = connection.stats();
        sampler.sample(stats);
        return stats;
    }

    private static Interval interval(long runStart, long from, long to, long sent, long received, long totalSent, long totalReceived,
                                     ConnectionStats stats) {
        return new Interval((from - runStart) / 1e9, (to - runStart) / 1e9, sent, received, totalSent, totalReceived,
                stats == null ? 0 : stats.rttNanos() / 1e3, stats == null ? 0 : stats.congestionWindow(),
                stats == null ? 0 : stats.packetsSent(), stats == null ? 0 : stats.packetsReceived(), stats == null ? 0 : stats.packetsLost());
    }

    /** Sleeps {@code nanos}, waking early (in 5 ms steps) once every worker is done. */
    private static void sleepUnlessDone(List<StreamWorker> workers, long nanos) {
        long until = System.nanoTime() + nanos;
        while (true) {
            long left = until - System.nanoTime();
            if (left <= 0 || workers.stream().allMatch(StreamWorker::done)) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Math.min(left, 5_000_000));
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
