package io.quicheengine;

import io.quicheengine.ffi.AlpnCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a server accepts connections: certificate and key, ALPN, transport settings, the connection
 * cap and stateless retry. Immutable once built; any thread.
 *
 * <pre>{@code
 * ServerConfig config = ServerConfig.builder()
 *         .certificateChain(Path.of("cert.pem")).privateKey(Path.of("key.pem"))
 *         .alpn("echo").retry(true).maxConnections(1_000)
 *         .build();
 * }</pre>
 */
public final class ServerConfig {
    /** The length of a session ticket key (BoringSSL: name, HMAC and AES keys of 16 bytes each). */
    public static final int SESSION_TICKET_KEY_LENGTH = 48;

    private final Path certificateChain;
    private final Path privateKey;
    private final List<String> alpn;
    private final TransportSettings transport;
    private final boolean retry;
    private final Duration retryTokenLifetime;
    private final int maxConnections;
    private final Path keyLogFile;
    private final Path qlogDirectory;
    private final boolean earlyData;
    private final byte[] sessionTicketKey;

    private ServerConfig(Builder b) {
        this.certificateChain = b.certificateChain;
        this.privateKey = b.privateKey;
        this.alpn = List.copyOf(b.alpn);
        this.transport = b.transport;
        this.retry = b.retry;
        this.retryTokenLifetime = b.retryTokenLifetime;
        this.maxConnections = b.maxConnections;
        this.keyLogFile = b.keyLogFile;
        this.qlogDirectory = b.qlogDirectory;
        this.earlyData = b.earlyData;
        this.sessionTicketKey = b.sessionTicketKey;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Path certificateChain() {
        return certificateChain;
    }

    public Path privateKey() {
        return privateKey;
    }

    public List<String> alpn() {
        return alpn;
    }

    public TransportSettings transport() {
        return transport;
    }

    /** Whether a new client must first prove its address with a Retry token. */
    public boolean retry() {
        return retry;
    }

    public Duration retryTokenLifetime() {
        return retryTokenLifetime;
    }

    /** Connections beyond this many are refused with CONNECTION_REFUSED. */
    public int maxConnections() {
        return maxConnections;
    }

    public Path keyLogFile() {
        return keyLogFile;
    }

    public Path qlogDirectory() {
        return qlogDirectory;
    }

    /** Whether 0-RTT data from resuming clients is accepted; see {@link Builder#earlyData(boolean)}. */
    public boolean earlyData() {
        return earlyData;
    }

    /** A copy of the session ticket key, or null when each engine makes a random one. */
    public byte[] sessionTicketKey() {
        return sessionTicketKey == null ? null : sessionTicketKey.clone();
    }

    /** Builds a {@link ServerConfig}; not thread-safe. */
    public static final class Builder {
        private Path certificateChain;
        private Path privateKey;
        private List<String> alpn;
        private TransportSettings transport = TransportSettings.DEFAULTS;
        private boolean retry;
        private Duration retryTokenLifetime = Duration.ofSeconds(10);
        private int maxConnections = 10_000;
        private Path keyLogFile;
        private Path qlogDirectory;
        private boolean earlyData;
        private byte[] sessionTicketKey;

        private Builder() {
        }

        /** The server's certificate chain, PEM (required). */
        public Builder certificateChain(Path value) {
            this.certificateChain = ClientConfig.readable("certificateChain", value);
            return this;
        }

        /** The certificate's private key, PEM (required). */
        public Builder privateKey(Path value) {
            this.privateKey = ClientConfig.readable("privateKey", value);
            return this;
        }

        /** The application protocols accepted, most preferred first (required). */
        public Builder alpn(String... protocols) {
            Objects.requireNonNull(protocols, "alpn");
            AlpnCodec.encode(List.of(protocols));
            this.alpn = List.of(protocols);
            return this;
        }

        public Builder transport(TransportSettings value) {
            this.transport = Objects.requireNonNull(value, "transport");
            return this;
        }

        /** Stateless retry: clients must echo an authenticated, expiring token before the server keeps any state for them. */
        public Builder retry(boolean value) {
            this.retry = value;
            return this;
        }

        public Builder retryTokenLifetime(Duration value) {
            Objects.requireNonNull(value, "retryTokenLifetime");
            if (value.isNegative() || value.isZero() || value.toMinutes() > 60) {
                throw new IllegalArgumentException("retryTokenLifetime must be between 1 ms and 1 hour, was " + value);
            }
            this.retryTokenLifetime = value;
            return this;
        }

        public Builder maxConnections(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1, was " + value);
            }
            this.maxConnections = value;
            return this;
        }

        public Builder keyLogFile(Path value) {
            this.keyLogFile = value;
            return this;
        }

        public Builder qlogDirectory(Path value) {
            this.qlogDirectory = value;
            return this;
        }

        /**
         * Accepts 0-RTT data from clients resuming a session (off by default: a resumed client then
         * still saves the certificate exchange, but its first data waits for the handshake). Session
         * tickets are issued either way.
         *
         * <p><b>Replay:</b> 0-RTT data can be replayed by an attacker who captured it, and quiche keeps
         * no anti-replay state: the application sees such data again as a new connection's stream. Turn
         * this on only when every request a client may send before the handshake completes is
         * idempotent ({@link QuicConnection#isEarlyData()} tells which connections used it).
         */
        public Builder earlyData(boolean value) {
            this.earlyData = value;
            return this;
        }

        /**
         * The key that encrypts session tickets: {@value #SESSION_TICKET_KEY_LENGTH} secret random bytes
         * (copied). Without it every engine makes its own random key, so a session from one engine (or
         * a restarted process) cannot resume on another; give the same key to all engines that share a
         * port (SO_REUSEPORT) or replace each other. Rotate it: whoever has it can decrypt tickets.
         */
        public Builder sessionTicketKey(byte[] key) {
            Objects.requireNonNull(key, "sessionTicketKey");
            if (key.length != SESSION_TICKET_KEY_LENGTH) {
                throw new IllegalArgumentException("sessionTicketKey must be " + SESSION_TICKET_KEY_LENGTH + " bytes, was " + key.length);
            }
            this.sessionTicketKey = key.clone();
            return this;
        }

        public ServerConfig build() {
            if (certificateChain == null) {
                throw new IllegalArgumentException("certificateChain is required (for tests, `quic cert` or io.quicheengine.tools.SelfSignedCertificate in the tools jar makes one)");
            }
            if (privateKey == null) {
                throw new IllegalArgumentException("privateKey is required");
            }
            if (alpn == null || alpn.isEmpty()) {
                throw new IllegalArgumentException("alpn: at least one application protocol is required");
            }
            return new ServerConfig(this);
        }
    }
}
