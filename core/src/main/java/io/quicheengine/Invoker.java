package io.quicheengine;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;

/**
 * Invoker mode (Aeron's {@code AgentInvoker} is the model): the engine has no loop thread, and the
 * thread that built it, its owner, runs the duty cycle by calling {@link QuicEngine#doWork()}.
 * The owner is the engine's loop thread for every purpose: it alone calls quiche.
 *
 * <p>Because the owner runs the loop, two things it does differ from an application thread beside
 * a loop: its stream writes go straight to quiche when nothing is queued ahead of them (no ring
 * hop), and its blocking calls run duty cycles while they wait instead of waiting for a loop that
 * does not exist. Inside a duty cycle (a listener callback) neither happens: writes take the ring
 * and blocking calls fail, as on a loop thread.
 *
 * <p>Owner thread only, except {@link #isOwner()} (any thread).
 */
final class Invoker {
    private final EngineCore engine;
    private final EventLoop loop;
    private final Thread owner;
    /** Bytes an owner write copies from the heap before quiche takes them (quiche needs an address). */
    private final MemorySegment scratch;
    /** True while the owner is inside {@link EventLoop#invoke()}: listener callbacks run then, and must not re-enter. */
    private boolean inCycle;
    /** The loop ended and the call checks no longer count this engine for the owner. */
    private boolean released;

    Invoker(EngineCore engine, EventLoop loop, Thread owner) {
        this.engine = engine;
        this.loop = loop;
        this.owner = owner;
        this.scratch = engine.arena.allocate(engine.settings.slotSize(), 64);
    }

    Thread owner() {
        return owner;
    }

    boolean isOwner() {
        return Thread.currentThread() == owner;
    }

    /** One duty cycle; the caller must be the owner. */
    int doWork() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("doWork on thread '" + Thread.currentThread().getName() + "': engine '" + engine.settings.name()
                    + "' is in invoker mode and owned by thread '" + owner.getName() + "', which built it; only that thread may drive it");
        }
        if (inCycle) {
            throw new IllegalStateException("doWork called from inside doWork (a listener callback of engine '" + engine.settings.name()
                    + "'): return from the callback instead");
        }
        inCycle = true;
        try {
            return loop.invoke();
        } finally {
            inCycle = false;
            if (!released && loop.terminated().isDone()) {
                released = true;
                LoopThread.ownerEnded();
            }
        }
    }

    /** True when the calling thread may run duty cycles while it waits: the owner, outside a duty cycle. */
    boolean drivesWaits() {
        return Thread.currentThread() == owner && !inCycle;
    }

    /**
     * One step of a wait on the owner thread: a duty cycle, then, when it did nothing, an idle by
     * the engine's loop wait strategy, never past {@code deadlineNanos}.
     */
    void waitStep(long deadlineNanos) {
        if (doWork() == 0 && !loop.terminated().isDone()) {
            engine.idler.idle(loop, deadlineNanos - System.nanoTime());
        } else {
            engine.idler.reset();
        }
    }

    /** Runs duty cycles until {@code future} is done or {@code deadlineNanos} passed; the owner, outside a duty cycle. */
    void await(CompletableFuture<?> future, long deadlineNanos) {
        while (!future.isDone() && System.nanoTime() - deadlineNanos < 0) {
            waitStep(deadlineNanos);
        }
    }

    /**
     * Whether a write to {@code stream} may go straight to quiche: on the owner outside a duty
     * cycle, with no command queued (from any thread) that must reach quiche first, on a
     * connection quiche already knows. Otherwise the write takes the ring, which keeps the order.
     */
    boolean writesDirect(StreamState stream) {
        ConnectionState connection = stream.connection;
        return Thread.currentThread() == owner && !inCycle && !loop.hasPendingCommands()
                && !connection.finalized && connection.quiche.address() != 0;
    }

    /** Hands {@code length} bytes to quiche as the loop's write path does, through the scratch segment. */
    void write(StreamState stream, MemorySegment segment, byte[] array, long offset, int length, boolean fin) {
        // As busy as a duty cycle: a listener told of returned credit (onStreamWritable) that writes
        // again must take the ring, not slip its bytes in before the rest of this write.
        inCycle = true;
        try {
            writeThroughScratch(stream, segment, array, offset, length, fin);
        } catch (RuntimeException e) {
            loop.failConnection(stream.connection, "writing to " + stream + " from the invoker's thread", e); // as the ring path does
        } finally {
            inCycle = false;
        }
    }

    private void writeThroughScratch(StreamState stream, MemorySegment segment, byte[] array, long offset, int length, boolean fin) {
        if (segment != null && segment.isNative()) {
            loop.write(stream, segment.address() + offset, length, fin); // quiche copies what it takes, pending buffers the rest
            return;
        }
        int slot = (int) scratch.byteSize();
        int done = 0;
        do {
            int n = Math.min(slot, length - done);
            if (array != null) {
                MemorySegment.copy(array, (int) offset + done, scratch, ValueLayout.JAVA_BYTE, 0, n);
            } else {
                MemorySegment.copy(segment, offset + done, scratch, 0, n);
            }
            done += n;
            loop.write(stream, scratch.address(), n, fin && done == length);
        } while (done < length);
    }
}
