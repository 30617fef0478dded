package io.quicheengine.perf.engine;

import io.quicheengine.QuicListener;
import io.quicheengine.QuicStream;
import java.util.concurrent.locks.LockSupport;

/**
 * A client connection's listener that wakes the one application thread driving it whenever the
 * engine says a stream can make progress, so {@link AppIdler}'s BLOCKING park ends at once (a
 * wake-up that comes before the park is kept by {@link LockSupport} and not lost). Called on the
 * loop thread; never blocks.
 */
final class UnparkListener implements QuicListener {
    private final Thread application;

    UnparkListener(Thread application) {
        this.application = application;
    }

    @Override
    public void onStreamWritable(QuicStream stream) {
        LockSupport.unpark(application);
    }

    @Override
    public void onStreamReadable(QuicStream stream) {
        LockSupport.unpark(application);
    }
}
