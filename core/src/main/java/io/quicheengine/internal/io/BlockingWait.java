package io.quicheengine.internal.io;

import java.io.IOException;
import java.nio.channels.DatagramChannel;

/**
 * How the loop sleeps (BLOCKING, and BACKOFF's last phase) until a datagram arrives on one of its
 * sockets, a timeout passes, or another thread wakes it. {@link #await} and {@code register}:
 * loop thread. {@link #wakeup}: any thread.
 *
 * <p>Internal to the engine (not exported by its module): used by {@link LoopIdler} and the
 * endpoints; see above for the threads.
 */
public interface BlockingWait extends AutoCloseable {
    /** A portable socket to watch. */
    void register(DatagramChannel channel) throws IOException;

    /** A native socket to watch. */
    void register(int fd);

    /** A socket no longer watched (closed). */
    void unregister(int fd);

    /** Sleeps until a watched socket is readable, {@link #wakeup} is called, or about {@code timeoutNanos} passed. */
    void await(long timeoutNanos) throws IOException;

    void wakeup();

    @Override
    void close() throws IOException;
}
