package io.quicheengine;

import io.quicheengine.internal.buffers.CommandRing;
import io.quicheengine.internal.buffers.NativeResources;
import io.quicheengine.internal.io.AppWait;
import io.quicheengine.internal.io.LoopIdler;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * What every handle of one engine shares: settings, the command ring, the loop and its idler, the
 * resource counters and the engine's lifecycle state. Read by any thread.
 */
final class EngineCore {
    static final int RUNNING = 0;
    static final int CLOSING = 1;
    static final int CLOSED = 2;
    /** How long a control command may wait for room in the control queue (only when the loop is stalled). */
    static final long CONTROL_WAIT_NANOS = 10_000_000_000L;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(EngineCore.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final EngineSettings settings;
    final NativeResources resources = new NativeResources();
    /** Slots, rings and chunks: shared, because application threads copy into slots and out of rings. */
    final Arena arena = Arena.ofShared();
    final CommandRing<Command> commands;
    /** Control commands (open, reset, stop-sending, read progress, close, connect, run): never behind a full ring. */
    final ManyToOneConcurrentArrayQueue<Command> control;
    /** Control command objects the loop has finished with, reused so submitting one makes no garbage. */
    final ManyToManyConcurrentArrayQueue<Command> spareControl;
    final LoopIdler idler;
    private EventLoop loop;
    private Thread loopThread;
    /** Set in invoker mode only: the owner thread runs the loop ({@link Invoker}). */
    private Invoker invoker;
    private volatile int state = RUNNING;
    /** Why the loop died, or null. Set once, before the state becomes CLOSED. */
    private volatile Throwable failure;
    /** The loop thread stopped handling commands: set before its last drain of {@link #control}. */
    volatile boolean loopEnded;
    /** Published by the loop every stats interval: bytes sitting in read rings, and accepted but not yet taken by quiche. */
    volatile long bufferedReadBytes;
    volatile long pendingWriteBytes;
    /** Published by the loop every stats interval: datagrams its sockets dropped on a full send buffer, since the start. */
    volatile long datagramsDroppedOnSend;
    /** A producer found the command ring full; the loop clears it once it drained the ring. */
    volatile boolean ringFull;

    EngineCore(EngineSettings settings) {
        this.settings = settings;
        this.commands = new CommandRing<>(arena, settings.commandRingSize(), settings.slotSize(), resources, Command::new);
        int controlCapacity = Math.max(1024, settings.commandRingSize());
        this.control = new ManyToOneConcurrentArrayQueue<>(controlCapacity);
        this.spareControl = new ManyToManyConcurrentArrayQueue<>(controlCapacity);
        this.idler = new LoopIdler(settings.loopWaitStrategy(), settings.loopIdleStrategy(), settings.portableSockets());
    }

    void start(EventLoop eventLoop, Thread thread, Invoker invokerOrNull) {
        this.loop = eventLoop;
        this.loopThread = thread;
        this.invoker = invokerOrNull;
    }

    /** The invoker, or null when a loop thread runs the engine. */
    Invoker invoker() {
        return invoker;
    }

    /**
     * Whether a blocking call here would wait for itself: on the loop thread, or on an invoker's
     * owner inside a duty cycle (a listener callback). The owner outside a duty cycle drives the
     * loop while it waits ({@link #pause}).
     */
    boolean waitsForItself() {
        return onLoopThread() && (invoker == null || !invoker.drivesWaits());
    }

    /**
     * One pause of a blocking call's wait loop for a condition the loop signals (data, credit): on
     * an invoker's owner a duty cycle (then an idle by the loop's strategy, bounded by
     * {@code deadlineNanos}), elsewhere an {@link AppWait} pause by the application's strategy.
     */
    void pause(int iteration, long deadlineNanos) {
        if (invoker != null && invoker.drivesWaits()) {
            invoker.waitStep(deadlineNanos);
        } else {
            AppWait.pause(settings.appWaitStrategy(), settings.appIdleStrategy(), iteration, deadlineNanos);
        }
    }

    /** Whether a waiting application thread registers itself for the loop to unpark. */
    boolean waitersRegister() {
        return AppWait.registers(settings.appWaitStrategy(), settings.appIdleStrategy());
    }

    /** As {@link #pause}, for a condition the loop does not signal (a queued connection or stream, ring space). */
    void pauseUnsignalled(int iteration, long deadlineNanos) {
        if (invoker != null && invoker.drivesWaits()) {
            invoker.waitStep(deadlineNanos);
        } else {
            AppWait.pauseUnsignalled(settings.appWaitStrategy(), settings.appIdleStrategy(), iteration, deadlineNanos);
        }
    }

    EventLoop loop() {
        return loop;
    }

    Thread loopThread() {
        return loopThread;
    }

    int state() {
        return state;
    }

    /** Any thread: RUNNING to CLOSING; false when the engine was already closing, closed or failed. */
    boolean beginClose() {
        return STATE.compareAndSet(this, RUNNING, CLOSING);
    }

    /** Loop thread, as its last act: everything is released (or knowingly leaked). */
    void closed() {
        state = CLOSED;
    }

    void checkOpen() {
        if (state != RUNNING) {
            throw closedException();
        }
    }

    /** Throws when the loop died: a waiter must stop waiting then, even for something a normal close would still allow. */
    void checkNotFailed() {
        if (failure != null) {
            throw closedException();
        }
    }

    Throwable failure() {
        return failure;
    }

    /** Loop thread, when its duty cycle threw: the engine is closed from now on, and says why. */
    void fail(Throwable cause) {
        failure = cause;
        state = CLOSED;
    }

    ClosedException closedException() {
        Throwable cause = failure;
        if (cause != null) {
            return new ClosedException("the engine '" + settings.name() + "' failed: its event loop died on " + cause, cause);
        }
        return new ClosedException("the engine '" + settings.name() + "' is " + (state == CLOSING ? "closing" : "closed"));
    }

    boolean onLoopThread() {
        return Thread.currentThread() == loopThread;
    }

    void wakeLoop() {
        idler.wake();
    }

    /**
     * Hands a control command to the loop without waiting behind data writes: control commands
     * have their own queue, and each runs once the loop handled every ring event claimed before it
     * was submitted, so it keeps its order with the caller's writes. When even that queue is full
     * (the loop is stalled), waits at most {@link #CONTROL_WAIT_NANOS}. On the loop thread itself it
     * queues locally, since waiting there could never end.
     *
     * @throws ClosedException      when the engine is closed or its loop failed
     * @throws QuicTimeoutException when the loop took no control command for {@link #CONTROL_WAIT_NANOS}
     */
    void submitControl(int type, ConnectionState connection, StreamState stream, long code, boolean fin, Object attachment) {
        if (state != RUNNING) {
            if (type == Command.STREAM_READ_PROGRESS) {
                return;
            }
            checkOpen();
        }
        if (onLoopThread()) {
            loop.submitLocal(type, connection, stream, code, fin, attachment);
            return;
        }
        Command command = spareControl.poll();
        if (command == null) {
            command = new Command(MemorySegment.NULL); // only until the pool holds as many as are ever in flight
        }
        command.type = type;
        command.connection = connection;
        command.stream = stream;
        command.code = code;
        command.fin = fin;
        command.attachment = attachment;
        command.fence = commands.cursor();
        long deadline = 0;
        int iteration = 0;
        while (!control.offer(command)) {
            if (iteration == 0) {
                deadline = System.nanoTime() + CONTROL_WAIT_NANOS;
            }
            if (state != RUNNING) {
                if (type == Command.STREAM_READ_PROGRESS) {
                    return;
                }
                checkOpen();
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new QuicTimeoutException("the engine '" + settings.name() + "' took no control command for "
                        + CONTROL_WAIT_NANOS / 1_000_000 + " ms: its loop is stalled (a listener callback blocking?)", 0);
            }
            AppWait.pause(WaitStrategy.BACKOFF, iteration++, deadline);
        }
        idler.wake();
        if (loopEnded) {
            // The loop may have drained the queue for the last time before this command arrived.
            abandon(command);
        }
    }

    /** A control command the loop will never run: fail what waits on it. Idempotent; any thread. */
    void abandon(Command command) {
        if (command.type == Command.CONNECT) {
            command.connection.failWith(closedException());
        }
    }
}
