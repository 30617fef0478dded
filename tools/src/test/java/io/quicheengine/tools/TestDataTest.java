package io.quicheengine.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TestDataTest {

    /** The bytes of stream {@code salt} at {@code [position, position + length)}. */
    private static byte[] stream(long salt, long position, int length) {
        byte[] out = new byte[length];
        for (int done = 0; done < length; ) {
            int n = Math.min(TestData.MAX_SLICE, length - done);
            System.arraycopy(TestData.table(), TestData.offsetOf(salt, position + done), out, done, n);
            done += n;
        }
        return out;
    }

    @Test
    void theRightBytesAtTheRightOffsetPass() {
        byte[] bytes = stream(TestData.salt(3), 1_000_003, 200_000);
        assertThat(TestData.mismatch(bytes, 0, bytes.length, TestData.salt(3), 1_000_003)).isEqualTo(-1);
    }

    /**
     * A slice may start anywhere in the period and run {@link TestData#MAX_SLICE} bytes: the sender
     * and the checker cut the stream at different places, so every byte of the table must be the
     * stream's byte at that offset, up to the very end.
     */
    @Test
    void everyByteOfTheTableRepeatsThePeriod() {
        byte[] table = TestData.table();
        int firstWrong = -1;
        for (int i = 0; i < table.length && firstWrong < 0; i++) {
            if (table[i] != table[i % TestData.PERIOD]) {
                firstWrong = i;
            }
        }
        assertThat(firstWrong).isEqualTo(-1);
        byte[] sentFromTheLastOffset = stream(0, TestData.PERIOD - 1, TestData.MAX_SLICE);
        assertThat(TestData.mismatch(sentFromTheLastOffset, 0, 1000, 0, TestData.PERIOD - 1)).isEqualTo(-1);
        assertThat(TestData.mismatch(sentFromTheLastOffset, 1000, TestData.MAX_SLICE - 1000, 0, TestData.PERIOD - 1 + 1000)).isEqualTo(-1);
    }

    @Test
    void aChangedByteIsFoundWhereItIs() {
        byte[] bytes = stream(0, 0, 100_000);
        bytes[77_777] ^= 1;
        assertThat(TestData.mismatch(bytes, 0, bytes.length, 0, 0)).isEqualTo(77_777);
    }

    @Test
    void chunksAtTheWrongOffsetOrFromAnotherStreamFail() {
        long salt = TestData.salt(0);
        for (int shift : new int[] {1, 4096, 16 * 1024, 64 * 1024, 1 << 20}) {
            byte[] displaced = stream(salt, shift, 4096);
            assertThat(TestData.mismatch(displaced, 0, displaced.length, salt, 0)).as("shift %d", shift).isGreaterThanOrEqualTo(0);
        }
        byte[] otherStream = stream(TestData.salt(1), 0, 4096);
        assertThat(TestData.mismatch(otherStream, 0, otherStream.length, salt, 0)).isGreaterThanOrEqualTo(0);
        assertThat(Arrays.equals(stream(salt, 0, 16), stream(salt, TestData.PERIOD, 16))).as("the period is the only repeat").isTrue();
    }
}
