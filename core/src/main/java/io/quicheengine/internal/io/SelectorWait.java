package io.quicheengine.internal.io;

import java.io.IOException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.function.Consumer;

/**
 * {@link BlockingWait} on a NIO {@link Selector}, for {@link NioEndpoint}s.
 *
 * <p>Internal to the engine (not exported by its module): made by {@link Endpoint#newBlockingWait}
 * for {@link LoopIdler}; threads as in {@link BlockingWait}.
 */
public final class SelectorWait implements BlockingWait {
    private final Selector selector;
    private final Consumer<SelectionKey> ignoreKey = key -> { };

    SelectorWait() throws IOException {
        this.selector = Selector.open();
    }

    @Override
    public void register(DatagramChannel channel) throws IOException {
        channel.register(selector, SelectionKey.OP_READ);
    }

    @Override
    public void register(int fd) {
        throw new UnsupportedOperationException("a selector watches NIO channels only");
    }

    @Override
    public void unregister(int fd) {
        // Closing a channel deregisters it from the selector.
    }

    @Override
    public void await(long timeoutNanos) throws IOException {
        // A selector counts in whole milliseconds (0 would mean forever).
        selector.select(ignoreKey, Math.max(1, (timeoutNanos + 999_999) / 1_000_000));
    }

    @Override
    public void wakeup() {
        selector.wakeup();
    }

    @Override
    public void close() throws IOException {
        selector.close();
    }
}
