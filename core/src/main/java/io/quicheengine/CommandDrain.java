package io.quicheengine;

import com.lmax.disruptor.EventPoller;
import java.util.ArrayDeque;

/**
 * Drains the engine's commands into the loop: ring events (writes, datagrams) in order, and
 * control commands (the engine's control queue, and those queued by the loop's own listener
 * callbacks) each once the ring events claimed before it were handled. Dispatches every command
 * to the role that carries it out. Loop thread only.
 */
final class CommandDrain {
    private static final int COMMAND_BATCH = 4096;

    private final EventLoop loop;
    private final EngineCore engine;
    private final EventPoller.Handler<Command> onCommand = this::onCommand;
    private final ArrayDeque<Command> localCommands = new ArrayDeque<>();
    private final ArrayDeque<Command> spareCommands = new ArrayDeque<>();
    /** The payload of local commands: they carry none. */
    private final java.lang.foreign.MemorySegment emptyPayload;
    private int commandsThisCycle;

    CommandDrain(EventLoop loop) {
        this.loop = loop;
        this.engine = loop.engine;
        this.emptyPayload = engine.arena.allocate(8);
    }

    /** Runs the commands waiting now (at most a batch of ring events); returns how many ran. */
    int drain() {
        commandsThisCycle = 0;
        try {
            engine.commands.poll(onCommand);
        } catch (Exception e) {
            loop.settings.errorHandler().onError(null, "processing a command", e);
        }
        runControl(engine.commands.processed());
        if (engine.ringFull && !engine.commands.hasPending()) {
            engine.ringFull = false;
            loop.datagrams.writersAfterFullRing();
        }
        return commandsThisCycle;
    }

    private boolean onCommand(Command command, long sequence, boolean endOfBatch) {
        runControl(sequence - 1);
        try {
            handle(command);
        } finally {
            command.clear();
        }
        return ++commandsThisCycle < COMMAND_BATCH;
    }

    /**
     * Runs the control commands (local ones first) submitted once ring event {@code upTo} had been
     * claimed: a control command never waits for ring space, yet runs after the writes its thread
     * made before it and before those it makes after.
     */
    private void runControl(long upTo) {
        Command command;
        while ((command = localCommands.peekFirst()) != null && command.fence <= upTo) {
            localCommands.pollFirst();
            handle(command);
            command.clear();
            spareCommands.addLast(command);
            commandsThisCycle++;
        }
        while ((command = engine.control.peek()) != null && command.fence <= upTo) {
            engine.control.poll();
            handle(command);
            command.clear();
            engine.spareControl.offer(command);
            commandsThisCycle++;
        }
    }

    /** Whether a command waits to be run. */
    boolean hasPending() {
        return engine.commands.hasPending() || !engine.control.isEmpty() || !localCommands.isEmpty();
    }

    /** Whether a ring event or a local command waits: what a listener's answer in this cycle would be. */
    boolean hasRingOrLocalPending() {
        return engine.commands.hasPending() || !localCommands.isEmpty();
    }

    /** Queues a command from the loop thread itself (a listener callback): it runs once the ring events claimed before it are handled. */
    void submitLocal(int type, ConnectionState connection, StreamState stream, long code, boolean finFlag, Object attachment) {
        Command command = spareCommands.pollFirst();
        if (command == null) {
            command = new Command(emptyPayload);
        }
        command.type = type;
        command.connection = connection;
        command.stream = stream;
        command.code = code;
        command.fin = finFlag;
        command.attachment = attachment;
        command.fence = engine.commands.cursor();
        localCommands.addLast(command);
    }

    /** Control commands the loop will never run (the producer re-checks {@link EngineCore#loopEnded} for any arriving later). */
    void abandonQueued() {
        Command command;
        while ((command = localCommands.pollFirst()) != null) {
            engine.abandon(command);
        }
        while ((command = engine.control.poll()) != null) {
            engine.abandon(command);
        }
    }

    private void handle(Command command) {
        ConnectionState connection = command.connection;
        try {
            switch (command.type) {
                case Command.WRITE -> loop.writer.onWrite(command);
                case Command.RESET_STREAM -> loop.writer.onResetStream(command.stream, command.code);
                case Command.STOP_SENDING -> loop.writer.onStopSending(command.stream, command.code);
                case Command.STREAM_READ_PROGRESS -> loop.reader.onReadProgress(command.stream);
                case Command.STREAM_OPENED -> {
                    if (!command.stream.connection.finalized) {
                        loop.collector.register(command.stream.connection, command.stream);
                    }
                }
                case Command.CONNECT -> loop.lifecycle.connect(connection);
                case Command.CLOSE_CONNECTION -> loop.closer.closeAfterFlush(connection, (CloseRequest) command.attachment);
                case Command.RUN -> ((Runnable) command.attachment).run();
                case Command.DATAGRAM -> loop.datagrams.send(connection, command);
                case Command.NOOP -> {
                }
                default -> throw new IllegalStateException("unknown command type " + command.type);
            }
        } catch (RuntimeException e) {
            if (command.stream != null) {
                connection = command.stream.connection;
            }
            if (connection != null) {
                loop.closer.failConnection(connection, "handling a command for " + (command.stream != null ? command.stream : connection), e);
            } else {
                loop.settings.errorHandler().onError(null, "handling an engine command", e);
            }
        }
    }
}
