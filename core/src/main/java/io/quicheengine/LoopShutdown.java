package io.quicheengine;

import io.quicheengine.internal.buffers.NativeResources;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * The engine's close from the loop's side: every connection closed once and given a bounded time
 * to drain, then, after the last cycle, every native resource freed, the shared arena only once no
 * application thread can still touch it. Loop thread only.
 */
final class LoopShutdown {
    /** How long the loop's shutdown waits for readers to let go of read rings and producers to publish claimed slots. */
    static final long RELEASE_WAIT_NANOS = 2_000_000_000L;
    private static final System.Logger LOG = System.getLogger(LoopShutdown.class.getName());

    private final EventLoop loop;
    private final EngineCore engine;
    private final EngineSettings settings;
    private long closeDeadline;

    LoopShutdown(EventLoop loop) {
        this.loop = loop;
        this.engine = loop.engine;
        this.settings = loop.settings;
    }

    /** The engine is closing: close every connection once, then wait (bounded) for them to drain. */
    int continueClosing() {
        ConnectionRouter router = loop.router;
        if (closeDeadline == 0) {
            closeDeadline = loop.now() + settings.closeTimeout().toNanos();
            for (int i = router.liveCount() - 1; i >= 0; i--) {
                ConnectionState connection = router.live(i);
                try {
                    loop.closer.closeAfterFlush(connection, new CloseRequest(true, 0, "engine closing", settings.closeTimeout().toNanos()));
                } catch (RuntimeException e) {
                    loop.closer.failConnection(connection, "closing for engine shutdown", e);
                }
            }
            return 1;
        }
        if (router.liveCount() == 0 || loop.now() - closeDeadline >= 0) {
            for (int i = router.liveCount() - 1; i >= 0; i--) {
                ConnectionState connection = router.live(i);
                if (connection.pendingClose != null) {
                    try {
                        loop.closer.closeIfFlushed(connection, true); // the CONNECTION_CLOSE still leaves, and the loss is reported
                    } catch (RuntimeException e) {
                        loop.closer.failConnection(connection, "closing for engine shutdown", e);
                    }
                }
            }
            loop.stop();
        }
        return 0;
    }

    /**
     * The loop's last act, the one place where the engine's native memory is freed: after the duty
     * cycle ended, connections and configs go (quiche calls, so here on the loop thread), then the
     * shared arena (command slots, read rings, pending chunks, scratch) once no application thread
     * can touch it: every reader lease retired and every claimed command slot published. When that
     * cannot be had within {@link #RELEASE_WAIT_NANOS} the arena is leaked and reported, never freed
     * under a thread still using it.
     */
    void shutDown(Throwable failure, CompletableFuture<Void> terminated) {
        boolean arenaSafe = false;
        try {
            engine.loopEnded = true;
            if (failure != null) {
                failWaiters(engine.closedException());
            }
            loop.commands.abandonQueued();
            long deadline = System.nanoTime() + RELEASE_WAIT_NANOS;
            boolean readersGone = releaseEverything(deadline);
            boolean producersGone = engine.commands.seal(deadline);
            arenaSafe = readersGone && producersGone;
            if (!arenaSafe) {
                settings.errorHandler().onError(null, "engine '" + settings.name() + "' leaks its native buffers ("
                        + (readersGone ? "" : "a reader kept its read ring's lease") + (readersGone || producersGone ? "" : " and ")
                        + (producersGone ? "" : "a producer never published a claimed command slot") + " for "
                        + RELEASE_WAIT_NANOS / 1_000_000 + " ms after the loop ended): freeing them could crash that thread",
                        new IllegalStateException("native memory still in use at engine close"));
            }
        } catch (Throwable t) {
            arenaSafe = false;
            try {
                settings.errorHandler().onError(null, "releasing the engine's resources failed: its native buffers are leaked", t);
            } catch (Throwable again) {
                LOG.log(System.Logger.Level.ERROR, "releasing the engine's resources failed", t);
            }
        } finally {
            if (arenaSafe) {
                freeArena();
            }
            engine.closed();
            if (failure != null) {
                terminated.completeExceptionally(failure);
            } else {
                terminated.complete(null);
            }
        }
    }

    /** The loop died: everything waiting on it fails with the cause now, before native memory is looked at. */
    private void failWaiters(ClosedException cause) {
        ConnectionRouter router = loop.router;
        for (int i = 0; i < router.liveCount(); i++) {
            ConnectionState connection = router.live(i);
            connection.failWith(cause);
            EventLoop.unpark(connection.streamLimitWaiter);
            for (StreamState stream : connection.streams.values()) {
                EventLoop.unpark(stream.writeWaiter);
                EventLoop.unpark(stream.readWaiter);
            }
        }
        loop.collector.wakeReaders();
        loop.sockets.failServerWaiters(cause);
    }

    /**
     * Frees every connection and config, takes every read ring back from its reader and closes the
     * sockets.
     *
     * @return false when a reader still held a ring's lease at {@code deadline} (that ring stays in use)
     */
    private boolean releaseEverything(long deadline) {
        ConnectionRouter router = loop.router;
        for (int i = router.liveCount() - 1; i >= 0; i--) {
            ConnectionState connection = router.live(i);
            try {
                loop.lifecycle.finalizeConnection(connection);
            } catch (RuntimeException e) {
                settings.errorHandler().onError(connection.handle, "freeing at engine close", e);
            }
        }
        boolean readersGone = loop.collector.releaseAll(deadline);
        loop.sockets.closeAll();
        try {
            loop.configs.freeAll();
        } catch (RuntimeException e) {
            settings.errorHandler().onError(null, "freeing quiche configs", e);
        }
        try {
            engine.idler.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the selector", e);
        }
        return readersGone;
    }

    /** No thread can reach the arena any more: free it, and say so in the counters. */
    private void freeArena() {
        try {
            engine.arena.close();
        } catch (RuntimeException e) {
            settings.errorHandler().onError(null, "freeing the engine's native buffers failed: they are leaked", e);
            return;
        }
        NativeResources resources = loop.resources;
        resources.readRingsAllocated.reset();
        resources.readRingsInUse.reset();
        resources.pendingChunksAllocated.reset();
        resources.pendingChunksInUse.reset();
        resources.slotBytes.reset();
    }
}
