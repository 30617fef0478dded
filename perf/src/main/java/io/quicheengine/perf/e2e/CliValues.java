package io.quicheengine.perf.e2e;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Parses the option values the single-system mains share ({@code --streams 1,16}, {@code --sink host:port}).
 * Stateless; any thread.
 */
public final class CliValues {
    private CliValues() {
    }

    /** {@code "1, 16"} with {@code Integer::parseInt} gives {@code [1, 16]}; each item is trimmed first. */
    public static <T> List<T> commaList(String value, Function<String, T> parseItem) {
        return Arrays.stream(value.split(",")).map(String::trim).map(parseItem).toList();
    }

    /** {@code host:port}, the host as given (a name or a literal). */
    public static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException("address must be host:port, got '" + hostPort + "'");
        }
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
