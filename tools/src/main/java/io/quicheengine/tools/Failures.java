package io.quicheengine.tools;

import io.quicheengine.ClientConfig;
import io.quicheengine.CloseReason;
import io.quicheengine.QuicConnection;
import io.quicheengine.QuicException;
import io.quicheengine.QuicTimeoutException;
import java.net.BindException;
import java.time.Duration;
import java.util.Map;

/**
 * Turns what the engine reports (exceptions, {@link CloseReason}s with QUIC and TLS codes) into
 * the one-line {@link CliException}s a user can act on. Stateless; any thread.
 *
 * <p>QUIC carries a TLS alert as the transport error {@code 0x100 + alert} (RFC 9001, 4.8): 120
 * (no_application_protocol) is an ALPN mismatch; 42-49 and 116 are certificate problems.
 */
final class Failures {
    static final int ALERT_NO_APPLICATION_PROTOCOL = 120;

    private static final Map<Integer, String> ALERTS = Map.ofEntries(
            Map.entry(10, "unexpected_message"), Map.entry(20, "bad_record_mac"), Map.entry(40, "handshake_failure"),
            Map.entry(42, "bad_certificate"), Map.entry(43, "unsupported_certificate"), Map.entry(44, "certificate_revoked"),
            Map.entry(45, "certificate_expired"), Map.entry(46, "certificate_unknown"), Map.entry(47, "illegal_parameter"),
            Map.entry(48, "unknown_ca"), Map.entry(49, "access_denied"), Map.entry(50, "decode_error"),
            Map.entry(51, "decrypt_error"), Map.entry(70, "protocol_version"), Map.entry(71, "insufficient_security"),
            Map.entry(80, "internal_error"), Map.entry(86, "inappropriate_fallback"), Map.entry(90, "user_canceled"),
            Map.entry(109, "missing_extension"), Map.entry(110, "unsupported_extension"), Map.entry(112, "unrecognized_name"),
            Map.entry(116, "certificate_required"), Map.entry(ALERT_NO_APPLICATION_PROTOCOL, "no_application_protocol"));

    private Failures() {
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    /** The TLS alert a transport error code carries, or -1 when it is not a CRYPTO_ERROR. */
    static int tlsAlert(CloseReason reason) {
        if (reason == null || reason.application() || reason.errorCode() < 0x100 || reason.errorCode() > 0x1ff) {
            return -1;
        }
        return (int) (reason.errorCode() - 0x100);
    }

    static String alertName(int alert) {
        return "TLS alert " + alert + " " + ALERTS.getOrDefault(alert, "(unknown)");
    }

    static boolean isCertificateAlert(int alert) {
        return alert >= 42 && alert <= 49 || alert == 116;
    }

    /**
     * Why a handshake with {@code server} failed.
     *
     * @param error what {@code awaitHandshake} threw
     */
    static CliException handshake(QuicConnection connection, HostPort server, ClientConfig config, Duration timeout, RuntimeException error) {
        String alpn = config.alpn().get(0);
        CloseReason reason = connection.closeReason();
        if (reason == null && error instanceof QuicTimeoutException || reason != null && reason.idleTimeout()) {
            return new CliException("handshake with " + server + " timed out after " + Units.duration(timeout)
                    + (connection.stats().packetsReceived() > 0 ? ": the server answered but the handshake did not complete"
                    : ": no QUIC server answered (is one listening on that UDP port?)"));
        }
        if (reason != null && !reason.byPeer() && reason.reason().startsWith("nothing listening at ")) {
            // The engine heard the host's ICMP port unreachable: no point waiting for a timeout.
            return new CliException("no QUIC server at " + server + ": nothing listens on that UDP port (the host answered port unreachable)");
        }
        int alert = tlsAlert(reason);
        if (alert == ALERT_NO_APPLICATION_PROTOCOL) {
            return new CliException("ALPN mismatch: the server at " + server + " does not accept --alpn '" + alpn + "' ("
                    + alertName(alert) + "); use the protocol the server was started with");
        }
        if (alert >= 0 && isCertificateAlert(alert) && !reason.byPeer()) {
            String name = config.serverName() != null ? config.serverName() : server.host();
            String fix = config.caFile() == null
                    ? "trust the server's certificate with --ca FILE (the PEM the server printed), or skip verification with --insecure"
                    : "the certificate is not signed by --ca " + config.caFile() + " or does not name '" + name + "'"
                    + (isIpLiteral(name) ? " (quiche matches host names, not IP addresses: add --server-name with a name in the certificate, e.g. localhost)" : "")
                    + "; or skip verification with --insecure";
            return new CliException("certificate verification failed for " + server + " (" + alertName(alert) + "): " + fix);
        }
        if (alert >= 0) {
            return new CliException("TLS handshake with " + server + " failed: " + (reason.byPeer() ? "the server sent " : "this side sent ")
                    + alertName(alert) + (reason.reason().isEmpty() ? "" : " (" + reason.reason() + ")"));
        }
        if (reason != null && reason.byPeer() && !reason.application() && reason.errorCode() == 0x2) {
            return new CliException("the server at " + server + " refused the connection (CONNECTION_REFUSED: it is at its connection limit)");
        }
        if (reason != null && !reason.isClean()) {
            return new CliException("handshake with " + server + " failed: " + reason);
        }
        return new CliException("handshake with " + server + " failed: " + error.getMessage());
    }

    /**
     * Why a connection that was established ended before the work was done, or null when it
     * closed cleanly (the caller then reports the missing bytes itself).
     */
    static CliException closed(CloseReason reason, String peer) {
        if (reason == null || reason.isClean() && !reason.byPeer()) {
            return null;
        }
        if (reason.idleTimeout()) {
            return new CliException("the connection with " + peer + " timed out: nothing was heard from it for the idle timeout");
        }
        if (reason.byPeer() && reason.errorCode() != 0) {
            return new CliException("the " + peer + " closed the connection with " + describe(reason));
        }
        if (reason.byPeer()) {
            return new CliException("the " + peer + " closed the connection before the transfer completed");
        }
        return new CliException("the connection with " + peer + " failed: " + reason);
    }

    /** "application error 7 (reason)" or "transport error FLOW_CONTROL_ERROR (0x3)". */
    private static String describe(CloseReason reason) {
        String text = reason.toString();
        int with = text.indexOf(" with ");
        return with >= 0 ? text.substring(with + 6) : text;
    }

    /** Why {@code bind} failed: port in use, or a certificate or key that would not load. */
    static CliException bind(HostPort listen, QuicException error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof BindException bind) {
                String why = String.valueOf(bind.getMessage());
                return new CliException(why.toLowerCase(java.util.Locale.ROOT).contains("in use")
                        ? "cannot listen on " + listen + ": UDP port " + listen.port() + " is already in use (--listen)"
                        : "cannot listen on " + listen + ": " + why + " (--listen)");
            }
            String why = String.valueOf(t.getMessage());
            if (why.endsWith("errno 99")) { // EADDRNOTAVAIL
                return new CliException("cannot listen on " + listen + ": " + listen.host() + " is not an address of this machine (--listen)");
            }
        }
        return new CliException("cannot listen on " + listen + ": " + error.getMessage());
    }
}
