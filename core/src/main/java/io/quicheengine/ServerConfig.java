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
    private final Path certificateChain;
    private final Path privateKey;
    private final List<String> alpn;
    private final TransportSettings transport;
    private final boolean retry;
    private final Duration retryTokenLifetime;
    private final int maxConnections;
    private final Path keyLogFile;
    private final Path qlogDirectory;

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

        public ServerConfig build() {
            if (certificateChain == null) {
                throw new IllegalArgumentException("certificateChain is required (use SelfSignedCertificate for tests)");
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
