package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The loop threads allocate (next to) nothing in steady state: measured with
 * {@link ThreadMXBean#getThreadAllocatedBytes(long)} across a long one-way transfer after warm-up.
 */
class AllocationTest {
    private static final long WARM_UP = 256L << 20;
    private static final long MEASURED = 256L << 20;
    /** The bound asserted: bytes allocated per MiB moved, per loop thread (measured ~0; see the closing note of the core issue). */
    private static final double BOUND_BYTES_PER_MIB = 64;

    @Test
    void loopThreadsAllocateNothingPerMiBMovedAfterWarmUp() throws Exception {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, null)) {
            QuicConnection client = fixture.connect();
            QuicStream out = client.openBidirectionalStream();
            byte[] chunk = new byte[64 * 1024];
            Thread writer = Thread.ofPlatform().start(() -> {
                long sent = 0;
                while (sent < WARM_UP + MEASURED) {
                    out.write(chunk, 0, chunk.length, false, Duration.ofSeconds(30));
                    sent += chunk.length;
                }
                out.finish(Duration.ofSeconds(10));
            });
            QuicConnection serverSide = Polling.await(fixture.server::accept, Duration.ofSeconds(5), "server connection");
            QuicStream in = Polling.await(serverSide::acceptStream, Duration.ofSeconds(5), "peer stream");
            AtomicLong received = new AtomicLong();
            FragmentHandler sink = (buffer, index, length) -> received.addAndGet(length);
            long[] before = null;
            long measuredFrom = 0;
            while (true) {
                int fragments = in.poll(sink, 16);
                if (fragments < 0) {
                    break;
                }
                if (before == null && received.get() >= WARM_UP) {
                    before = new long[] {threads.getThreadAllocatedBytes(fixture.clientEngine.loopThreadId()),
                            threads.getThreadAllocatedBytes(fixture.serverEngine.loopThreadId())};
                    measuredFrom = received.get();
                }
                if (fragments == 0) {
                    Thread.onSpinWait();
                }
            }
            writer.join();
            long clientBytes = threads.getThreadAllocatedBytes(fixture.clientEngine.loopThreadId()) - before[0];
            long serverBytes = threads.getThreadAllocatedBytes(fixture.serverEngine.loopThreadId()) - before[1];
            double mib = (received.get() - measuredFrom) / (double) (1 << 20);
            System.out.printf("loop allocation over %.0f MiB: client %d B (%.2f B/MiB), server %d B (%.2f B/MiB)%n",
                    mib, clientBytes, clientBytes / mib, serverBytes, serverBytes / mib);
            assertThat(received.get()).isEqualTo(WARM_UP + MEASURED);
            assertThat(clientBytes / mib).as("client loop bytes per MiB").isLessThan(BOUND_BYTES_PER_MIB);
            assertThat(serverBytes / mib).as("server loop bytes per MiB").isLessThan(BOUND_BYTES_PER_MIB);
        }
    }
}
