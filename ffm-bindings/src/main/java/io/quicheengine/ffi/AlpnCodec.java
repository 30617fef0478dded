package io.quicheengine.ffi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * ALPN protocol lists in TLS wire format: each name prefixed by its one-byte length.
 *
 * <p>Stateless; any thread.
 */
public final class AlpnCodec {
    private AlpnCodec() {
    }

    /** Encodes names of 1 to 255 printable US-ASCII bytes each. */
    public static byte[] encode(List<String> protocols) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String protocol : protocols) {
            if (protocol == null || protocol.isEmpty() || protocol.length() > 255) {
                throw new IllegalArgumentException("ALPN protocol must be 1 to 255 characters, was "
                        + (protocol == null ? "null" : "'" + protocol + "' (" + protocol.length() + ")"));
            }
            for (int i = 0; i < protocol.length(); i++) {
                char c = protocol.charAt(i);
                if (c < 0x21 || c > 0x7E) {
                    throw new IllegalArgumentException("ALPN protocol '" + protocol + "' has a non-printable or non-ASCII character at index " + i);
                }
            }
            out.write(protocol.length());
            out.writeBytes(protocol.getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    /** Decodes a wire-format list. */
    public static List<String> decode(byte[] wire) {
        List<String> protocols = new ArrayList<>();
        int i = 0;
        while (i < wire.length) {
            int length = wire[i] & 0xFF;
            if (length == 0 || i + 1 + length > wire.length) {
                throw new IllegalArgumentException("malformed ALPN list at byte " + i);
            }
            protocols.add(new String(wire, i + 1, length, StandardCharsets.US_ASCII));
            i += 1 + length;
        }
        return protocols;
    }
}
