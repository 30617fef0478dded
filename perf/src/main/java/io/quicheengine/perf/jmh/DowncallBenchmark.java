package io.quicheengine.perf.jmh;

import static io.quicheengine.ffi.Downcalls.C_BOOL;
import static io.quicheengine.ffi.Downcalls.C_LONG;
import static io.quicheengine.ffi.Downcalls.C_POINTER;

import io.quicheengine.ffi.Downcalls;
import io.quicheengine.ffi.QuicheConn;
import io.quicheengine.ffi.QuicheError;
import io.quicheengine.ffi.QuicheStream;
import io.quicheengine.ffi.SendInfo;
import io.quicheengine.perf.baseline.RawQuichePair;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What an FFM downcall costs on the engine's hot path, with and without
 * {@code Linker.Option.critical(false)} (no Java-to-native thread-state transition), on short
 * quiche calls against an established in-memory connection ({@link RawQuichePair}). Each call is
 * linked twice here, so both variants run in the same JVM whatever {@code quiche.ffm.critical} says.
 *
 * <p>Method names end in {@code _critical} or {@code _transition}. The calls are chosen to do
 * almost nothing inside quiche: {@code quiche_conn_send} finds nothing to send ({@code DONE}),
 * {@code quiche_conn_stream_readable_next} finds no readable stream (-1).
 *
 * <p>Run (about 1-2 minutes; build first with {@code ./mvnw -B -q -ntp -pl perf -am package -DskipTests}):
 * <pre>
 * $JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED -cp 'perf/target/classes:perf/target/lib/*' \
 *     org.openjdk.jmh.Main DowncallBenchmark -prof gc
 * </pre>
 * The forked JVM gets the engine's flags from {@link Fork#jvmArgsAppend()}.
 *
 * <p>JMH runs each benchmark method on one thread; the state is made and freed around it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {
        "--enable-native-access=ALL-UNNAMED",
        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow"})
@State(Scope.Benchmark)
public class DowncallBenchmark {

    private static final FunctionDescriptor LONG_OF_CONN = FunctionDescriptor.of(C_LONG, C_POINTER);
    private static final FunctionDescriptor LONG_OF_CONN_STREAM = FunctionDescriptor.of(C_LONG, C_POINTER, C_LONG);
    private static final FunctionDescriptor BOOL_OF_CONN = FunctionDescriptor.of(C_BOOL, C_POINTER);
    private static final FunctionDescriptor CONN_SEND = FunctionDescriptor.of(C_LONG, C_POINTER, C_POINTER, C_LONG, C_POINTER);

    private static final MethodHandle TIMEOUT_AS_NANOS = Downcalls.downcall("quiche_conn_timeout_as_nanos", LONG_OF_CONN, false);
    private static final MethodHandle TIMEOUT_AS_NANOS_CRITICAL = Downcalls.downcall("quiche_conn_timeout_as_nanos", LONG_OF_CONN, true);
    private static final MethodHandle STREAM_CAPACITY = Downcalls.downcall("quiche_conn_stream_capacity", LONG_OF_CONN_STREAM, false);
    private static final MethodHandle STREAM_CAPACITY_CRITICAL = Downcalls.downcall("quiche_conn_stream_capacity", LONG_OF_CONN_STREAM, true);
    private static final MethodHandle READABLE_NEXT = Downcalls.downcall("quiche_conn_stream_readable_next", LONG_OF_CONN, false);
    private static final MethodHandle READABLE_NEXT_CRITICAL = Downcalls.downcall("quiche_conn_stream_readable_next", LONG_OF_CONN, true);
    private static final MethodHandle SEND = Downcalls.downcall("quiche_conn_send", CONN_SEND, false);
    private static final MethodHandle SEND_CRITICAL = Downcalls.downcall("quiche_conn_send", CONN_SEND, true);
    private static final MethodHandle IS_ESTABLISHED = Downcalls.downcall("quiche_conn_is_established", BOOL_OF_CONN, false);
    private static final MethodHandle IS_ESTABLISHED_CRITICAL = Downcalls.downcall("quiche_conn_is_established", BOOL_OF_CONN, true);

    private static final long STREAM = 0;
    private static final int OPENING_BYTES = 100;

    private RawQuichePair pair;
    private Arena arena;
    private MemorySegment conn;
    private MemorySegment packet;
    private MemorySegment sendInfo;

    /** An established pair whose client has an open stream with capacity, nothing to send and nothing to read. */
    @Setup(Level.Trial)
    public void setUp() {
        pair = new RawQuichePair();
        arena = Arena.ofShared();
        conn = pair.client();
        packet = arena.allocate(RawQuichePair.MAX_DATAGRAM);
        sendInfo = new SendInfo(arena).segment();
        MemorySegment error = arena.allocate(ValueLayout.JAVA_LONG);
        long taken = QuicheStream.send(conn, STREAM, arena.allocate(OPENING_BYTES), OPENING_BYTES, false, error);
        require(taken == OPENING_BYTES, "opening stream_send took " + taken);
        pair.pumpUntilQuiet();
        while (QuicheStream.readableNext(conn) != -1) {
            // Drain the edge-triggered readable list; the client has received no stream data anyway.
        }
        require(QuicheConn.isEstablished(conn), "client not established");
        require(QuicheStream.capacity(conn, STREAM) > 0, "stream capacity " + QuicheStream.capacity(conn, STREAM));
        require(QuicheStream.readableNext(conn) == -1, "a stream is readable");
        require(QuicheConn.send(conn, packet, packet.byteSize(), sendInfo) == QuicheError.DONE.code(), "client has a packet to send");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        // The pumps must still be quiet: a benchmark that made quiche send would have measured something else.
        long send = QuicheConn.send(conn, packet, packet.byteSize(), sendInfo);
        pair.close();
        arena.close();
        require(send == QuicheError.DONE.code(), "client had a packet to send after the run: " + send);
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("benchmark precondition failed: " + what);
        }
    }

    @Benchmark
    public long timeoutAsNanos_transition() throws Throwable {
        return (long) TIMEOUT_AS_NANOS.invokeExact(conn);
    }

    @Benchmark
    public long timeoutAsNanos_critical() throws Throwable {
        return (long) TIMEOUT_AS_NANOS_CRITICAL.invokeExact(conn);
    }

    @Benchmark
    public long streamCapacity_transition() throws Throwable {
        return (long) STREAM_CAPACITY.invokeExact(conn, STREAM);
    }

    @Benchmark
    public long streamCapacity_critical() throws Throwable {
        return (long) STREAM_CAPACITY_CRITICAL.invokeExact(conn, STREAM);
    }

    @Benchmark
    public long streamReadableNext_transition() throws Throwable {
        return (long) READABLE_NEXT.invokeExact(conn);
    }

    @Benchmark
    public long streamReadableNext_critical() throws Throwable {
        return (long) READABLE_NEXT_CRITICAL.invokeExact(conn);
    }

    @Benchmark
    public long sendDone_transition() throws Throwable {
        return (long) SEND.invokeExact(conn, packet, (long) RawQuichePair.MAX_DATAGRAM, sendInfo);
    }

    @Benchmark
    public long sendDone_critical() throws Throwable {
        return (long) SEND_CRITICAL.invokeExact(conn, packet, (long) RawQuichePair.MAX_DATAGRAM, sendInfo);
    }

    @Benchmark
    public boolean isEstablished_transition() throws Throwable {
        return (boolean) IS_ESTABLISHED.invokeExact(conn);
    }

    @Benchmark
    public boolean isEstablished_critical() throws Throwable {
        return (boolean) IS_ESTABLISHED_CRITICAL.invokeExact(conn);
    }
}
