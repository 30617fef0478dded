package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * A reader that stops reading holds the writer back, with every buffer inside its bound; reading
 * again resumes the transfer with nothing lost.
 */
class BackpressureTest {
    private static final long STREAM_BOUND = 256 * 1024;
    private static final long CONNECTION_BOUND = 512 * 1024;
    private static final int RING = 64 * 1024;
    private static final long STREAM_WINDOW = 128 * 1024;

    @Test
    void writerGetsZeroWhenReaderStopsAndResumesWithoutLoss() throws Exception {
        TransportSettings transport = TransportSettings.builder()
                .initialMaxStreamData(STREAM_WINDOW).maxStreamWindow(STREAM_WINDOW).initialMaxData(4 * STREAM_WINDOW)
                .maxConnectionWindow(4 * STREAM_WINDOW).build();
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BACKOFF, null, transport,
                b -> b.streamWriteBound(STREAM_BOUND).connectionWriteBound(CONNECTION_BOUND).readRingCapacity(RING))) {
            QuicConnection client = fixture.connect();
            QuicStream out = client.openBidirectionalStream();
            byte[] data = new byte[8 << 20];
            new SplittableRandom(3).nextBytes(data);

            // The server reads nothing yet. Offer until the engine refuses, for a while.
            int offset = 0;
            long refusedSince = -1;
            while (true) {
                int n = out.offer(data, offset, Math.min(16384, data.length - offset), false);
                offset += n;
                if (n > 0) {
                    refusedSince = -1;
                } else if (refusedSince < 0) {
                    refusedSince = System.nanoTime();
                } else if (System.nanoTime() - refusedSince > 300_000_000L) {
                    break;
                }
                assertThat(offset).as("the writer must be held back long before 8 MiB").isLessThan(data.length);
            }
            QuicConnection serverSide = Polling.await(fixture.server::accept, Duration.ofSeconds(5), "the server connection");
            QuicStream in = Polling.await(serverSide::acceptStream, Duration.ofSeconds(5), "the peer stream");

            StreamStats writer = out.stats();
            StreamStats reader = in.stats();
            assertThat(writer.bytesPendingWrite()).as("accepted but not taken by quiche").isLessThanOrEqualTo(STREAM_BOUND);
            assertThat(reader.bytesBufferedRead()).as("sitting in the server's read ring").isLessThanOrEqualTo(RING);
            assertThat(reader.bytesRead()).isZero();
            // Everything accepted is somewhere bounded: the writer's bound, quiche's windows and the reader's ring.
            assertThat((long) offset).isLessThanOrEqualTo(STREAM_BOUND + 2 * STREAM_WINDOW + RING);
            Polling.until(() -> fixture.clientEngine.stats().pendingWriteBytes() > 0, Duration.ofSeconds(2), "stats published");
            assertThat(fixture.clientEngine.stats().pendingWriteBytes()).isLessThanOrEqualTo(CONNECTION_BOUND);
            assertThat(fixture.serverEngine.stats().bufferedReadBytes()).isLessThanOrEqualTo(RING);

            // Read again: the rest flows, nothing lost.
            int sentBeforeResume = offset;
            Thread rest = Thread.ofPlatform().start(() -> out.write(data, sentBeforeResume, data.length - sentBeforeResume, true, Duration.ofSeconds(30)));
            CRC32 received = new CRC32();
            byte[] buffer = new byte[16384];
            long total = 0;
            while (true) {
                int n = in.read(buffer, 0, buffer.length, Duration.ofSeconds(30));
                if (n < 0) {
                    break;
                }
                received.update(buffer, 0, n);
                total += n;
            }
            rest.join();
            assertThat(total).isEqualTo(data.length);
            assertThat(received.getValue()).isEqualTo(ManyProducersTest.crc(data));
            assertThat(fixture.errors()).isEmpty();
        }
    }
}
