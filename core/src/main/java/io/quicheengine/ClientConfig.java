package io.quicheengine;

import io.quicheengine.ffi.AlpnCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How a client connects: ALPN, server name, certificate verification, transport settings.
 * Immutable once built; any thread; share one instance among many connections (the engine makes
 * its native quiche config once per instance, which costs milliseconds).
 *
 * <p>Peer verification is on by default, against the system's CA bundle or {@link Builder#caFile}.
 * Turning it off takes an explicit {@link Builder#trustAllCertificatesInsecurely()}.
 *
 * <pre>{@code
 * ClientConfig config = ClientConfig.builder().alpn("echo").caFile(Path.of("ca.pem")).build();
 * }</pre>
 */
public final class ClientConfig {
    private final List<String> alpn;
    private final String serverName;
    private final boolean verifyPeer;
    private final Path caFile;
    private final TransportSettings transport;
    private final Path keyLogFile;
    private final Path qlogDirectory;
    private final boolean earlyData;

    private ClientConfig(Builder b) {
        this.alpn = List.copyOf(b.alpn);
        this.serverName = b.serverName;
        this.verifyPeer = b.verifyPeer;
        this.caFile = b.caFile;
        this.transport = b.transport;
        this.keyLogFile = b.keyLogFile;
        this.qlogDirectory = b.qlogDirectory;
        this.earlyData = b.earlyData;
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<String> alpn() {
        return alpn;
    }

    /** The SNI and the name the certificate must match; null means the host of the address connected to. */
    public String serverName() {
        return serverName;
    }

    public boolean verifyPeer() {
        return verifyPeer;
    }

    public Path caFile() {
        return caFile;
    }

    public TransportSettings transport() {
        return transport;
    }

    /** Where TLS secrets are written (NSS key log format); null (the default) means no key logging. */
    public Path keyLogFile() {
        return keyLogFile;
    }

    /** A directory receiving one qlog trace per connection; null means none. */
    public Path qlogDirectory() {
        return qlogDirectory;
    }

    /** Whether a resumed connection may send 0-RTT data; see {@link Builder#earlyData(boolean)}. */
    public boolean earlyData() {
        return earlyData;
    }

    /** Builds a {@link ClientConfig}; not thread-safe. */
    public static final class Builder {
        private List<String> alpn;
        private String serverName;
        private boolean verifyPeer = true;
        private Path caFile;
        private TransportSettings transport = TransportSettings.DEFAULTS;
        private Path keyLogFile;
        private Path qlogDirectory;
        private boolean earlyData;

        private Builder() {
        }

        /** The application protocols to offer, most preferred first (required). */
        public Builder alpn(String... protocols) {
            Objects.requireNonNull(protocols, "alpn");
            AlpnCodec.encode(List.of(protocols));
            this.alpn = List.of(protocols);
            return this;
        }

        public Builder serverName(String value) {
            if (value != null && (value.isBlank() || value.length() > 253)) {
                throw new IllegalArgumentException("serverName must be a host name of 1..253 characters, was '" + value + "'");
            }
            this.serverName = value;
            return this;
        }

        /** Trusts the CA certificates in this PEM file (instead of the system bundle). */
        public Builder caFile(Path value) {
            this.caFile = readable("caFile", value);
            return this;
        }

        /** Accepts any server certificate. For tests and self-signed setups only: it removes QUIC's protection against impostors. */
        public Builder trustAllCertificatesInsecurely() {
            this.verifyPeer = false;
            return this;
        }

        public Builder transport(TransportSettings value) {
            this.transport = Objects.requireNonNull(value, "transport");
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
         * Lets a connection that resumes a session ({@link QuicEngine#connect(java.net.InetSocketAddress, ClientConfig,
         * QuicListener, byte[])}) send stream data in 0-RTT, before the handshake completes, when the
         * server's ticket allows it (off by default). Streams then open as soon as the connection
         * started, and what is written goes out with the first flight: a request is answered after one
         * round trip instead of two.
         *
         * <p><b>Replay:</b> an attacker who captured the first flight can replay it to the server, which
         * then processes the 0-RTT data again (RFC 9001 section 9.2, RFC 8446 section 8). Write only
         * idempotent requests before {@link QuicConnection#handshake()} completes. When the server
         * refuses 0-RTT, the bytes are not lost: quiche sends them again after the handshake.
         */
        public Builder earlyData(boolean value) {
            this.earlyData = value;
            return this;
        }

        public ClientConfig build() {
            if (alpn == null || alpn.isEmpty()) {
                throw new IllegalArgumentException("alpn: at least one application protocol is required");
            }
            if (!verifyPeer && caFile != null) {
                throw new IllegalArgumentException("caFile is set but trustAllCertificatesInsecurely() turned verification off: choose one");
            }
            return new ClientConfig(this);
        }
    }

    static Path readable(String name, Path value) {
        Objects.requireNonNull(value, name);
        if (!Files.isRegularFile(value)) {
            throw new IllegalArgumentException(name + " " + value.toAbsolutePath() + " does not exist or is not a file");
        }
        if (!Files.isReadable(value)) {
            throw new IllegalArgumentException(name + " " + value.toAbsolutePath() + " is not readable");
        }
        return value.toAbsolutePath();
    }
}
