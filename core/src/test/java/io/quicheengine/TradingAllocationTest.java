package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * The writing application thread allocates nothing per message on the trading paths: a claim
 * filled and committed, a framed offer, {@code offerMessage} from each kind of buffer and
 * {@code offerDatagram} from off-heap ones. Measured
 * with {@link ThreadMXBean#getThreadAllocatedBytes(long)} on the writing thread over windows of
 * {@value #WINDOW} messages after a warm-up; the best window is held to 0 bytes (one-time JVM work,
 * such as a late JIT deoptimization, may land in any single window).
 */
class TradingAllocationTest {
    private static final int WARM_UP = 50_000;
    private static final int WINDOW = 10_000;
    private static final int WINDOWS = 5;
    private static final int ORDER = 64;

    @FunctionalInterface
    private interface Op {
        /** Offers one message; false when back-pressured (nothing taken). */
        boolean offer();
    }

    @Test
    void claimsAndMessageOffersAllocateNothingPerMessage() throws Exception {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        TransportSettings datagrams = TransportSettings.builder().datagrams(1024).build();
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, null, datagrams, b -> { })) {
            QuicConnection client = fixture.connect();
            QuicStream out = client.openBidirectionalStream();
            StreamClaim claim = new StreamClaim();
            MessageFramer framer = new MessageFramer(ORDER);
            byte[] array = new byte[ORDER];
            UnsafeBuffer offHeap = new UnsafeBuffer(BufferUtil.allocateDirectAligned(ORDER, 64));
            UnsafeBuffer onHeap = new UnsafeBuffer(new byte[ORDER]);
            ByteBuffer direct = ByteBuffer.allocateDirect(ORDER);
            ByteBuffer heap = ByteBuffer.allocate(ORDER);
            Map<String, Op> ops = new LinkedHashMap<>();
            ops.put("tryClaim+commit", () -> {
                if (!out.tryClaim(ORDER, false, claim)) {
                    return false;
                }
                claim.buffer().putLong(claim.offset(), 42);
                claim.commit();
                return true;
            });
            ops.put("framer.offer(DirectBuffer)", () -> framer.offer(out, offHeap, 0, ORDER));
            ops.put("offerMessage(byte[])", () -> out.offerMessage(array, 0, ORDER, false));
            ops.put("offerMessage(off-heap DirectBuffer)", () -> out.offerMessage(offHeap, 0, ORDER, false));
            ops.put("offerMessage(on-heap DirectBuffer)", () -> out.offerMessage(onHeap, 0, ORDER, false));
            ops.put("offerMessage(direct ByteBuffer)", () -> {
                direct.clear();
                return out.offerMessage(direct, false);
            });
            ops.put("offerMessage(heap ByteBuffer)", () -> {
                heap.clear();
                return out.offerMessage(heap, false);
            });
            ops.put("offerDatagram(direct ByteBuffer)", () -> {
                direct.clear();
                return client.offerDatagram(direct);
            });
            ops.put("offerDatagram(off-heap DirectBuffer)", () -> client.offerDatagram(offHeap, 0, ORDER));

            AtomicBoolean draining = new AtomicBoolean(true);
            AtomicLong received = new AtomicLong();
            Thread reader = Thread.ofPlatform().name("drain").start(() -> {
                QuicConnection serverSide = fixture.server.accept(Duration.ofSeconds(10));
                QuicStream in = serverSide.acceptStream(Duration.ofSeconds(10));
                FragmentHandler sink = (buffer, index, length) -> received.addAndGet(length);
                DatagramHandler datagramSink = (buffer, index, length) -> received.addAndGet(length);
                while (draining.get()) {
                    if (in.poll(sink, 64) + serverSide.pollDatagrams(datagramSink, 64) == 0) {
                        Thread.onSpinWait();
                    }
                }
            });
            long self = Thread.currentThread().threadId();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            StringBuilder report = new StringBuilder("bytes allocated per message by the writing thread, per window:");
            Map<String, Double> best = new LinkedHashMap<>();
            for (Map.Entry<String, Op> entry : ops.entrySet()) {
                Op op = entry.getValue();
                run(op, WARM_UP, deadline);
                report.append("\n  ").append(entry.getKey()).append(':');
                double lowest = Double.MAX_VALUE;
                for (int w = 0; w < WINDOWS; w++) {
                    long before = threads.getThreadAllocatedBytes(self);
                    run(op, WINDOW, deadline);
                    double perOp = (threads.getThreadAllocatedBytes(self) - before) / (double) WINDOW;
                    report.append(String.format(" %.3f", perOp));
                    lowest = Math.min(lowest, perOp);
                }
                best.put(entry.getKey(), lowest);
            }
            System.out.println(report);
            draining.set(false);
            reader.join(10_000);
            assertThat(received.get()).isPositive();
            best.forEach((name, perOp) -> assertThat(perOp).as("%s in its best window; %s", name, report).isZero());
        }
    }

    private static void run(Op op, int messages, long deadline) {
        for (int i = 0; i < messages; i++) {
            while (!op.offer()) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new AssertionError("back-pressured past the deadline: is the reader draining?");
                }
                Thread.onSpinWait();
            }
        }
    }
}
