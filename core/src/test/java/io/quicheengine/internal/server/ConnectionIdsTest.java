package io.quicheengine.internal.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Routing ids out of received datagrams: well-formed long and short headers, and every malformed
 * shape (truncated, id lengths out of range, garbage) answered with -1 rather than a read past the datagram.
 */
class ConnectionIdsTest {
    /** Datagrams are placed at this offset in a larger buffer, as the endpoint's batch buffers do. */
    private static final long AT = 37;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buffer = arena.allocate(4096);

    @AfterEach
    void freeBuffer() {
        arena.close();
    }

    /** Places {@code datagram} at {@link #AT}; returns its length. */
    private int put(byte[] datagram) {
        buffer.fill((byte) 0x5A);
        MemorySegment.copy(datagram, 0, buffer, ValueLayout.JAVA_BYTE, AT, datagram.length);
        return datagram.length;
    }

    /** A long-header datagram: first byte, version, dcid length and dcid, then {@code rest} bytes of body. */
    private static byte[] longHeader(int dcidLength, byte[] dcid, int rest) {
        byte[] d = new byte[6 + dcid.length + rest];
        d[0] = (byte) 0xC3;
        d[1] = 0; d[2] = 0; d[3] = 0; d[4] = 1;
        d[5] = (byte) dcidLength;
        System.arraycopy(dcid, 0, d, 6, dcid.length);
        return d;
    }

    private static byte[] shortHeader(int length) {
        byte[] d = new byte[length];
        new SplittableRandom(length).nextBytes(d);
        d[0] = 0x43;
        return d;
    }

    private static byte[] id(int length) {
        byte[] id = new byte[length];
        for (int i = 0; i < length; i++) {
            id[i] = (byte) (0xA0 + i);
        }
        return id;
    }

    @Test
    void longHeaderIdStartsAfterTheLengthByteAndHasThatLength() {
        int length = put(longHeader(16, id(16), 1200));
        assertThat(ConnectionIds.isLongHeader(buffer, AT)).isTrue();
        assertThat(ConnectionIds.destinationOffset(buffer, AT, length)).isEqualTo(AT + 6);
        assertThat(ConnectionIds.destinationLength(buffer, AT)).isEqualTo(16);
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 9, 16, 20})
    void longHeaderAcceptsEveryIdLengthFromARoutingKeyToTwentyBytes(int idLength) {
        int length = put(longHeader(idLength, id(idLength), 0));
        assertThat(ConnectionIds.destinationOffset(buffer, AT, length)).isEqualTo(AT + 6);
        assertThat(ConnectionIds.destinationLength(buffer, AT)).isEqualTo(idLength);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 21, 255})
    void longHeaderWithAnIdShorterThanAKeyOrLongerThanTwentyBytesIsRefused(int idLength) {
        int length = put(longHeader(idLength, id(Math.min(idLength, 40)), 300));
        assertThat(ConnectionIds.destinationOffset(buffer, AT, length)).isEqualTo(-1);
    }

    @Test
    void longHeaderTruncatedInsideItsIdIsRefused() {
        byte[] whole = longHeader(16, id(16), 0);
        for (int cut = 0; cut < whole.length; cut++) {
            put(whole);
            // A segment that ends with the datagram: a read past its end would throw instead of passing by luck.
            assertThat(ConnectionIds.destinationOffset(buffer.asSlice(AT, cut), 0, cut)).as("first %d bytes", cut).isEqualTo(-1);
        }
        assertThat(ConnectionIds.destinationOffset(buffer, AT, whole.length)).isEqualTo(AT + 6);
    }

    @Test
    void shortHeaderIdIsOurSixteenBytesAfterTheFirstByte() {
        int length = put(shortHeader(100));
        assertThat(ConnectionIds.isLongHeader(buffer, AT)).isFalse();
        assertThat(ConnectionIds.destinationOffset(buffer, AT, length)).isEqualTo(AT + 1);
        assertThat(ConnectionIds.destinationLength(buffer, AT)).isEqualTo(ConnectionIds.LOCAL_LENGTH);
    }

    @Test
    void shortHeaderTooShortToHoldOurIdIsRefused() {
        put(shortHeader(17));
        for (int length = 0; length <= 16; length++) {
            assertThat(ConnectionIds.destinationOffset(buffer.asSlice(AT, length), 0, length)).as("%d bytes", length).isEqualTo(-1);
        }
        assertThat(ConnectionIds.destinationOffset(buffer, AT, 17)).isEqualTo(AT + 1);
    }

    @Test
    void emptyAndNegativeLengthsAreRefused() {
        put(longHeader(16, id(16), 10));
        assertThat(ConnectionIds.destinationOffset(buffer, AT, 0)).isEqualTo(-1);
        assertThat(ConnectionIds.destinationOffset(buffer, AT, -5)).isEqualTo(-1);
    }

    @Test
    void garbageNeverYieldsAnIdOutsideTheDatagram() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 100_000; i++) {
            byte[] junk = new byte[random.nextInt(0, 64)];
            random.nextBytes(junk);
            int length = put(junk);
            long offset = ConnectionIds.destinationOffset(buffer.asSlice(0, AT + length), AT, length);
            if (offset == -1) {
                continue;
            }
            int idLength = ConnectionIds.destinationLength(buffer, AT);
            assertThat(idLength).as(() -> "id length of " + ConnectionIds.hex(buffer.asSlice(AT), length)).isBetween(8, 20);
            assertThat(offset).isGreaterThan(AT);
            assertThat(offset + idLength).as(() -> "end of id in " + ConnectionIds.hex(buffer.asSlice(AT), length))
                    .isLessThanOrEqualTo(AT + length);
        }
    }

    @Test
    void routingKeyIsTheIdsFirstEightBytesWhereverTheIdLies() {
        byte[] dcid = id(16);
        int length = put(longHeader(16, dcid, 0));
        long offset = ConnectionIds.destinationOffset(buffer, AT, length);
        assertThat(ConnectionIds.key(buffer, offset)).isEqualTo(ConnectionIds.key(dcid));
        byte[] sameStart = dcid.clone();
        sameStart[15] ^= 1;
        assertThat(ConnectionIds.key(sameStart)).as("only the first 8 bytes count").isEqualTo(ConnectionIds.key(dcid));
        byte[] otherStart = dcid.clone();
        otherStart[7] ^= 1;
        assertThat(ConnectionIds.key(otherStart)).isNotEqualTo(ConnectionIds.key(dcid));
    }

    @Test
    void freshIdsAreSixteenBytesAndDistinct() {
        ConnectionIds ids = new ConnectionIds();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            byte[] id = ids.next();
            assertThat(id).hasSize(ConnectionIds.LOCAL_LENGTH);
            assertThat(seen.add(ConnectionIds.hex(MemorySegment.ofArray(id), id.length))).isTrue();
        }
    }

    @Test
    void hexWritesTwoLowercaseDigitsPerByte() {
        assertThat(ConnectionIds.hex(MemorySegment.ofArray(new byte[] {0x00, 0x0f, (byte) 0xab, 0x7f}), 4)).isEqualTo("000fab7f");
    }
}
