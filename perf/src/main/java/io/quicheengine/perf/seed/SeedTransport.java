package io.quicheengine.perf.seed;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the seed engine offered its application: write and read on stream ids, plus a
 * "stream readable" event (a listener given at creation, called on the loop thread, which must not
 * block). One implementation per seed design; the workloads are written once against this.
 *
 * <p>{@link #write} and {@link #read} from application threads (several at once are allowed);
 * {@link #close()} once, from the owning thread, after the application threads are done.
 */
interface SeedTransport {

    InetSocketAddress localAddress();

    void awaitEstablished(long timeout, TimeUnit unit) throws InterruptedException, TimeoutException;

    /**
     * Hands {@code length} bytes (and the stream's end when {@code fin}) to the transport, waiting
     * while it has no room, at most {@code timeoutMillis}.
     */
    void write(long streamId, byte[] src, int offset, int length, boolean fin, long timeoutMillis)
            throws InterruptedException, TimeoutException;

    /**
     * Copies readable bytes of {@code streamId} into {@code dst} without waiting.
     *
     * @return the number of bytes copied, 0 when none are available yet, -1 once the stream's end
     *         has been reached and everything before it was read
     */
    int read(long streamId, byte[] dst, int offset, int length);

    /** The id of the thread that drives the connection's I/O, for allocation accounting. */
    long loopThreadId();

    /** Closes the connection (CONNECTION_CLOSE), stops the loop and frees everything native. */
    void close() throws InterruptedException;

    /** RTT, cwnd and packet figures; after {@link #close()}. */
    SeedConnStats stats();
}
