package io.quicheengine.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Stateless-retry tokens: a genuine token validates once minted, and every forgery or misuse returns null. */
class RetryTokensTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final Duration LIFETIME = Duration.ofSeconds(10);

    private final RetryTokens tokens = new RetryTokens(LIFETIME);
    private final InetSocketAddress client = address("127.0.0.1", 50_000);
    private final byte[] odcid = odcid(16, 1);

    private static InetSocketAddress address(String host, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] odcid(int length, int seed) {
        byte[] id = new byte[length];
        new SplittableRandom(seed).nextBytes(id);
        return id;
    }

    @Test
    void aGenuineTokenGivesBackTheOriginalDestinationId() {
        byte[] token = tokens.mint(client, odcid, NOW);
        assertThat(token).hasSize(8 + 1 + 16 + RetryTokens.MAC_LENGTH);
        assertThat(tokens.validate(token, client, NOW)).isEqualTo(odcid);
        assertThat(tokens.validate(token, client, NOW + 1000)).as("validating twice").isEqualTo(odcid);
    }

    @Test
    void idsFromEmptyToTwentyBytesRoundTrip() {
        for (int length = 0; length <= 20; length++) {
            byte[] id = odcid(length, length);
            assertThat(tokens.validate(tokens.mint(client, id, NOW), client, NOW)).as("%d-byte id", length).isEqualTo(id);
        }
    }

    @Test
    void anIdLongerThanTwentyBytesIsRefusedWhenMinting() {
        assertThatThrownBy(() -> tokens.mint(client, new byte[21], NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("21");
    }

    @Test
    void everySingleFlippedBitIsDetected() {
        byte[] token = tokens.mint(client, odcid, NOW);
        for (int bit = 0; bit < token.length * 8; bit++) {
            byte[] forged = token.clone();
            forged[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(tokens.validate(forged, client, NOW)).as("bit %d flipped", bit).isNull();
        }
    }

    @Test
    void truncatedOrExtendedTokensAreRefused() {
        byte[] token = tokens.mint(client, odcid, NOW);
        for (int length = 0; length < token.length; length++) {
            assertThat(tokens.validate(Arrays.copyOf(token, length), client, NOW)).as("first %d bytes", length).isNull();
        }
        assertThat(tokens.validate(Arrays.copyOf(token, token.length + 1), client, NOW)).as("one byte appended").isNull();
        assertThat(tokens.validate(new byte[RetryTokens.MAX_LENGTH + 100], client, NOW)).as("oversized").isNull();
    }

    @Test
    void aTokenIsBoundToTheClientsAddressAndPort() {
        byte[] token = tokens.mint(client, odcid, NOW);
        assertThat(tokens.validate(token, address("127.0.0.2", 50_000), NOW)).as("other address").isNull();
        assertThat(tokens.validate(token, address("127.0.0.1", 50_001), NOW)).as("other port").isNull();
        assertThat(tokens.validate(token, address("127.0.0.1", 50_000 + 256), NOW)).as("port differing in its high byte").isNull();
        assertThat(tokens.validate(token, address("::1", 50_000), NOW)).as("IPv6 loopback").isNull();
        InetSocketAddress v6 = address("::1", 443);
        assertThat(tokens.validate(tokens.mint(v6, odcid, NOW), v6, NOW)).as("an IPv6 client's own token").isEqualTo(odcid);
    }

    @Test
    void aTokenExpiresAfterItsLifetime() {
        byte[] token = tokens.mint(client, odcid, NOW);
        long expiry = NOW + LIFETIME.toMillis();
        assertThat(tokens.validate(token, client, expiry)).as("at the expiry instant").isEqualTo(odcid);
        assertThat(tokens.validate(token, client, expiry + 1)).as("one millisecond later").isNull();
        assertThat(tokens.validate(token, client, NOW + Duration.ofDays(1).toMillis())).isNull();
    }

    @Test
    void aTokenWithItsExpiryPushedOutIsRefused() {
        byte[] token = tokens.mint(client, odcid, NOW);
        byte[] extended = token.clone();
        java.nio.ByteBuffer.wrap(extended).putLong(0, Long.MAX_VALUE);
        assertThat(tokens.validate(extended, client, NOW + Duration.ofDays(1).toMillis())).isNull();
    }

    @Test
    void aTokenWithItsIdLengthChangedIsRefused() {
        byte[] token = tokens.mint(client, odcid, NOW);
        for (int length : new int[] {0, 15, 17, 20, 21, 255}) {
            byte[] forged = token.clone();
            forged[8] = (byte) length;
            assertThat(tokens.validate(forged, client, NOW)).as("id length byte %d", length).isNull();
        }
    }

    @Test
    void anIdLengthClaimingMoreBytesThanTheTokenHoldsIsRefusedNotThrown() {
        byte[] token = tokens.mint(client, new byte[0], NOW);
        token[8] = 20;
        assertThat(tokens.validate(token, client, NOW)).isNull();
    }

    @Test
    void aTokenFromAnotherServerKeyIsRefused() {
        RetryTokens otherServer = new RetryTokens(LIFETIME);
        assertThat(tokens.validate(otherServer.mint(client, odcid, NOW), client, NOW)).isNull();
        assertThat(otherServer.validate(tokens.mint(client, odcid, NOW), client, NOW)).isNull();
    }

    @Test
    void randomBytesNeverValidate() {
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 20_000; i++) {
            byte[] junk = new byte[random.nextInt(0, RetryTokens.MAX_LENGTH + 8)];
            random.nextBytes(junk);
            if (junk.length > 8) {
                // A consistent id length, so the junk reaches the MAC check rather than failing on its shape.
                junk[8] = (byte) Math.max(0, junk.length - 9 - RetryTokens.MAC_LENGTH);
            }
            assertThat(tokens.validate(junk, client, NOW)).isNull();
        }
    }
}
