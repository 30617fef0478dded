package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Every kind of source and destination buffer carries the same bytes. */
class BufferKindsTest {

    @Test
    void heapDirectAndAgronaBuffersAllWriteAndReadTheSameBytes() throws Exception {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, new EchoListener())) {
            QuicStream stream = fixture.connect().openBidirectionalStream();
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            byte[] a = bytes(1000, 1);
            assertThat(stream.offer(ByteBuffer.wrap(a), false)).isEqualTo(1000);
            expected.writeBytes(a);
            ByteBuffer direct = ByteBuffer.allocateDirect(3000);
            direct.put(bytes(3000, 2)).flip().position(500);
            assertThat(stream.offer(direct, false)).isEqualTo(2500);
            assertThat(direct.hasRemaining()).isFalse();
            expected.writeBytes(java.util.Arrays.copyOfRange(bytes(3000, 2), 500, 3000));
            UnsafeBuffer heapAgrona = new UnsafeBuffer(bytes(700, 3));
            assertThat(stream.offer(heapAgrona, 100, 600, false)).isEqualTo(600);
            expected.writeBytes(java.util.Arrays.copyOfRange(bytes(700, 3), 100, 700));
            UnsafeBuffer directAgrona = new UnsafeBuffer(ByteBuffer.allocateDirect(900));
            directAgrona.putBytes(0, bytes(900, 4));
            assertThat(stream.offer(directAgrona, 50, 800, false)).isEqualTo(800);
            expected.writeBytes(java.util.Arrays.copyOfRange(bytes(900, 4), 50, 850));
            assertThat(stream.offerMessage(bytes(64, 5), 0, 64, true)).isTrue();
            expected.writeBytes(bytes(64, 5));

            ByteArrayOutputStream received = new ByteArrayOutputStream();
            ByteBuffer directIn = ByteBuffer.allocateDirect(333);
            long deadline = System.nanoTime() + 10_000_000_000L;
            boolean heap = false;
            while (System.nanoTime() < deadline) {
                int n;
                if (heap) {
                    ByteBuffer heapIn = ByteBuffer.allocate(777);
                    n = stream.read(heapIn);
                    received.write(heapIn.array(), 0, Math.max(n, 0));
                } else {
                    directIn.clear();
                    n = stream.read(directIn);
                    directIn.flip();
                    byte[] chunk = new byte[directIn.remaining()];
                    directIn.get(chunk);
                    received.writeBytes(chunk);
                }
                heap = !heap;
                if (n < 0) {
                    break;
                }
            }
            assertThat(received.toByteArray()).isEqualTo(expected.toByteArray());
            assertThat(stream.isReadFinished()).isTrue();
        }
    }

    private static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        new java.util.SplittableRandom(seed).nextBytes(b);
        return b;
    }
}
