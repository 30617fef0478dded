package io.quicheengine.perf.seed;

/**
 * The seed's write command: a stream id, its own copy of the bytes (allocated per write, as the
 * seed does) and the fin flag. Created by an application thread, then owned by the loop thread,
 * which advances {@link #sent} as quiche takes bytes.
 */
final class WriteCommand {
    final long streamId;
    final byte[] data;
    final boolean fin;
    /** Loop thread only: how many bytes of {@link #data} quiche has taken. */
    int sent;

    WriteCommand(long streamId, byte[] data, boolean fin) {
        this.streamId = streamId;
        this.data = data;
        this.fin = fin;
    }
}
