package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quicheengine.testing.FaultInjectingRelay;
import io.quicheengine.testing.FaultProfile;
import io.quicheengine.testing.TestCertificate;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Session resumption and 0-RTT through a relay that adds a fixed one-way delay, so round trips are
 * long enough to count: a full handshake answers a request written at once after about two round
 * trips, a resumed one with early data after about one. Real engines, sockets and libquiche.
 */
class ZeroRttTest {
    private static final Duration ONE_WAY = Duration.ofMillis(40);
    private static final double RTT_MS = 2.0 * ONE_WAY.toMillis();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Best of this many tries per kind of connection: a busy machine can only make a try slower. */
    private static final int TRIES = 3;

    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final byte[] ticketKey = new byte[ServerConfig.SESSION_TICKET_KEY_LENGTH];
    /** What the last server connection reported when its handshake completed (exchanges run one at a time). */
    private volatile ServerView lastServerView;
    /** The last server connection, set with {@link #lastServerView}. */
    private volatile QuicConnection lastServerConnection;
    private QuicEngine serverEngine;
    private QuicEngine clientEngine;

    /** The server side's view of one connection. */
    private record ServerView(boolean resumed, boolean earlyData) {
    }

    /** One request/response: how long from connect() to the first response byte, and what the connection said. */
    private record Exchange(double millis, boolean resumed, boolean earlyData, ServerView server, byte[] nextSession) {
        double rtts() {
            return millis / RTT_MS;
        }
    }

    @BeforeEach
    void start() {
        ThreadLocalRandom.current().nextBytes(ticketKey);
        serverEngine = QuicEngine.builder().name("server").loopWaitStrategy(WaitStrategy.BLOCKING).appWaitStrategy(WaitStrategy.BLOCKING)
                .errorHandler((c, context, e) -> errors.add(new AssertionError(context, e))).build();
        clientEngine = QuicEngine.builder().name("client").loopWaitStrategy(WaitStrategy.BLOCKING).appWaitStrategy(WaitStrategy.BLOCKING)
                .errorHandler((c, context, e) -> errors.add(new AssertionError(context, e))).build();
    }

    @AfterEach
    void stop() {
        clientEngine.close();
        serverEngine.close();
        assertThat(errors).isEmpty();
    }

    @Test
    void resumedConnectionWithEarlyDataIsAnsweredAfterOneRoundTrip() {
        QuicServer server = bind(serverConfig(true, ticketKey));
        ClientConfig client = clientConfig(true);
        try (FaultInjectingRelay relay = delayingRelay(server)) {
            byte[] request = "GET /quote/ABC".getBytes();
            Exchange warmUp = exchange(relay, client, null, request);
            byte[] session = warmUp.nextSession();
            Exchange full = best(() -> exchange(relay, client, null, request));
            Exchange resumedNoEarly = best(() -> exchange(relay, clientConfig(false), session, request));
            Exchange zeroRtt = best(() -> exchange(relay, client, session, request));
            System.out.printf("[ZeroRttTest] RTT %.0f ms (relay %d ms each way); connect() to first response byte, best of %d:"
                            + " full handshake %.1f ms (%.2f RTT), resumed without early data %.1f ms (%.2f RTT), resumed 0-RTT %.1f ms (%.2f RTT)%n",
                    RTT_MS, ONE_WAY.toMillis(), TRIES, full.millis(), full.rtts(), resumedNoEarly.millis(), resumedNoEarly.rtts(), zeroRtt.millis(), zeroRtt.rtts());

            assertThat(full.resumed()).as("a connection without a session does a full handshake").isFalse();
            assertThat(full.earlyData()).isFalse();
            assertThat(full.server()).isEqualTo(new ServerView(false, false));
            assertThat(full.rtts()).as("a full handshake takes two round trips before the answer").isGreaterThanOrEqualTo(1.9);

            assertThat(resumedNoEarly.resumed()).isTrue();
            assertThat(resumedNoEarly.earlyData()).as("early data off on the client").isFalse();
            assertThat(resumedNoEarly.server()).isEqualTo(new ServerView(true, false));
            assertThat(resumedNoEarly.rtts()).isGreaterThanOrEqualTo(1.9);

            assertThat(zeroRtt.resumed()).as("resumed").isTrue();
            assertThat(zeroRtt.earlyData()).as("the client sent early data").isTrue();
            assertThat(zeroRtt.server()).as("the server resumed and accepted early data").isEqualTo(new ServerView(true, true));
            assertThat(zeroRtt.rtts()).as("0-RTT: the request rides the first flight, answered after one round trip").isLessThan(1.5);
            assertThat(zeroRtt.nextSession()).as("a resumed connection gets a fresh ticket too").isNotNull();
        }
    }

