package io.quicheengine.perf.seed;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class StreamReadBufferTest {

    @Test
    void bytesComeOutInOrderAcrossCompactionAndGrowthAndFinOnlyAfterTheLastByte() {
        StreamReadBuffer buffer = new StreamReadBuffer();
        int total = 300_000;
        byte[] out = new byte[total];
        int written = 0;
        int read = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment chunk = arena.allocate(50_000);
            // Append faster than reading (forces growth), read in odd sizes (forces compaction).
            while (written < total) {
                int n = Math.min(50_000, total - written);
                for (int i = 0; i < n; i++) {
                    chunk.set(ValueLayout.JAVA_BYTE, i, (byte) ((written + i) * 31));
                }
                written += n;
                buffer.append(chunk, n, written == total);
                int got = buffer.read(out, read, Math.min(7_777, total - read));
                assertThat(got).isPositive();
                read += got;
            }
        }
        int got;
        while ((got = buffer.read(out, read, Math.min(7_777, Math.max(1, total - read)))) > 0) {
            read += got;
        }

        assertThat(got).as("end of stream after everything was read").isEqualTo(-1);
        assertThat(read).isEqualTo(total);
        byte[] expected = new byte[total];
        for (int i = 0; i < total; i++) {
            expected[i] = (byte) (i * 31);
        }
        assertThat(out).isEqualTo(expected);
    }

    @Test
    void emptyBufferWithoutFinReadsZero() {
        assertThat(new StreamReadBuffer().read(new byte[8], 0, 8)).isZero();
    }
}
