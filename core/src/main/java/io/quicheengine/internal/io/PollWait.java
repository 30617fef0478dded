package io.quicheengine.internal.io;

import io.quicheengine.ffi.LinuxUdp;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.DatagramChannel;

/**
 * {@link BlockingWait} with {@code ppoll(2)} over the engine's native sockets plus an
 * {@code eventfd} that other threads write to wake the loop.
 *
 * <p>Internal to the engine (not exported by its module): made by {@link Endpoint#newBlockingWait}
 * for {@link LoopIdler}; threads as in {@link BlockingWait}.
 */
public final class PollWait implements BlockingWait {
    private static final int MAX_FDS = 1024;
    private static final int POLLFD_BYTES = 8;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment pollfds = arena.allocate((long) MAX_FDS * POLLFD_BYTES, 8);
    private final MemorySegment loopCallState = LinuxUdp.newCallState(arena);
    private final MemorySegment drain = arena.allocate(8);
    private final MemorySegment one = arena.allocateFrom(ValueLayout.JAVA_LONG, 1L);
    private final MemorySegment timeout = arena.allocate(16, 8);
    private final int eventFd;
    /** Wakers inside {@link #wakeup()}: close waits for them, so none writes to a closed descriptor. */
    private final java.util.concurrent.atomic.AtomicInteger wakersInFlight = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean closed;
    private int count;

    PollWait() throws IOException {
        eventFd = LinuxUdp.eventfd(loopCallState);
        if (eventFd < 0) {
            arena.close();
            throw new IOException("eventfd failed: errno " + LinuxUdp.errno(loopCallState));
        }
        add(eventFd);
    }

    private void add(int fd) {
        if (count == MAX_FDS) {
            throw new IllegalStateException("more than " + MAX_FDS + " sockets in one engine");
        }
        long at = (long) count * POLLFD_BYTES;
        pollfds.set(ValueLayout.JAVA_INT, at, fd);
        pollfds.set(ValueLayout.JAVA_SHORT, at + 4, LinuxUdp.POLLIN);
        pollfds.set(ValueLayout.JAVA_SHORT, at + 6, (short) 0);
        count++;
    }

    @Override
    public void register(DatagramChannel channel) {
        throw new UnsupportedOperationException("poll watches native sockets only");
    }

    @Override
    public void register(int fd) {
        add(fd);
    }

    @Override
    public void unregister(int fd) {
        for (int i = 1; i < count; i++) {
            if (pollfds.get(ValueLayout.JAVA_INT, (long) i * POLLFD_BYTES) == fd) {
                MemorySegment.copy(pollfds, (long) (count - 1) * POLLFD_BYTES, pollfds, (long) i * POLLFD_BYTES, POLLFD_BYTES);
                count--;
                return;
            }
        }
    }

    @Override
    public void await(long timeoutNanos) throws IOException {
        timeout.set(ValueLayout.JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
        timeout.set(ValueLayout.JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
        // A failed ppoll (a signal, say) just ends the wait early: the loop looks for work either way.
        int ready = LinuxUdp.ppoll(pollfds, count, timeout);
        if (ready > 0 && (pollfds.get(ValueLayout.JAVA_SHORT, 6) & LinuxUdp.POLLIN) != 0) {
            LinuxUdp.read(eventFd, drain, 8);
        }
    }

    /** Any thread, without a lock: the eventfd adds up concurrent writes. */
    @Override
    public void wakeup() {
        wakersInFlight.incrementAndGet();
        try {
            if (!closed) {
                LinuxUdp.write(eventFd, one, 8);
            }
        } finally {
            wakersInFlight.decrementAndGet();
        }
    }

    @Override
    public void close() {
        closed = true;
        while (wakersInFlight.get() > 0) {
            Thread.onSpinWait();
        }
        LinuxUdp.close(loopCallState, eventFd);
        arena.close();
    }
}
