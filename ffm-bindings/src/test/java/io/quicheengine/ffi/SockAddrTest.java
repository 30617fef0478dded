package io.quicheengine.ffi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class SockAddrTest {

    @Test
    void ipv4RoundTripsInNetworkByteOrder() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(SockAddr.STORAGE_LENGTH);
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByName("192.168.1.20"), 4433);
            assertThat(SockAddr.LINUX.write(address, buf)).isEqualTo(16);
            assertThat(buf.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0)).isEqualTo((short) 2); // AF_INET, host order
            assertThat(buf.get(ValueLayout.JAVA_BYTE, 2)).isEqualTo((byte) 0x11);          // 4433 = 0x1151, big-endian
            assertThat(buf.get(ValueLayout.JAVA_BYTE, 3)).isEqualTo((byte) 0x51);
            assertThat(buf.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE)).containsExactly(192, 168, 1, 20);
            assertThat(SockAddr.LINUX.read(buf, 16)).isEqualTo(address);
            assertThat(SockAddr.LINUX.port(buf)).isEqualTo(4433);
            assertThat(SockAddr.LINUX.ipv4(buf)).isEqualTo(0xC0A80114);
        }
    }

    @Test
    void ipv6RoundTripsWithScope() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(SockAddr.STORAGE_LENGTH);
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 65535);
            assertThat(SockAddr.LINUX.write(address, buf)).isEqualTo(28);
            assertThat(buf.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0)).isEqualTo((short) 10); // AF_INET6 on Linux
            assertThat(buf.get(ValueLayout.JAVA_BYTE, 8)).isEqualTo((byte) 0x20);
            assertThat(buf.get(ValueLayout.JAVA_BYTE, 23)).isEqualTo((byte) 0x01);
            assertThat(SockAddr.LINUX.read(buf, 28)).isEqualTo(address);
        }
    }

    @Test
    void darwinLayoutHasLengthThenFamilyBytes() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(SockAddr.STORAGE_LENGTH);
            InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 80);
            assertThat(SockAddr.DARWIN.write(v4, buf)).isEqualTo(16);
            assertThat(buf.get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 16);
            assertThat(buf.get(ValueLayout.JAVA_BYTE, 1)).isEqualTo((byte) 2);
            assertThat(SockAddr.DARWIN.read(buf, 16)).isEqualTo(v4);
            InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 443);
            assertThat(SockAddr.DARWIN.write(v6, buf)).isEqualTo(28);
            assertThat(buf.get(ValueLayout.JAVA_BYTE, 1)).isEqualTo((byte) 30);
            assertThat(SockAddr.DARWIN.read(buf, 28)).isEqualTo(v6);
        }
    }

    @Test
    void sameComparesBytes() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(SockAddr.STORAGE_LENGTH);
            MemorySegment b = arena.allocate(SockAddr.STORAGE_LENGTH);
            int la = SockAddr.NATIVE.write(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1000), a);
            int lb = SockAddr.NATIVE.write(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1000), b);
            assertThat(SockAddr.same(a, la, b, lb)).isTrue();
            SockAddr.NATIVE.write(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1001), b);
            assertThat(SockAddr.same(a, la, b, lb)).isFalse();
        }
    }

    @Test
    void badInputIsRefusedWithTheReason() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment small = arena.allocate(8);
            assertThatThrownBy(() -> SockAddr.LINUX.write(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1), small))
                    .hasMessageContaining("too small");
            assertThatThrownBy(() -> SockAddr.LINUX.write(InetSocketAddress.createUnresolved("example.com", 1), arena.allocate(128)))
                    .hasMessageContaining("unresolved");
            MemorySegment zero = arena.allocate(128);
            assertThatThrownBy(() -> SockAddr.LINUX.read(zero, 16)).hasMessageContaining("family 0");
        }
    }
}
