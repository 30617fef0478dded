package io.quicheengine.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostPortTest {

    @Test
    void parsesNamesIpv4AndBracketedIpv6() {
        assertThat(HostPort.parse("localhost:4433", "HOST:PORT", false)).isEqualTo(new HostPort("localhost", 4433, "HOST:PORT"));
        assertThat(HostPort.parse("[::1]:443", "HOST:PORT", false).host()).isEqualTo("::1");
        assertThat(HostPort.parse("[::1]:443", "HOST:PORT", false)).hasToString("[::1]:443");
        assertThat(HostPort.parse("0.0.0.0:0", "--listen", true).port()).isZero();
    }

    @Test
    void rejectsMalformedArgumentsNamingThem() {
        assertThatThrownBy(() -> HostPort.parse("localhost", "HOST:PORT", false)).hasMessageContaining("HOST:PORT 'localhost' is not HOST:PORT");
        assertThatThrownBy(() -> HostPort.parse("::1:4433", "HOST:PORT", false)).hasMessageContaining("[::1]:4433");
        assertThatThrownBy(() -> HostPort.parse("a:0", "HOST:PORT", false)).hasMessageContaining("port must be 1..65535");
        assertThatThrownBy(() -> HostPort.parse("a:x", "--listen", true)).hasMessageContaining("--listen 'a:x' has no numeric port");
    }

    @Test
    void printsIpv6AddressesShort() throws Exception {
        assertThat(HostPort.of(new java.net.InetSocketAddress(java.net.InetAddress.getByName("::1"), 4433), "x")).hasToString("[::1]:4433");
        assertThat(HostPort.of(new java.net.InetSocketAddress(java.net.InetAddress.getByName("fe80:0:0:0:1:0:0:2"), 1), "x"))
                .hasToString("[fe80::1:0:0:2]:1");
        assertThat(HostPort.of(new java.net.InetSocketAddress(java.net.InetAddress.getByName("127.0.0.1"), 80), "x")).hasToString("127.0.0.1:80");
    }

    @Test
    void anUnknownHostIsAUsageError() {
        assertThatThrownBy(() -> HostPort.parse("nosuch.invalid:4433", "HOST:PORT", false).resolve())
                .isInstanceOf(CliException.class).hasMessage("unknown host 'nosuch.invalid' (HOST:PORT nosuch.invalid:4433)");
    }
}
