package io.quicheengine;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A benchmark rig, not a benchmark: one stream of an engine core with no loop thread, whose
 * {@link QuicStream#offer} runs for real while {@link #drain()} plays the loop's part for each
 * write (quiche taking every byte at once: bytes sent, credit back). It lives in the engine's
 * package only to reach the package-private state the loop owns; the JMH benchmarks that use it
 * ({@code io.quicheengine.perf.jmh}) do not. Works on the class path only (a split package).
 * {@link #offer} from producer threads, {@link #drain} from one consumer thread.
 */
public final class StreamOfferRig implements AutoCloseable {
    private final EngineCore engine;
    private final QuicStream stream;
    private int drained;
    private final com.lmax.disruptor.EventPoller.Handler<Command> handler = (command, sequence, endOfBatch) -> {
        // What StreamWriter.taken does, without a waiter or listener to tell.
        command.stream.taken(command.length);
        command.clear();
        drained++;
        return true;
    };

    /** A core with a command ring of {@code ringSize} slots of at least {@code payloadBytes}; credit never holds producers back. */
    public StreamOfferRig(int ringSize, int payloadBytes) {
        long unbounded = 1L << 50;
        engine = new EngineCore(new EngineSettings("jmh", WaitStrategy.BUSY_SPIN, WaitStrategy.BUSY_SPIN, null, null, ringSize,
                Math.max(64, payloadBytes), 1 << 16, 16, unbounded, unbounded, 1 << 16, Duration.ofSeconds(1),
                Duration.ofSeconds(1), (connection, context, error) -> { }, true));
        ConnectionState connection = new ConnectionState(engine, true, null, null, null, "jmh",
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 4433), TransportSettings.DEFAULTS);
        stream = new StreamState(connection, 0).handle;
    }

    /** Producer threads: offers {@code bytes}, yielding while the ring has no room. */
    public void offer(byte[] bytes) {
        while (stream.offer(bytes, 0, bytes.length, false) == 0) {
            Thread.yield();
        }
    }

    /** The consumer thread: takes every published write as the loop would; returns how many. */
    public int drain() {
        drained = 0;
        try {
            engine.commands.poll(handler);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return drained;
    }

    @Override
    public void close() {
        engine.arena.close();
    }
}
