package io.quicheengine.ffi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Encodes and decodes {@code sockaddr_in} / {@code sockaddr_in6} for quiche. quiche accepts only
 * these two lengths ({@value #IPV4_LENGTH} and {@value #IPV6_LENGTH} bytes; anything else aborts
 * the process from Rust), with port and address in network byte order.
 *
 * <p>Layouts: Linux and Windows start with a 16-bit family in host order; macOS (BSD) starts with
 * a one-byte length and a one-byte family. {@link #NATIVE} is the running platform's codec.
 * Instances are immutable; any thread.
 */
public final class SockAddr {

    /** {@code sizeof(struct sockaddr_in)}. */
    public static final int IPV4_LENGTH = 16;
    /** {@code sizeof(struct sockaddr_in6)}. */
    public static final int IPV6_LENGTH = 28;
    /** {@code sizeof(struct sockaddr_storage)}: room for either. */
    public static final int STORAGE_LENGTH = 128;

    /** Linux: 16-bit family, AF_INET6 = 10. */
    public static final SockAddr LINUX = new SockAddr(false, 10);
    /** macOS: sin_len byte, family byte, AF_INET6 = 30. */
    public static final SockAddr DARWIN = new SockAddr(true, 30);
    /** Windows: 16-bit family, AF_INET6 = 23. */
    public static final SockAddr WINDOWS = new SockAddr(false, 23);
    /** The codec of the running platform. */
    public static final SockAddr NATIVE = forPlatform(Platform.current());

    private static final int AF_INET = 2;
    private static final ValueLayout.OfShort NET_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt NET_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final boolean bsd;
    private final int afInet6;

    private SockAddr(boolean bsd, int afInet6) {
        this.bsd = bsd;
        this.afInet6 = afInet6;
    }

    /** The codec for {@code platform}. */
    public static SockAddr forPlatform(Platform platform) {
        return switch (platform.os()) {
            case "darwin" -> DARWIN;
            case "win32" -> WINDOWS;
            default -> LINUX;
        };
    }

    /**
     * Writes {@code address} into {@code dst} (at least {@value #IPV6_LENGTH} bytes for IPv6) and
     * returns the length to pass to quiche.
     *
     * @throws IllegalArgumentException when the address is unresolved or {@code dst} is too small
     */
    public int write(InetSocketAddress address, MemorySegment dst) {
        Objects.requireNonNull(address, "address");
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("address " + address + " is unresolved: resolve the host name first");
        }
        return write(ip, address.getPort(), dst);
    }

    /** As {@link #write(InetSocketAddress, MemorySegment)}, from an address and a port. */
    public int write(InetAddress ip, int port, MemorySegment dst) {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        byte[] bytes = ip.getAddress();
        int length = ip instanceof Inet4Address ? IPV4_LENGTH : IPV6_LENGTH;
        if (dst.byteSize() < length) {
            throw new IllegalArgumentException("sockaddr buffer of " + dst.byteSize() + " bytes is too small for " + length);
        }
        dst.asSlice(0, length).fill((byte) 0);
        writeFamily(dst, length, length == IPV4_LENGTH ? AF_INET : afInet6);
        dst.set(NET_SHORT, 2, (short) port);
        if (length == IPV4_LENGTH) {
            MemorySegment.copy(bytes, 0, dst, ValueLayout.JAVA_BYTE, 4, 4);
        } else {
            MemorySegment.copy(bytes, 0, dst, ValueLayout.JAVA_BYTE, 8, 16);
            dst.set(ValueLayout.JAVA_INT_UNALIGNED, 24, ((Inet6Address) ip).getScopeId());
        }
        return length;
    }

    /**
     * Reads a sockaddr of {@code length} bytes.
     *
     * @throws IllegalArgumentException when the family or length is not IPv4/IPv6
     */
    public InetSocketAddress read(MemorySegment src, int length) {
        int family = family(src);
        int port = Short.toUnsignedInt(src.get(NET_SHORT, 2));
        try {
            if (family == AF_INET && length >= IPV4_LENGTH) {
                byte[] bytes = new byte[4];
                MemorySegment.copy(src, ValueLayout.JAVA_BYTE, 4, bytes, 0, 4);
                return new InetSocketAddress(InetAddress.getByAddress(bytes), port);
            }
            if (family == afInet6 && length >= IPV6_LENGTH) {
                byte[] bytes = new byte[16];
                MemorySegment.copy(src, ValueLayout.JAVA_BYTE, 8, bytes, 0, 16);
                int scope = src.get(ValueLayout.JAVA_INT_UNALIGNED, 24);
                return new InetSocketAddress(Inet6Address.getByAddress(null, bytes, scope), port);
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("malformed sockaddr", e);
        }
        throw new IllegalArgumentException("not an IPv4/IPv6 sockaddr: family " + family + ", length " + length);
    }

    /** The port of an encoded sockaddr. */
    public int port(MemorySegment src) {
        return Short.toUnsignedInt(src.get(NET_SHORT, 2));
    }

    /** The IPv4 address of an encoded {@code sockaddr_in} as a network-order int (no allocation). */
    public int ipv4(MemorySegment src) {
        return src.get(NET_INT, 4);
    }

    /** True when the two encoded sockaddrs are byte-for-byte the same (no allocation). */
    public static boolean same(MemorySegment a, int aLength, MemorySegment b, int bLength) {
        return aLength == bLength && MemorySegment.mismatch(a, 0, aLength, b, 0, bLength) == -1;
    }

    private void writeFamily(MemorySegment dst, int length, int family) {
        if (bsd) {
            dst.set(ValueLayout.JAVA_BYTE, 0, (byte) length);
            dst.set(ValueLayout.JAVA_BYTE, 1, (byte) family);
        } else {
            dst.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) family);
        }
    }

    private int family(MemorySegment src) {
        return bsd ? Byte.toUnsignedInt(src.get(ValueLayout.JAVA_BYTE, 1)) : Short.toUnsignedInt(src.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0));
    }
}
