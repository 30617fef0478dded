package io.quicheengine.ffi;

import static io.quicheengine.ffi.Downcalls.C_BOOL;
import static io.quicheengine.ffi.Downcalls.C_INT;
import static io.quicheengine.ffi.Downcalls.C_LONG;
import static io.quicheengine.ffi.Downcalls.C_POINTER;
import static io.quicheengine.ffi.Downcalls.downcall;
import static io.quicheengine.ffi.Downcalls.fn;
import static io.quicheengine.ffi.Downcalls.rethrow;
import static io.quicheengine.ffi.Downcalls.voidFn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.lang.invoke.MethodHandle;

/**
 * {@code quiche_config_*}: building a {@code quiche_config}. Strings are C strings (NUL-terminated
 * segments). A config is not thread-safe while being built; once built it may be shared by the
 * connections created from it, which only read it.
 */
public final class QuicheConfig {

    /**
     * {@code enum quiche_cc_algorithm}: the values both 0.24.5 and 0.29.3 accept. quiche 0.29 has only the
     * gcongestion BBRv2; its old BBR (2) and BBR2 (3) are gone.
     */
    public static final int CC_RENO = 0;
    public static final int CC_CUBIC = 1;
    public static final int CC_BBR2_GCONGESTION = 4;

    private static final MethodHandle NEW = downcall("quiche_config_new", fn(C_POINTER, C_INT));
    private static final MethodHandle LOAD_CERT_CHAIN_FROM_PEM_FILE = downcall("quiche_config_load_cert_chain_from_pem_file", fn(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle LOAD_PRIV_KEY_FROM_PEM_FILE = downcall("quiche_config_load_priv_key_from_pem_file", fn(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle LOAD_VERIFY_LOCATIONS_FROM_FILE = downcall("quiche_config_load_verify_locations_from_file", fn(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle LOAD_VERIFY_LOCATIONS_FROM_DIRECTORY = downcall("quiche_config_load_verify_locations_from_directory", fn(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle VERIFY_PEER = downcall("quiche_config_verify_peer", voidFn(C_POINTER, C_BOOL));
    private static final MethodHandle GREASE = downcall("quiche_config_grease", voidFn(C_POINTER, C_BOOL));
    private static final MethodHandle DISCOVER_PMTU = downcall("quiche_config_discover_pmtu", voidFn(C_POINTER, C_BOOL));
    private static final MethodHandle LOG_KEYS = downcall("quiche_config_log_keys", voidFn(C_POINTER));
    private static final MethodHandle ENABLE_EARLY_DATA = downcall("quiche_config_enable_early_data", voidFn(C_POINTER));
    private static final MethodHandle SET_APPLICATION_PROTOS = downcall("quiche_config_set_application_protos", fn(C_INT, C_POINTER, C_POINTER, C_LONG));
    private static final MethodHandle SET_MAX_AMPLIFICATION_FACTOR = downcall("quiche_config_set_max_amplification_factor", voidFn(C_POINTER, C_LONG));
    private static final MethodHandle SET_MAX_IDLE_TIMEOUT = downcall("quiche_config_set_max_idle_timeout", voidFn(C_POINTER, C_LONG));
    private static final MethodHandle SET_MAX_RECV_UDP_PAYLOAD_SIZE = downcall("quiche_config_set_max_recv_udp_payload_size", voidFn(C_POINTER, C_LONG));
    private static final MethodHandle SET_MAX_SEND_UDP_PAYLOAD_SIZE = downcall("quiche_config_set_max_send_udp_payload_size", voidFn(C_POINTER, C_LONG));
    private static final MethodHandle SET_INITIAL_MAX_DATA = downcall("quiche_config_set_initial_max_data", voidFn(C_POINTER, C_LONG));
    private static final MethodHandle SET_INITIAL_MAX_STREAM_DATA_BIDI_LOCAL = downcall("quiche_config_set_initial_max_stream_data_bidi_local", voidFn(C_POINTER, C_LONG));
    private static final MethodHandle SET_INITIAL_MAX_STREAM_DATA_BIDI_REMOTE = downcall("quiche_config_set_initial_max_stream_data_bidi_remote", voidFn(C_POINTER, C_LONG));
    private static final MethodHandle SET_INITIAL_MAX_STREAM_DATA_UNI = downcall("quiche_config_set_initial_max_stream_data_uni", voidFn(C_POINTER, C_LONG));
    private static final MethodHandle SET_INITIAL_MAX_STREAMS_BIDI = downcall("quiche_config_set_initial_max_streams_bidi", voidFn(C_POINTER, C_LONG));
    private static final MethodHandle SET_INITIAL_MAX_STREAMS_UNI = downcall("quiche_config_set_initial_max_streams_uni", voidFn(C_POINTER, C_LONG));
    private static final MethodHandle SET_ACK_DELAY_EXPONENT = downcall("quiche_config_set_ack_delay_exponent", voidFn(C_POINTER, C_LONG));
    private static final MethodHandle SET_MAX_ACK_DELAY = downcall("quiche_config_set_max_ack_delay", voidFn(C_POINTER, C_LONG));
    private static final MethodHandle SET_DISABLE_ACTIVE_MIGRATION = downcall("quiche_config_set_disable_active_migration", voidFn(C_POINTER, C_BOOL));
    private static final MethodHandle SET_CC_ALGORITHM_NAME = downcall("quiche_config_set_cc_algorithm_name", fn(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle SET_INITIAL_CONGESTION_WINDOW_PACKETS = downcall("quiche_config_set_initial_congestion_window_packets", voidFn(C_POINTER, C_LONG));
    private static final MethodHandle SET_CC_ALGORITHM = downcall("quiche_config_set_cc_algorithm", voidFn(C_POINTER, C_INT));
    private static final MethodHandle ENABLE_HYSTART = downcall("quiche_config_enable_hystart", voidFn(C_POINTER, C_BOOL));
    private static final MethodHandle ENABLE_PACING = downcall("quiche_config_enable_pacing", voidFn(C_POINTER, C_BOOL));
    private static final MethodHandle SET_MAX_PACING_RATE = downcall("quiche_config_set_max_pacing_rate", voidFn(C_POINTER, C_LONG));
    private static final MethodHandle ENABLE_DGRAM = downcall("quiche_config_enable_dgram", voidFn(C_POINTER, C_BOOL, C_LONG, C_LONG));
    private static final MethodHandle SET_MAX_CONNECTION_WINDOW = downcall("quiche_config_set_max_connection_window", voidFn(C_POINTER, C_LONG));
    private static final MethodHandle SET_MAX_STREAM_WINDOW = downcall("quiche_config_set_max_stream_window", voidFn(C_POINTER, C_LONG));
    private static final MethodHandle SET_ACTIVE_CONNECTION_ID_LIMIT = downcall("quiche_config_set_active_connection_id_limit", voidFn(C_POINTER, C_LONG));
    private static final MethodHandle SET_STATELESS_RESET_TOKEN = downcall("quiche_config_set_stateless_reset_token", voidFn(C_POINTER, C_POINTER));
    private static final MethodHandle SET_DISABLE_DCID_REUSE = downcall("quiche_config_set_disable_dcid_reuse", voidFn(C_POINTER, C_BOOL));
    private static final MethodHandle SET_TICKET_KEY = downcall("quiche_config_set_ticket_key", fn(C_INT, C_POINTER, C_POINTER, C_LONG));
    private static final MethodHandle FREE = downcall("quiche_config_free", voidFn(C_POINTER));

    private QuicheConfig() {
    }

    /** {@code quiche_config_new}: a config for QUIC {@code version} ({@link Quiche#PROTOCOL_VERSION}); NULL on failure. Reads the system CA bundle (milliseconds): make configs once and share them. */
    public static MemorySegment newConfig(int version) {
        Downcalls.checkCall("quiche_config_new");
        try {
            return (MemorySegment) NEW.invokeExact(version);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_load_cert_chain_from_pem_file}; 0 or a negative code. */
    public static int loadCertChainFromPemFile(MemorySegment config, MemorySegment path) {
        Downcalls.checkCall("quiche_config_load_cert_chain_from_pem_file");
        try {
            return (int) LOAD_CERT_CHAIN_FROM_PEM_FILE.invokeExact(config, path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_load_priv_key_from_pem_file}; 0 or a negative code. */
    public static int loadPrivKeyFromPemFile(MemorySegment config, MemorySegment path) {
        Downcalls.checkCall("quiche_config_load_priv_key_from_pem_file");
        try {
            return (int) LOAD_PRIV_KEY_FROM_PEM_FILE.invokeExact(config, path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_load_verify_locations_from_file}: trusted CAs from a PEM file; 0 or a negative code. */
    public static int loadVerifyLocationsFromFile(MemorySegment config, MemorySegment path) {
        Downcalls.checkCall("quiche_config_load_verify_locations_from_file");
        try {
            return (int) LOAD_VERIFY_LOCATIONS_FROM_FILE.invokeExact(config, path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_load_verify_locations_from_directory}; 0 or a negative code. */
    public static int loadVerifyLocationsFromDirectory(MemorySegment config, MemorySegment path) {
        Downcalls.checkCall("quiche_config_load_verify_locations_from_directory");
        try {
            return (int) LOAD_VERIFY_LOCATIONS_FROM_DIRECTORY.invokeExact(config, path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_verify_peer}. */
    public static void verifyPeer(MemorySegment config, boolean v) {
        Downcalls.checkCall("quiche_config_verify_peer");
        try {
            VERIFY_PEER.invokeExact(config, v);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_grease}. */
    public static void grease(MemorySegment config, boolean v) {
        Downcalls.checkCall("quiche_config_grease");
        try {
            GREASE.invokeExact(config, v);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_discover_pmtu}. */
    public static void discoverPmtu(MemorySegment config, boolean v) {
        Downcalls.checkCall("quiche_config_discover_pmtu");
        try {
            DISCOVER_PMTU.invokeExact(config, v);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_log_keys}: enables TLS key logging (to the path set per connection). */
    public static void logKeys(MemorySegment config) {
        Downcalls.checkCall("quiche_config_log_keys");
        try {
            LOG_KEYS.invokeExact(config);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_enable_early_data}. */
    public static void enableEarlyData(MemorySegment config) {
        Downcalls.checkCall("quiche_config_enable_early_data");
        try {
            ENABLE_EARLY_DATA.invokeExact(config);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_set_application_protos}: {@code protos} in wire format (length-prefixed); 0 or a negative code. */
    public static int setApplicationProtos(MemorySegment config, MemorySegment protos, long protosLen) {
        Downcalls.checkCall("quiche_config_set_application_protos");
        try {
            return (int) SET_APPLICATION_PROTOS.invokeExact(config, protos, protosLen);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_set_max_amplification_factor}. */
    public static void setMaxAmplificationFactor(MemorySegment config, long v) {
        Downcalls.checkCall("quiche_config_set_max_amplification_factor");
        try {
            SET_MAX_AMPLIFICATION_FACTOR.invokeExact(config, v);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_set_max_idle_timeout}, in milliseconds (0: none). */
    public static void setMaxIdleTimeout(MemorySegment config, long millis) {
        Downcalls.checkCall("quiche_config_set_max_idle_timeout");
        try {
            SET_MAX_IDLE_TIMEOUT.invokeExact(config, millis);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_set_max_recv_udp_payload_size}. */
    public static void setMaxRecvUdpPayloadSize(MemorySegment config, long v) {
        Downcalls.checkCall("quiche_config_set_max_recv_udp_payload_size");
        try {
            SET_MAX_RECV_UDP_PAYLOAD_SIZE.invokeExact(config, v);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_set_max_send_udp_payload_size}. */
    public static void setMaxSendUdpPayloadSize(MemorySegment config, long v) {
        Downcalls.checkCall("quiche_config_set_max_send_udp_payload_size");
        try {
            SET_MAX_SEND_UDP_PAYLOAD_SIZE.invokeExact(config, v);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_set_initial_max_data}: the connection's flow-control window. */
    public static void setInitialMaxData(MemorySegment config, long v) {
        Downcalls.checkCall("quiche_config_set_initial_max_data");
        try {
            SET_INITIAL_MAX_DATA.invokeExact(config, v);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_set_initial_max_stream_data_bidi_local}. */
    public static void setInitialMaxStreamDataBidiLocal(MemorySegment config, long v) {
        Downcalls.checkCall("quiche_config_set_initial_max_stream_data_bidi_local");
        try {
            SET_INITIAL_MAX_STREAM_DATA_BIDI_LOCAL.invokeExact(config, v);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_set_initial_max_stream_data_bidi_remote}. */
    public static void setInitialMaxStreamDataBidiRemote(MemorySegment config, long v) {
        Downcalls.checkCall("quiche_config_set_initial_max_stream_data_bidi_remote");
        try {
            SET_INITIAL_MAX_STREAM_DATA_BIDI_REMOTE.invokeExact(config, v);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_set_initial_max_stream_data_uni}. */
    public static void setInitialMaxStreamDataUni(MemorySegment config, long v) {
        Downcalls.checkCall("quiche_config_set_initial_max_stream_data_uni");
        try {
            SET_INITIAL_MAX_STREAM_DATA_UNI.invokeExact(config, v);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_set_initial_max_streams_bidi}. */
    public static void setInitialMaxStreamsBidi(MemorySegment config, long v) {
        Downcalls.checkCall("quiche_config_set_initial_max_streams_bidi");
        try {
            SET_INITIAL_MAX_STREAMS_BIDI.invokeExact(config, v);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_set_initial_max_streams_uni}. */
    public static void setInitialMaxStreamsUni(MemorySegment config, long v) {
        Downcalls.checkCall("quiche_config_set_initial_max_streams_uni");
        try {
            SET_INITIAL_MAX_STREAMS_UNI.invokeExact(config, v);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_set_ack_delay_exponent}. */
    public static void setAckDelayExponent(MemorySegment config, long v) {
        Downcalls.checkCall("quiche_config_set_ack_delay_exponent");
        try {
            SET_ACK_DELAY_EXPONENT.invokeExact(config, v);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_set_max_ack_delay}, in milliseconds. */
    public static void setMaxAckDelay(MemorySegment config, long millis) {
        Downcalls.checkCall("quiche_config_set_max_ack_delay");
        try {
            SET_MAX_ACK_DELAY.invokeExact(config, millis);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_set_disable_active_migration}. */
    public static void setDisableActiveMigration(MemorySegment config, boolean v) {
        Downcalls.checkCall("quiche_config_set_disable_active_migration");
        try {
            SET_DISABLE_ACTIVE_MIGRATION.invokeExact(config, v);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code quiche_config_set_cc_algorithm_name} ("reno", "cubic", "bbr2_gcongestion"; in 0.29 "bbr" and "bbr2"
     * name the gcongestion BBRv2 too, in 0.24.5 older implementations); 0 or a negative code.
     */
    public static int setCcAlgorithmName(MemorySegment config, MemorySegment name) {
        Downcalls.checkCall("quiche_config_set_cc_algorithm_name");
        try {
            return (int) SET_CC_ALGORITHM_NAME.invokeExact(config, name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_set_initial_congestion_window_packets}. */
    public static void setInitialCongestionWindowPackets(MemorySegment config, long packets) {
        Downcalls.checkCall("quiche_config_set_initial_congestion_window_packets");
        try {
            SET_INITIAL_CONGESTION_WINDOW_PACKETS.invokeExact(config, packets);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_set_cc_algorithm}, one of the {@code CC_*} constants. */
    public static void setCcAlgorithm(MemorySegment config, int algorithm) {
        Downcalls.checkCall("quiche_config_set_cc_algorithm");
        try {
            SET_CC_ALGORITHM.invokeExact(config, algorithm);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_enable_hystart}. */
    public static void enableHystart(MemorySegment config, boolean v) {
        Downcalls.checkCall("quiche_config_enable_hystart");
        try {
            ENABLE_HYSTART.invokeExact(config, v);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_enable_pacing}. */
    public static void enablePacing(MemorySegment config, boolean v) {
        Downcalls.checkCall("quiche_config_enable_pacing");
        try {
            ENABLE_PACING.invokeExact(config, v);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_set_max_pacing_rate}. */
    public static void setMaxPacingRate(MemorySegment config, long bytesPerSecond) {
        Downcalls.checkCall("quiche_config_set_max_pacing_rate");
        try {
            SET_MAX_PACING_RATE.invokeExact(config, bytesPerSecond);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_enable_dgram}: DATAGRAM frames, with the two queue lengths. */
    public static void enableDgram(MemorySegment config, boolean enabled, long recvQueueLen, long sendQueueLen) {
        Downcalls.checkCall("quiche_config_enable_dgram");
        try {
            ENABLE_DGRAM.invokeExact(config, enabled, recvQueueLen, sendQueueLen);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_set_max_connection_window}: the ceiling of flow-control autotuning. */
    public static void setMaxConnectionWindow(MemorySegment config, long v) {
        Downcalls.checkCall("quiche_config_set_max_connection_window");
        try {
            SET_MAX_CONNECTION_WINDOW.invokeExact(config, v);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_set_max_stream_window}: the per-stream ceiling of flow-control autotuning. */
    public static void setMaxStreamWindow(MemorySegment config, long v) {
        Downcalls.checkCall("quiche_config_set_max_stream_window");
        try {
            SET_MAX_STREAM_WINDOW.invokeExact(config, v);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_set_active_connection_id_limit}. */
    public static void setActiveConnectionIdLimit(MemorySegment config, long v) {
        Downcalls.checkCall("quiche_config_set_active_connection_id_limit");
        try {
            SET_ACTIVE_CONNECTION_ID_LIMIT.invokeExact(config, v);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_set_stateless_reset_token}: 16 bytes. */
    public static void setStatelessResetToken(MemorySegment config, MemorySegment token16) {
        Downcalls.checkCall("quiche_config_set_stateless_reset_token");
        try {
            SET_STATELESS_RESET_TOKEN.invokeExact(config, token16);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_set_disable_dcid_reuse}. */
    public static void setDisableDcidReuse(MemorySegment config, boolean v) {
        Downcalls.checkCall("quiche_config_set_disable_dcid_reuse");
        try {
            SET_DISABLE_DCID_REUSE.invokeExact(config, v);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_set_ticket_key}: the session ticket key (48 bytes for BoringSSL); 0 or a negative code. */
    public static int setTicketKey(MemorySegment config, MemorySegment key, long keyLen) {
        Downcalls.checkCall("quiche_config_set_ticket_key");
        try {
            return (int) SET_TICKET_KEY.invokeExact(config, key, keyLen);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code quiche_config_free}. The config must not be used afterwards; connections made from it stay valid. */
    public static void free(MemorySegment config) {
        Downcalls.checkCall("quiche_config_free");
        try {
            FREE.invokeExact(config);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // Checked conveniences for setting up a config: they name the file and the reason on failure.

    /** Loads the certificate chain from a PEM file, or throws naming the file and what was wrong. */
    public static void loadCertChain(MemorySegment config, Path pem) {
        String path = readableFile(pem, "certificate chain");
        try (Arena arena = Arena.ofConfined()) {
            check(loadCertChainFromPemFile(config, arena.allocateFrom(path)), "load the certificate chain from " + path + " (not a PEM certificate?)");
        }
    }

    /** Loads the private key from a PEM file, or throws naming the file and what was wrong. */
    public static void loadPrivateKey(MemorySegment config, Path pem) {
        String path = readableFile(pem, "private key");
        try (Arena arena = Arena.ofConfined()) {
            check(loadPrivKeyFromPemFile(config, arena.allocateFrom(path)), "load the private key from " + path + " (not a PEM private key?)");
        }
    }

    /** Trusts the CA certificates of a PEM file, or throws naming the file and what was wrong. */
    public static void loadVerifyLocations(MemorySegment config, Path pem) {
        String path = readableFile(pem, "CA certificates");
        try (Arena arena = Arena.ofConfined()) {
            check(loadVerifyLocationsFromFile(config, arena.allocateFrom(path)), "load CA certificates from " + path + " (not PEM certificates?)");
        }
    }

    /** Sets the ALPN protocols, in preference order; each 1 to 255 bytes of US-ASCII. */
    public static void setApplicationProtos(MemorySegment config, List<String> protocols) {
        if (protocols == null || protocols.isEmpty()) {
            throw new IllegalArgumentException("at least one ALPN protocol is required");
        }
        byte[] wire = AlpnCodec.encode(protocols);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(wire.length);
            MemorySegment.copy(wire, 0, buf, ValueLayout.JAVA_BYTE, 0, wire.length);
            check(setApplicationProtos(config, buf, wire.length), "set the ALPN protocols " + protocols);
        }
    }

    private static String readableFile(Path file, String what) {
        if (file == null) {
            throw new IllegalArgumentException(what + " file must not be null");
        }
        if (!Files.exists(file)) {
            throw new QuicheException(what + " file " + file.toAbsolutePath() + " does not exist");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new QuicheException(what + " file " + file.toAbsolutePath() + " is not a readable file");
        }
        return file.toAbsolutePath().toString();
    }

    private static void check(int result, String what) {
        if (result < 0) {
            throw new QuicheException(what, result);
        }
    }
}