    @Test
    void pollingServerAnswersEarlyDataBeforeTheHandshakeCompletes() throws Exception {
        QuicServer server = serverEngine.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), serverConfig(true, ticketKey), null);
        ClientConfig client = clientConfig(true);
        byte[] request = "GET /quote/XYZ".getBytes();
        Thread echo = Thread.ofPlatform().daemon().name("polling-echo").start(() -> pollingEcho(server));
        try (FaultInjectingRelay relay = delayingRelay(server)) {
            byte[] session = exchange(relay, client, null, request).nextSession();
            Exchange zeroRtt = best(() -> exchange(relay, client, session, request));
            System.out.printf("[ZeroRttTest] polling server (accept()/acceptStream()), resumed 0-RTT: first response byte after %.1f ms (%.2f RTT)%n",
                    zeroRtt.millis(), zeroRtt.rtts());
            assertThat(zeroRtt.server()).isEqualTo(new ServerView(true, true));
            assertThat(zeroRtt.rtts()).as("accept() hands out the connection once its 0-RTT is accepted, not a round trip later").isLessThan(1.5);
        } finally {
            echo.interrupt();
            echo.join(TIMEOUT.toMillis());
        }
    }

    /** A polling server application: accepts each connection and echoes its one stream, on its own thread. */
    private void pollingEcho(QuicServer server) {
        byte[] buffer = new byte[64 * 1024];
        while (!Thread.currentThread().isInterrupted()) {
            QuicConnection connection = server.accept();
            if (connection == null) {
                Thread.onSpinWait();
                continue;
            }
            try {
                QuicStream stream = Polling.await(connection::acceptStream, TIMEOUT, "the client's stream");
                for (int n = stream.read(buffer, 0, buffer.length, TIMEOUT); n >= 0; n = stream.read(buffer, 0, buffer.length, TIMEOUT)) {
                    stream.write(buffer, 0, n, false, TIMEOUT);
                }
                stream.finish(TIMEOUT);
                connection.awaitHandshake(TIMEOUT);
                lastServerConnection = connection;
                lastServerView = new ServerView(connection.isResumed(), connection.isEarlyData());
            } catch (RuntimeException | AssertionError e) {
                errors.add(e);
            }
        }
    }

    @Test
    void serverThatRefusesEarlyDataStillGetsEveryEarlyByte() {
        QuicServer accepting = bind(serverConfig(true, ticketKey));
        QuicServer refusing = bind(serverConfig(false, ticketKey));     // knows the ticket, refuses 0-RTT
        QuicServer stranger = bind(serverConfig(true, null));           // cannot decrypt the ticket at all
        ClientConfig client = clientConfig(true);
        byte[] request = new byte[6000];                                 // several 0-RTT packets
        ThreadLocalRandom.current().nextBytes(request);
        byte[] session;
        try (FaultInjectingRelay relay = delayingRelay(accepting)) {
            session = exchange(relay, client, null, request).nextSession();
        }
        try (FaultInjectingRelay relay = delayingRelay(refusing)) {
            Exchange refused = exchange(relay, client, session, request);
            System.out.printf("[ZeroRttTest] early data refused (ticket known): first response byte after %.1f ms (%.2f RTT)%n",
                    refused.millis(), refused.rtts());
            assertThat(refused.earlyData()).as("the client tried 0-RTT").isTrue();
            assertThat(refused.resumed()).as("the session itself is still good").isTrue();
            assertThat(refused.server()).isEqualTo(new ServerView(true, false));
            assertThat(refused.millis()).as("resent after the handshake, not after an idle timeout").isLessThan(2000);
        }
        try (FaultInjectingRelay relay = delayingRelay(stranger)) {
            Exchange unknown = exchange(relay, client, session, request);
            System.out.printf("[ZeroRttTest] ticket unknown to the server: first response byte after %.1f ms (%.2f RTT)%n",
                    unknown.millis(), unknown.rtts());
            assertThat(unknown.earlyData()).isTrue();
            assertThat(unknown.resumed()).as("a full handshake instead").isFalse();
            assertThat(unknown.server()).isEqualTo(new ServerView(false, false));
            assertThat(unknown.millis()).isLessThan(2000);
        }
    }

    @Test
    void withoutSessionStreamsWaitForTheHandshakeAsBefore() {
        QuicServer server = bind(serverConfig(true, ticketKey));
        QuicConnection connection = clientEngine.connect(server.localAddress(), clientConfig(true));
        assertThatThrownBy(connection::openBidirectionalStream).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("before the handshake completed");
        connection.awaitHandshake(TIMEOUT);
        assertThat(connection.isResumed()).isFalse();
        assertThat(connection.isEarlyData()).isFalse();
        byte[] session = Polling.await(connection::session, TIMEOUT, "the session ticket");
        assertThat(session).isNotEmpty();
        session[0] ^= 1;
        assertThat(connection.session()[0]).as("session() hands out copies").isNotEqualTo(session[0]);
    }

    @Test
    void badSessionsAndTicketKeysAreRefusedClearly() {
        QuicServer server = bind(serverConfig(true, ticketKey));
        assertThatThrownBy(() -> clientEngine.connect(server.localAddress(), clientConfig(true), null, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("session is empty");
        QuicConnection garbage = clientEngine.connect(server.localAddress(), clientConfig(true), null, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> garbage.awaitHandshake(TIMEOUT)).isInstanceOf(ClosedException.class)
                .hasMessageContaining("session of 3 bytes");
        assertThatThrownBy(() -> ServerConfig.builder().sessionTicketKey(new byte[16]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sessionTicketKey must be 48 bytes, was 16");
        // The engine is unharmed: a normal connection still works.
        clientEngine.connect(server.localAddress(), clientConfig(true)).awaitHandshake(TIMEOUT);
    }

    // ---------------------------------------------------------------------------------------------

    private interface Try {
        Exchange run();
    }

    private static Exchange best(Try attempt) {
        Exchange best = null;
        for (int i = 0; i < TRIES; i++) {
            Exchange e = attempt.run();
            if (best == null || e.millis() < best.millis()) {
                best = e;
            }
        }
        return best;
    }

    /**
     * Connects (resuming {@code session} if not null), opens a stream as soon as the connection
     * allows, writes {@code request} with FIN and reads the echo; the time runs from connect() to
     * the first echoed byte. Checks the whole echo, then waits for the next session ticket.
     */
    private Exchange exchange(FaultInjectingRelay relay, ClientConfig config, byte[] session, byte[] request) {
        lastServerView = null;
        long start = System.nanoTime();
        QuicConnection connection = clientEngine.connect(relay.address(), config, null, session);
        QuicStream stream = connection.openBidirectionalStream(TIMEOUT);
        stream.write(request, 0, request.length, true, TIMEOUT);
        byte[] buffer = new byte[64 * 1024];
        int n = stream.read(buffer, 0, buffer.length, TIMEOUT);
        double millis = (System.nanoTime() - start) / 1e6;
        ByteArrayOutputStream echoed = new ByteArrayOutputStream();
        while (n >= 0) {
            echoed.write(buffer, 0, n);
            n = stream.read(buffer, 0, buffer.length, TIMEOUT);
        }
        assertThat(Arrays.equals(echoed.toByteArray(), request)).as("every request byte echoed, in order (%d of %d bytes came back)",
                echoed.size(), request.length).isTrue();
        connection.awaitHandshake(TIMEOUT);
        byte[] next = Polling.await(connection::session, TIMEOUT, "the session ticket");
        ServerView view = Polling.await(() -> lastServerView, TIMEOUT, "the server's view of the connection");
        Exchange exchange = new Exchange(millis, connection.isResumed(), connection.isEarlyData(), view, next);
        QuicConnection serverConnection = lastServerConnection;
        connection.close();
        // Each exchange's relay closes right after it: let the client's last packets (its ACK of the
        // server's fin, then the CONNECTION_CLOSE) cross the relay's delay first. Otherwise the
        // server never hears either, and its engine's close rightly reports the fin unacknowledged.
        Polling.await(serverConnection::closeReason, TIMEOUT, "the client's CONNECTION_CLOSE at the server");
        return exchange;
    }

    private QuicServer bind(ServerConfig config) {
        EchoListener echo = new EchoListener() {
            @Override
            public void onHandshakeComplete(QuicConnection connection) {
                lastServerConnection = connection;
                lastServerView = new ServerView(connection.isResumed(), connection.isEarlyData());
            }
        };
        return serverEngine.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), config, echo);
    }

    private static FaultInjectingRelay delayingRelay(QuicServer server) {
        return FaultInjectingRelay.builder().target(server.localAddress())
                .bothWays(FaultProfile.builder().delay(ONE_WAY).build()).build();
    }

    private static ServerConfig serverConfig(boolean earlyData, byte[] ticketKey) {
        ServerConfig.Builder b = ServerConfig.builder().certificateChain(TestCertificate.certificate())
                .privateKey(TestCertificate.privateKey()).alpn(EngineFixture.ALPN).earlyData(earlyData);
        if (ticketKey != null) {
            b.sessionTicketKey(ticketKey);
        }
        return b.build();
    }

    private static final ClientConfig EARLY = clientConfigFresh(true);
    private static final ClientConfig NO_EARLY = clientConfigFresh(false);

    /** Shared instances: the engine makes one native config per instance. */
    private static ClientConfig clientConfig(boolean earlyData) {
        return earlyData ? EARLY : NO_EARLY;
    }

    private static ClientConfig clientConfigFresh(boolean earlyData) {
        return ClientConfig.builder().alpn(EngineFixture.ALPN).caFile(TestCertificate.certificate())
                .serverName("localhost").earlyData(earlyData).build();
    }
}
