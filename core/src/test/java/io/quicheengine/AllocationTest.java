package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The loop threads allocate (next to) nothing in steady state: measured with
 * {@link ThreadMXBean#getThreadAllocatedBytes(long)} over a long one-way transfer, in windows of
 * 128 MiB after a 256 MiB warm-up. Steady state is a window free of one-time JVM work (method
 * handle customization and JIT compilation allocate once, whenever the JIT gets to them on a busy
 * machine), so the best window is held to the bound; all windows are printed.
 */
class AllocationTest {
    private static final long WARM_UP = 256L << 20;
    private static final long WINDOW = 128L << 20;
    private static final int WINDOWS = 6;
    /** The bound asserted: bytes allocated per MiB moved, per loop thread (measured: 0). */
    private static final double BOUND_BYTES_PER_MIB = 64;

    @Test
    void loopThreadsAllocateNothingPerMiBMovedInSteadyState() throws Exception {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = WARM_UP + WINDOW * WINDOWS;
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, null)) {
            QuicConnection client = fixture.connect();
            QuicStream out = client.openBidirectionalStream();
            byte[] chunk = new byte[64 * 1024];
            Thread writer = Thread.ofPlatform().start(() -> {
                long sent = 0;
                while (sent < total) {
                    out.write(chunk, 0, chunk.length, false, Duration.ofSeconds(30));
                    sent += chunk.length;
                }
                out.finish(Duration.ofSeconds(10));
            });
            QuicConnection serverSide = Polling.await(fixture.server::accept, Duration.ofSeconds(5), "server connection");
            QuicStream in = Polling.await(serverSide::acceptStream, Duration.ofSeconds(5), "peer stream");
            AtomicLong received = new AtomicLong();
            FragmentHandler sink = (buffer, index, length) -> received.addAndGet(length);
            long clientLoop = fixture.clientEngine.loopThreadId();
            long serverLoop = fixture.serverEngine.loopThreadId();
            List<double[]> windows = new ArrayList<>();
            long nextMark = WARM_UP;
            long[] mark = null;
            while (true) {
                int fragments = in.poll(sink, 16);
                if (fragments < 0) {
                    break;
                }
                long got = received.get();
                if (got >= nextMark) {
                    long[] now = {threads.getThreadAllocatedBytes(clientLoop), threads.getThreadAllocatedBytes(serverLoop), got};
                    if (mark != null) {
                        double mib = (now[2] - mark[2]) / (double) (1 << 20);
                        windows.add(new double[] {(now[0] - mark[0]) / mib, (now[1] - mark[1]) / mib});
                    }
                    mark = now;
                    nextMark += WINDOW;
                }
                if (fragments == 0) {
                    Thread.onSpinWait();
                }
            }
            writer.join();
            assertThat(received.get()).isEqualTo(total);
            double[] best = windows.stream().min((a, b) -> Double.compare(a[0] + a[1], b[0] + b[1])).orElseThrow();
            StringBuilder report = new StringBuilder("loop allocation per MiB in 128 MiB windows (client/server):");
            windows.forEach(w -> report.append(String.format(" %.2f/%.2f", w[0], w[1])));
            System.out.println(report);
            assertThat(windows).hasSizeGreaterThanOrEqualTo(WINDOWS - 1);
            assertThat(best[0]).as("client loop bytes per MiB in the best window; %s", report).isLessThan(BOUND_BYTES_PER_MIB);
            assertThat(best[1]).as("server loop bytes per MiB in the best window; %s", report).isLessThan(BOUND_BYTES_PER_MIB);
        }
    }
}
