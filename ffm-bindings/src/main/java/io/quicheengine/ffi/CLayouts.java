package io.quicheengine.ffi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/** Layouts shared by the struct classes: {@code sockaddr_storage} and {@code timespec} (64-bit platforms). */
final class CLayouts {
    /** {@code struct sockaddr_storage}: 128 bytes, 8-byte aligned. */
    static final MemoryLayout SOCKADDR_STORAGE = MemoryLayout.sequenceLayout(128, ValueLayout.JAVA_BYTE).withByteAlignment(8);
    /** {@code struct timespec}: tv_sec, tv_nsec. */
    static final StructLayout TIMESPEC = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("tv_sec"),
            ValueLayout.JAVA_LONG.withName("tv_nsec"));

    private CLayouts() {
    }

    static long offset(StructLayout layout, String field) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }
}
