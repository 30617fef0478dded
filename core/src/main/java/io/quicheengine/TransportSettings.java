package io.quicheengine;

import java.time.Duration;
import java.util.Objects;

/**
 * QUIC transport parameters and tuning shared by clients and servers. Immutable once built; any
 * thread; share one instance among many connections.
 *
 * <pre>{@code
 * TransportSettings transport = TransportSettings.builder()
 *         .idleTimeout(Duration.ofSeconds(10))
 *         .initialMaxStreamsBidi(64)
 *         .build();
 * }</pre>
 *
 * <p>Pacing: quiche computes a send time for every packet when pacing is on; this engine sends as
 * soon as quiche hands a packet over, so pacing is off by default.
 */
public final class TransportSettings {

    /** The defaults: 30 s idle timeout, 10 s handshake timeout, 1350-byte datagrams, 16 MiB connection and 1 MiB stream windows, 100 streams, CUBIC. */
    public static final TransportSettings DEFAULTS = builder().build();

    private final Duration idleTimeout;
    private final Duration handshakeTimeout;
    private final int maxUdpPayloadSize;
    private final long initialMaxData;
    private final long initialMaxStreamDataBidiLocal;
    private final long initialMaxStreamDataBidiRemote;
    private final long initialMaxStreamDataUni;
    private final long initialMaxStreamsBidi;
    private final long initialMaxStreamsUni;
    private final long maxConnectionWindow;
    private final long maxStreamWindow;
    private final CongestionControl congestionControl;
    private final int initialCongestionWindowPackets;
    private final boolean hystart;
    private final boolean pacing;
    private final Duration maxAckDelay;
    private final int datagramQueueLength;
    private final boolean pathMtuDiscovery;

