package io.quicheengine.perf.jmh;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One {@code QuicStream.offer} of a small write and the loop's book-keeping once quiche took it
 * (bytes sent, credit back), both on one thread: the write path's own cost, its atomics and
 * fences, without a second thread or the scheduler in the way.
 * {@link JmhCommandHandoffBenchmark}'s {@code streamOffer} case runs the same path with the loop's
 * part on another thread. Run with {@code -prof gc}: B/op should be 0.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {
        "--enable-native-access=ALL-UNNAMED",
        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow"})
@State(Scope.Thread)
public class JmhStreamOfferBenchmark {
    @Param({"64"})
    public int payloadBytes;

    private JmhCommandHandoffBenchmark.StreamOfferHandoff stream;
    private byte[] bytes;

    @Setup(Level.Trial)
    public void setUp() {
        stream = new JmhCommandHandoffBenchmark.StreamOfferHandoff(payloadBytes);
        bytes = new byte[payloadBytes];
        Arrays.fill(bytes, (byte) 7);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        stream.close();
    }

    @Benchmark
    public int offerThenTake() {
        stream.offer(bytes);
        return stream.drain();
    }
}
