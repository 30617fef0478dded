package io.quicheengine.interop;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The bytes every interop transfer carries, shared with the peers (quic-go/main.go, quinn/src/main.rs):
 * byte i of a stream is {@code i ^ i>>8 ^ i>>16 ^ i>>24}, so a byte at the wrong offset shows.
 * Test-only; any thread.
 */
final class Pattern {
    private Pattern() {
    }

    static byte at(long i) {
        return (byte) (i ^ (i >>> 8) ^ (i >>> 16) ^ (i >>> 24));
    }

    static void fill(long offset, byte[] destination, int from, int length) {
        for (int k = 0; k < length; k++) {
            destination[from + k] = at(offset + k);
        }
    }

    /** The sink's answer for {@code size} pattern bytes: the count (8 bytes, big-endian), then their SHA-256. */
    static byte[] sinkAnswer(long size) {
        MessageDigest sha = sha256();
        byte[] chunk = new byte[64 * 1024];
        for (long offset = 0; offset < size; ) {
            int n = (int) Math.min(chunk.length, size - offset);
            fill(offset, chunk, 0, n);
            sha.update(chunk, 0, n);
            offset += n;
        }
        byte[] answer = new byte[40];
        for (int k = 0; k < 8; k++) {
            answer[k] = (byte) (size >>> (56 - 8 * k));
        }
        System.arraycopy(sha.digest(), 0, answer, 8, 32);
        return answer;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("no SHA-256 in this JDK", e);
        }
    }
}
