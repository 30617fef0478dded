package io.quicheengine.tools;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * A {@code HOST:PORT} argument ({@code [::1]:4433} for IPv6), parsed but not yet resolved, so a
 * bad port is reported by picocli and an unknown host by the command, each naming the argument.
 * Immutable; any thread.
 *
 * @param argument how the argument is named in messages, e.g. {@code --listen}
 */
record HostPort(String host, int port, String argument) {

    /**
     * @param allowPortZero true for a listening address, where port 0 means "any free port"
     * @throws IllegalArgumentException naming {@code argument} when {@code text} is not HOST:PORT
     */
    static HostPort parse(String text, String argument, boolean allowPortZero) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf("]:");
            if (close < 0) {
                throw new IllegalArgumentException(argument + " '" + text + "' is not [IPv6]:PORT");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon <= 0 || text.indexOf(':') != colon) {
                throw new IllegalArgumentException(argument + " '" + text + "' is not HOST:PORT (write IPv6 addresses as [::1]:4433)");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        int number;
        try {
            number = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(argument + " '" + text + "' has no numeric port");
        }
        int lowest = allowPortZero ? 0 : 1;
        if (number < lowest || number > 65535) {
            throw new IllegalArgumentException(argument + " '" + text + "': port must be " + lowest + "..65535, was " + number);
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException(argument + " '" + text + "' has no host");
        }
        return new HostPort(host, number, argument);
    }

    /** A socket address as HOST:PORT, IPv6 in its short form ({@code [::1]:4433}). */
    static HostPort of(InetSocketAddress address, String argument) {
        InetAddress ip = address.getAddress();
        String host = ip == null ? address.getHostString() : ip.getHostAddress();
        return new HostPort(ip instanceof java.net.Inet6Address ? shortIpv6(host) : host, address.getPort(), argument);
    }

    /** Replaces the longest run of two or more zero groups with "::" (RFC 5952). */
    private static String shortIpv6(String full) {
        int scope = full.indexOf('%');
        String address = scope >= 0 ? full.substring(0, scope) : full;
        String[] groups = address.split(":");
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; ) {
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = Math.max(j, i + 1);
        }
        if (bestStart < 0) {
            return full;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
        return head + "::" + tail + (scope >= 0 ? full.substring(scope) : "");
    }

    /** Looks the host up; an unknown host becomes a {@link CliException} naming the argument. */
    InetSocketAddress resolve() {
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new CliException("unknown host '" + host + "' (" + argument + " " + this + ")");
        }
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
