package io.quicheengine.internal.server;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless-retry tokens: authenticated (HMAC-SHA256 under a random per-server key) over the
 * client's address and port, the original destination connection id and an expiry time, so a
 * token proves the client received our Retry at that address, recently. Loop thread only (one
 * {@link Mac} instance, reused).
 *
 * <p>Layout: expiry millis (8) | odcid length (1) | odcid | MAC truncated to 16 bytes.
 *
 * <p>Internal to the engine (not exported by its module): used by each server's acceptor, on the
 * loop thread.
 */
public final class RetryTokens {
    static final int MAC_LENGTH = 16;
    public static final int MAX_LENGTH = 8 + 1 + 20 + MAC_LENGTH;

    private final Mac mac;
    private final long lifetimeMillis;

    public RetryTokens(Duration lifetime) {
        this.lifetimeMillis = lifetime.toMillis();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        try {
            this.mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JDK", e);
        }
    }

    /** A token for {@code client} that carries {@code originalDcid}. */
    public byte[] mint(InetSocketAddress client, byte[] originalDcid, long nowMillis) {
        if (originalDcid.length > 20) {
            throw new IllegalArgumentException("connection id longer than 20 bytes: " + originalDcid.length);
        }
        ByteBuffer token = ByteBuffer.allocate(8 + 1 + originalDcid.length + MAC_LENGTH);
        token.putLong(nowMillis + lifetimeMillis).put((byte) originalDcid.length).put(originalDcid);
        token.put(sign(token.array(), token.position(), client), 0, MAC_LENGTH);
        return token.array();
    }

    /**
     * The original destination connection id carried by a valid, unexpired token from
     * {@code client}; null when the token is forged, altered, expired or from another address.
     */
    public byte[] validate(byte[] token, InetSocketAddress client, long nowMillis) {
        if (token.length < 8 + 1 + MAC_LENGTH || token.length > MAX_LENGTH) {
            return null;
        }
        int idLength = token[8] & 0xFF;
        if (idLength > 20 || token.length != 8 + 1 + idLength + MAC_LENGTH) {
            return null;
        }
        int signedLength = 9 + idLength;
        byte[] expected = sign(token, signedLength, client);
        if (!MessageDigest.isEqual(Arrays.copyOf(expected, MAC_LENGTH), Arrays.copyOfRange(token, signedLength, token.length))) {
            return null;
        }
        long expiry = ByteBuffer.wrap(token).getLong(0);
        if (nowMillis > expiry) {
            return null;
        }
        return Arrays.copyOfRange(token, 9, signedLength);
    }

    private byte[] sign(byte[] data, int length, InetSocketAddress client) {
        mac.update(data, 0, length);
        mac.update(client.getAddress().getAddress());
        mac.update((byte) (client.getPort() >>> 8));
        mac.update((byte) client.getPort());
        return mac.doFinal();
    }
}
