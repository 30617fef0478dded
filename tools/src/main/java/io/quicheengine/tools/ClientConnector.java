package io.quicheengine.tools;

import io.quicheengine.ClientConfig;
import io.quicheengine.QuicConnection;
import io.quicheengine.QuicEngine;
import io.quicheengine.QuicListener;
import io.quicheengine.TransportSettings;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Connects a client command to its server: parses and resolves HOST:PORT, builds the client
 * config from the trust and log options, and waits for the handshake, turning every failure into a
 * one-line {@link CliException}. Called on the command's thread.
 */
final class ClientConnector {
    private ClientConnector() {
    }

    static HostPort parse(String text) {
        try {
            return HostPort.parse(text, "HOST:PORT", false);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
    }

    static ClientConfig config(String alpn, TrustOptions trust, LogOptions logs, TransportSettings transport) {
        ClientConfig.Builder builder = ClientConfig.builder().transport(transport);
        try {
            builder.alpn(alpn);
        } catch (IllegalArgumentException e) {
            throw new CliException("--alpn '" + alpn + "': " + e.getMessage());
        }
        trust.apply(builder);
        logs.apply(builder);
        return builder.build();
    }

    /** Connects and waits for the handshake; peer streams are polled. */
    static QuicConnection connect(QuicEngine engine, HostPort server, InetSocketAddress address, ClientConfig config, Duration timeout) {
        return connect(engine, server, address, config, timeout, null);
    }

    /** Connects with {@code listener} (loop-thread callbacks, or null to poll) and waits for the handshake. */
    static QuicConnection connect(QuicEngine engine, HostPort server, InetSocketAddress address, ClientConfig config, Duration timeout,
                                  QuicListener listener) {
        QuicConnection connection = engine.connect(address, config, listener);
        try {
            return connection.awaitHandshake(timeout);
        } catch (RuntimeException e) {
            throw Failures.handshake(connection, server, config, timeout, e);
        }
    }
}
