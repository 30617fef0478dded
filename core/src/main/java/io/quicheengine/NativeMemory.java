package io.quicheengine;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import org.agrona.BufferUtil;

/**
 * Off-heap sources (direct ByteBuffers, Agrona buffers over native memory) read by absolute
 * address through one segment made once, so an offer from them allocates no MemorySegment. The
 * caller keeps the owning buffer reachable until the copy is done. Any thread.
 */
final class NativeMemory {
    /** The whole address space as one segment: an offset into it is an absolute address. */
    static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private NativeMemory() {
    }

    /** The absolute address of a direct buffer's position. */
    static long positionAddress(ByteBuffer direct) {
        return BufferUtil.address(direct) + direct.position();
    }
}
