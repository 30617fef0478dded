package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** Several application threads share the one command ring: nothing is lost or reordered within a stream. */
class ManyProducersTest {
    private static final int THREADS = 4;

    @Test
    void fourThreadsWritingSixtyFourStreamsOfOneConnectionAreByteExact() throws Exception {
        int streamsCount = 64;
        int bytesPerStream = 256 * 1024;
        TransportSettings transport = TransportSettings.builder().initialMaxStreamsBidi(128).build();
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, new EchoListener(), transport, b -> { })) {
            QuicConnection connection = fixture.connect();
            List<QuicStream> streams = new ArrayList<>();
            for (int i = 0; i < streamsCount; i++) {
                streams.add(connection.openBidirectionalStream());
            }
            byte[][] data = new byte[streamsCount][bytesPerStream];
            for (int i = 0; i < streamsCount; i++) {
                new SplittableRandom(i).nextBytes(data[i]);
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int owner = t;
                writers.add(Thread.ofPlatform().start(() -> {
                    await(start);
                    // Each thread interleaves small writes across its 16 streams, so the ring carries all 64 at once.
                    int[] offsets = new int[streamsCount];
                    boolean progress = true;
                    while (progress) {
                        progress = false;
                        for (int s = owner; s < streamsCount; s += THREADS) {
                            int remaining = bytesPerStream - offsets[s];
                            if (remaining == 0) {
                                continue;
                            }
                            int n = Math.min(remaining, 1000 + s);
                            streams.get(s).write(data[s], offsets[s], n, n == remaining, Duration.ofSeconds(30));
                            offsets[s] += n;
                            progress = true;
                        }
                    }
                }));
            }
            List<Thread> readers = new ArrayList<>();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int s = 0; s < streamsCount; s++) {
                QuicStream stream = streams.get(s);
                byte[] expected = data[s];
                readers.add(Thread.ofVirtual().start(() -> {
                    try {
                        assertThat(readAll(stream)).as("stream %d", stream.id()).isEqualTo(crc(expected));
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            start.countDown();
            for (Thread writer : writers) {
                writer.join();
            }
            for (Thread reader : readers) {
                reader.join();
            }
            assertThat(failures).isEmpty();
            assertThat(fixture.errors()).isEmpty();
        }
    }

    @Test
    void messagesOfManyThreadsOnOneStreamStayWholeAndInOrderPerThread() throws Exception {
        int messagesPerThread = 20_000;
        int messageSize = 64;
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.YIELDING, new EchoListener())) {
            QuicConnection connection = fixture.connect();
            QuicStream stream = connection.openBidirectionalStream();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int threadId = t;
                writers.add(Thread.ofPlatform().start(() -> {
                    await(start);
                    byte[] message = new byte[messageSize];
                    ByteBuffer view = ByteBuffer.wrap(message);
                    for (int seq = 0; seq < messagesPerThread; seq++) {
                        view.putInt(0, threadId).putInt(4, seq).putLong(8, threadId * 1_000_003L + seq);
                        while (!stream.offerMessage(message, 0, messageSize, false)) {
                            Thread.onSpinWait();
                        }
                    }
                }));
            }
            start.countDown();
            Thread closer = Thread.ofPlatform().start(() -> {
                for (Thread writer : writers) {
                    try {
                        writer.join();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                stream.finish(Duration.ofSeconds(10));
            });
            int[] next = new int[THREADS];
            byte[] message = new byte[messageSize];
            ByteBuffer view = ByteBuffer.wrap(message);
            int filled = 0;
            byte[] buffer = new byte[8192];
            long total = 0;
            while (true) {
                int n = stream.read(buffer, 0, buffer.length, Duration.ofSeconds(30));
                if (n < 0) {
                    break;
                }
                total += n;
                for (int i = 0; i < n; i++) {
                    message[filled++] = buffer[i];
                    if (filled == messageSize) {
                        filled = 0;
                        int threadId = view.getInt(0);
                        int seq = view.getInt(4);
                        assertThat(threadId).isBetween(0, THREADS - 1);
                        assertThat(seq).as("thread %d's next message", threadId).isEqualTo(next[threadId]);
                        assertThat(view.getLong(8)).isEqualTo(threadId * 1_000_003L + seq);
                        next[threadId]++;
                    }
                }
            }
            closer.join();
            assertThat(total).isEqualTo((long) THREADS * messagesPerThread * messageSize);
            assertThat(next).containsOnly(messagesPerThread);
            assertThat(fixture.errors()).isEmpty();
        }
    }

    static long readAll(QuicStream stream) {
        CRC32 crc = new CRC32();
        byte[] buffer = new byte[32 * 1024];
        while (true) {
            int n = stream.read(buffer, 0, buffer.length, Duration.ofSeconds(30));
            if (n < 0) {
                return crc.getValue();
            }
            crc.update(buffer, 0, n);
        }
    }

    static long crc(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return crc.getValue();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
