package io.quicheengine;

import java.lang.foreign.Arena;

/**
 * What every handle of one engine shares: settings, the command ring, the loop and its idler, the
 * resource counters and the engine's lifecycle state. Read by any thread.
 */
final class EngineCore {
    static final int RUNNING = 0;
    static final int CLOSING = 1;
    static final int CLOSED = 2;

    final EngineSettings settings;
    final NativeResources resources = new NativeResources();
    /** Slots, rings and chunks: shared, because application threads copy into slots and out of rings. */
    final Arena arena = Arena.ofShared();
    final CommandRing commands;
    final LoopIdler idler;
    private EventLoop loop;
    private Thread loopThread;
    private volatile int state = RUNNING;
    /** Published by the loop every stats interval: bytes sitting in read rings, and accepted but not yet taken by quiche. */
    volatile long bufferedReadBytes;
    volatile long pendingWriteBytes;
    /** Published by the loop every stats interval: datagrams its sockets dropped on a full send buffer, since the start. */
    volatile long datagramsDroppedOnSend;
    /** A producer found the command ring full; the loop clears it once it drained the ring. */
    volatile boolean ringFull;

    EngineCore(EngineSettings settings) {
        this.settings = settings;
        this.commands = new CommandRing(arena, settings.commandRingSize(), settings.slotSize(), resources);
        this.idler = new LoopIdler(settings.loopWaitStrategy(), settings.portableSockets());
    }

    void start(EventLoop eventLoop, Thread thread) {
        this.loop = eventLoop;
        this.loopThread = thread;
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

    void state(int value) {
        state = value;
    }

    void checkOpen() {
        if (state != RUNNING) {
            throw new ClosedException("the engine '" + settings.name() + "' is " + (state == CLOSING ? "closing" : "closed"));
        }
    }

    boolean onLoopThread() {
        return Thread.currentThread() == loopThread;
    }

    void wakeLoop() {
        idler.wake();
    }

    /**
     * Hands a control command to the loop; waits for ring space (these must not be lost). On the
     * loop thread itself it queues locally instead, since waiting there could never end.
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
        long sequence;
        int iteration = 0;
        while ((sequence = commands.tryClaim(1)) < 0) {
            if (state != RUNNING) {
                if (type == Command.STREAM_READ_PROGRESS) {
                    return;
                }
                checkOpen();
            }
            AppWait.pause(WaitStrategy.BACKOFF, iteration++, System.nanoTime() + 1_000_000);
        }
        Command command = commands.get(sequence);
        command.type = type;
        command.connection = connection;
        command.stream = stream;
        command.code = code;
        command.fin = fin;
        command.length = 0;
        command.attachment = attachment;
        commands.publish(sequence, sequence);
        idler.wake();
    }
}