    private TransportSettings(Builder b) {
        this.idleTimeout = b.idleTimeout;
        this.handshakeTimeout = b.handshakeTimeout;
        this.maxUdpPayloadSize = b.maxUdpPayloadSize;
        this.initialMaxData = b.initialMaxData;
        this.initialMaxStreamDataBidiLocal = b.initialMaxStreamDataBidiLocal;
        this.initialMaxStreamDataBidiRemote = b.initialMaxStreamDataBidiRemote;
        this.initialMaxStreamDataUni = b.initialMaxStreamDataUni;
        this.initialMaxStreamsBidi = b.initialMaxStreamsBidi;
        this.initialMaxStreamsUni = b.initialMaxStreamsUni;
        this.maxConnectionWindow = b.maxConnectionWindow;
        this.maxStreamWindow = b.maxStreamWindow;
        this.congestionControl = b.congestionControl;
        this.initialCongestionWindowPackets = b.initialCongestionWindowPackets;
        this.hystart = b.hystart;
        this.pacing = b.pacing;
        this.maxAckDelay = b.maxAckDelay;
        this.datagramQueueLength = b.datagramQueueLength;
        this.pathMtuDiscovery = b.pathMtuDiscovery;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** How long a connection may take to complete its handshake; {@link Duration#ZERO}: no limit but the idle timeout. */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    public int maxUdpPayloadSize() {
        return maxUdpPayloadSize;
    }

    public long initialMaxData() {
        return initialMaxData;
    }

    public long initialMaxStreamDataBidiLocal() {
        return initialMaxStreamDataBidiLocal;
    }

    public long initialMaxStreamDataBidiRemote() {
        return initialMaxStreamDataBidiRemote;
    }

    public long initialMaxStreamDataUni() {
        return initialMaxStreamDataUni;
    }

    /** How many bidirectional streams the peer may have open at once: the per-connection stream cap. */
    public long initialMaxStreamsBidi() {
        return initialMaxStreamsBidi;
    }

    public long initialMaxStreamsUni() {
        return initialMaxStreamsUni;
    }

    public long maxConnectionWindow() {
        return maxConnectionWindow;
    }

    public long maxStreamWindow() {
        return maxStreamWindow;
    }

    public CongestionControl congestionControl() {
        return congestionControl;
    }

    public int initialCongestionWindowPackets() {
        return initialCongestionWindowPackets;
    }

    public boolean hystart() {
        return hystart;
    }

    public boolean pacing() {
        return pacing;
    }

    public Duration maxAckDelay() {
        return maxAckDelay;
    }

    /** 0 when QUIC DATAGRAM frames are off; else the length of quiche's send and receive datagram queues. */
    public int datagramQueueLength() {
        return datagramQueueLength;
    }

    public boolean pathMtuDiscovery() {
        return pathMtuDiscovery;
    }

    @Override
    public String toString() {
        return "TransportSettings[idleTimeout=" + idleTimeout + ", handshakeTimeout=" + handshakeTimeout + ", maxUdpPayloadSize=" + maxUdpPayloadSize + ", initialMaxData=" + initialMaxData
                + ", initialMaxStreamData=" + initialMaxStreamDataBidiLocal + "/" + initialMaxStreamDataBidiRemote + "/" + initialMaxStreamDataUni
                + ", initialMaxStreams=" + initialMaxStreamsBidi + "/" + initialMaxStreamsUni + ", cc=" + congestionControl + "]";
    }

    /** Builds {@link TransportSettings}; not thread-safe. Every setter checks its argument and names it when wrong. */
    public static final class Builder {
        private Duration idleTimeout = Duration.ofSeconds(30);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private int maxUdpPayloadSize = 1350;
        private long initialMaxData = 16L << 20;
        private long initialMaxStreamDataBidiLocal = 1L << 20;
        private long initialMaxStreamDataBidiRemote = 1L << 20;
        private long initialMaxStreamDataUni = 1L << 20;
        private long initialMaxStreamsBidi = 100;
        private long initialMaxStreamsUni = 100;
        private long maxConnectionWindow = 32L << 20;
        private long maxStreamWindow = 16L << 20;
        private CongestionControl congestionControl = CongestionControl.CUBIC;
        private int initialCongestionWindowPackets = 10;
        private boolean hystart = true;
        private boolean pacing = false;
        private Duration maxAckDelay = Duration.ofMillis(25);
        private int datagramQueueLength = 0;
        private boolean pathMtuDiscovery = false;

        private Builder() {
        }

        /**
         * Gives up a connection whose handshake has not completed after this long (default 10 s),
         * separately from the idle timeout, which a peer answering slowly keeps resetting: the
         * connection closes with the reason "handshake timed out after ..." and
         * {@link QuicConnection#handshake()} fails with it. {@link Duration#ZERO} turns it off.
         * Applies to client connections and to a server's connections alike.
         */
        public Builder handshakeTimeout(Duration value) {
            Objects.requireNonNull(value, "handshakeTimeout");
            if (value.isNegative() || value.compareTo(MAX_HANDSHAKE_TIMEOUT) > 0 || !value.isZero() && value.toMillis() == 0) {
                throw new IllegalArgumentException("handshakeTimeout must be 0 (off) or 1 ms..1 day, was " + value);
            }
            this.handshakeTimeout = value;
            return this;
        }

        /** Closes a connection silent for this long; {@link Duration#ZERO} disables the idle timeout. */
        public Builder idleTimeout(Duration value) {
            Objects.requireNonNull(value, "idleTimeout");
            if (value.isNegative() || value.compareTo(Duration.ofMillis(MAX_VARINT)) > 0) {
                throw new IllegalArgumentException("idleTimeout must be 0..2^62-1 ms (a QUIC varint), was " + value);
            }
            this.idleTimeout = value;
            return this;
        }

        /**
         * The largest UDP payload sent and accepted: 1200 (QUIC's minimum) to 65527.
         *
         * <p>Sent as is: a path that carries less (a smaller MTU) loses every full-size datagram.
         * The handshake still completes (its datagrams are 1200 bytes), but bulk data stalls and the
         * connection ends by its idle timeout, reads and writes failing with "closed by the idle
         * timeout". Set this to what the path carries, or turn on {@link #pathMtuDiscovery}.
         */
        public Builder maxUdpPayloadSize(int value) {
            if (value < 1200 || value > 65527) {
                throw new IllegalArgumentException("maxUdpPayloadSize must be 1200..65527, was " + value);
            }
            this.maxUdpPayloadSize = value;
            return this;
        }

        public Builder initialMaxData(long value) {
            this.initialMaxData = nonNegative("initialMaxData", value);
            return this;
        }

        /** Sets the three initial per-stream windows at once. */
        public Builder initialMaxStreamData(long value) {
            nonNegative("initialMaxStreamData", value);
            this.initialMaxStreamDataBidiLocal = value;
            this.initialMaxStreamDataBidiRemote = value;
            this.initialMaxStreamDataUni = value;
            return this;
        }

        public Builder initialMaxStreamDataBidiLocal(long value) {
            this.initialMaxStreamDataBidiLocal = nonNegative("initialMaxStreamDataBidiLocal", value);
            return this;
        }

        public Builder initialMaxStreamDataBidiRemote(long value) {
            this.initialMaxStreamDataBidiRemote = nonNegative("initialMaxStreamDataBidiRemote", value);
            return this;
        }

        public Builder initialMaxStreamDataUni(long value) {
            this.initialMaxStreamDataUni = nonNegative("initialMaxStreamDataUni", value);
            return this;
        }

        /** How many bidirectional streams the peer may have open at once (the per-connection stream cap). */
        public Builder initialMaxStreamsBidi(long value) {
            this.initialMaxStreamsBidi = streamCount("initialMaxStreamsBidi", value);
            return this;
        }

        public Builder initialMaxStreamsUni(long value) {
            this.initialMaxStreamsUni = streamCount("initialMaxStreamsUni", value);
            return this;
        }

        /** The ceiling for quiche's connection flow-control window autotuning. */
        public Builder maxConnectionWindow(long value) {
            this.maxConnectionWindow = nonNegative("maxConnectionWindow", value);
            return this;
        }

        /** The ceiling for quiche's per-stream flow-control window autotuning. */
        public Builder maxStreamWindow(long value) {
            this.maxStreamWindow = nonNegative("maxStreamWindow", value);
            return this;
        }

        public Builder congestionControl(CongestionControl value) {
            this.congestionControl = Objects.requireNonNull(value, "congestionControl");
            return this;
        }

        public Builder initialCongestionWindowPackets(int value) {
            if (value < 1 || value > 10_000) {
                throw new IllegalArgumentException("initialCongestionWindowPackets must be 1..10000, was " + value);
            }
            this.initialCongestionWindowPackets = value;
            return this;
        }

        public Builder hystart(boolean value) {
            this.hystart = value;
            return this;
        }

        /** quiche's pacing computes send times that this engine does not wait for; see the class doc. */
        public Builder pacing(boolean value) {
            this.pacing = value;
            return this;
        }

        public Builder maxAckDelay(Duration value) {
            Objects.requireNonNull(value, "maxAckDelay");
            if (value.isNegative() || value.toMillis() >= 1 << 14) {
                throw new IllegalArgumentException("maxAckDelay must be 0..16383 ms, was " + value);
            }
            this.maxAckDelay = value;
            return this;
        }

        /**
         * Enables QUIC DATAGRAM frames with quiche queues of {@code queueLength} datagrams each way;
         * 0 disables them. It bounds the datagrams offered and not yet sent (beyond it
         * {@link QuicConnection#offerDatagram} says false), and must be at least the datagrams one
         * packet carries (about 1350 / (payload + 3)), since quiche drops its oldest received
         * datagram when its queue is full.
         */
        public Builder datagrams(int queueLength) {
            if (queueLength < 0 || queueLength > 1 << 16) {
                throw new IllegalArgumentException("datagram queueLength must be 0..65536, was " + queueLength);
            }
            this.datagramQueueLength = queueLength;
            return this;
        }

        /** quiche's path MTU discovery: start at 1200-byte datagrams and probe up to {@link #maxUdpPayloadSize} (default off). */
        public Builder pathMtuDiscovery(boolean value) {
            this.pathMtuDiscovery = value;
            return this;
        }

        public TransportSettings build() {
            return new TransportSettings(this);
        }

        private static final Duration MAX_HANDSHAKE_TIMEOUT = Duration.ofDays(1);
        /** The largest value a QUIC variable-length integer carries (RFC 9000, 16). */
        static final long MAX_VARINT = (1L << 62) - 1;
        /** The most streams of one kind a peer may ever allow (RFC 9000, 4.6). */
        static final long MAX_STREAMS = 1L << 60;

        private static long nonNegative(String name, long value) {
            if (value < 0 || value > MAX_VARINT) {
                throw new IllegalArgumentException(name + " must be 0..2^62-1 (a QUIC varint), was " + value);
            }
            return value;
        }

        private static long streamCount(String name, long value) {
            if (value < 0 || value > MAX_STREAMS) {
                throw new IllegalArgumentException(name + " must be 0..2^60 (QUIC's stream limit), was " + value);
            }
            return value;
        }
    }
}
