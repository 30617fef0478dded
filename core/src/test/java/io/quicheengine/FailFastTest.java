package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quicheengine.testing.TestCertificate;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A connection that cannot succeed fails fast: at once when nothing listens at the port (ICMP
 * port unreachable, native sockets), by the handshake timeout when the peer never answers.
 * Real sockets on 127.0.0.1; each test prints the time it measured.
 */
class FailFastTest {

    private static final ClientConfig CLIENT = ClientConfig.builder().alpn(EngineFixture.ALPN).caFile(TestCertificate.certificate())
            .serverName("localhost").build();

    private final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = WaitStrategy.class, names = {"BLOCKING", "BACKOFF", "BUSY_SPIN"})
    void nothingListeningFailsAtOnce(WaitStrategy strategy) throws Exception {
        InetSocketAddress dead = deadPort();
        try (QuicEngine engine = client(strategy, false)) {
            long start = System.nanoTime();
            QuicConnection connection = engine.connect(dead, CLIENT);
            Throwable failure = failureOf(connection, Duration.ofSeconds(30));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.printf("FailFastTest: %s: connect to dead port %s failed after %d ms: %s%n", strategy, dead, millis, failure.getMessage());

            assertThat(failure).isInstanceOf(ClosedException.class).hasMessageContaining("nothing listening at 127.0.0.1:" + dead.getPort());
            assertThat(millis).as("time to fail against a dead port").isLessThan(500);
            assertThat(connection.closeReason()).as("why, once the handshake failed").isNotNull();
            CloseReason reason = connection.closeFuture().get(5, TimeUnit.SECONDS);
            assertThat(reason.reason()).isEqualTo("nothing listening at 127.0.0.1:" + dead.getPort());
            assertThat(reason.isClean()).isFalse();
            assertThatThrownBy(() -> connection.awaitHandshake(Duration.ofSeconds(1))).isInstanceOf(ClosedException.class)
                    .hasMessageContaining("nothing listening at 127.0.0.1:" + dead.getPort());
            if (strategy == WaitStrategy.BLOCKING) {
                assertLoopSleeps("client-loop");
            }
            assertThat(errors).isEmpty();
        }
    }

    @Test
    void nothingListeningOnIpv6FailsAtOnce() throws Exception {
        InetSocketAddress dead = deadPort(InetAddress.getByName("::1"));
        try (QuicEngine engine = client(WaitStrategy.BLOCKING, false)) {
            long start = System.nanoTime();
            Throwable failure = failureOf(engine.connect(dead, CLIENT), Duration.ofSeconds(30));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.printf("FailFastTest: IPv6: connect to dead port %s failed after %d ms: %s%n", dead, millis, failure.getMessage());
            assertThat(failure).isInstanceOf(ClosedException.class).hasMessageContaining("nothing listening at [0:0:0:0:0:0:0:1]:" + dead.getPort());
            assertThat(millis).isLessThan(500);
            assertLoopSleeps("client-loop");
            assertThat(errors).isEmpty();
        }
    }

    @Test
    void aDeadPortDoesNotDisturbAnEstablishedConnectionOnTheSameSocket() {
        try (EngineFixture fixture = new EngineFixture(WaitStrategy.BLOCKING, new EchoListener())) {
            QuicConnection live = fixture.connect();
            for (int i = 0; i < 3; i++) {
                // Each ICMP error is also reported once through errno on the next send or receive of the shared socket.
                QuicConnection doomed = fixture.clientEngine.connect(deadPort(), fixture.clientConfig);
                assertThat(failureOf(doomed, Duration.ofSeconds(5))).hasMessageContaining("nothing listening at");
                EchoTest.echoOne(live.openBidirectionalStream(Duration.ofSeconds(5)), 256 * 1024, i);
            }
            assertThat(live.isEstablished()).isTrue();
            assertThat(fixture.errors()).isEmpty();
        }
    }

    @Test
    void silentPeerFailsByTheHandshakeTimeout() throws Exception {
        Duration timeout = Duration.ofMillis(400);
        ClientConfig config = ClientConfig.builder().alpn(EngineFixture.ALPN).caFile(TestCertificate.certificate()).serverName("localhost")
                .transport(TransportSettings.builder().handshakeTimeout(timeout).build()).build();
        try (DatagramSocket swallower = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             QuicEngine engine = client(WaitStrategy.BLOCKING, false)) {
            // Warm up (loop thread, classes, the native client config) so the measurement is of the timeout alone.
            assertThat(failureOf(engine.connect(deadPort(), config), Duration.ofSeconds(30))).hasMessageContaining("nothing listening at");
            long start = System.nanoTime();
            QuicConnection connection = engine.connect((InetSocketAddress) swallower.getLocalSocketAddress(), config);
            Throwable failure = failureOf(connection, Duration.ofSeconds(30));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.printf("FailFastTest: silent peer, handshake timeout %s: failed after %d ms: %s%n", timeout, millis, failure.getMessage());

            assertThat(failure).isInstanceOf(ClosedException.class).hasMessageContaining("handshake timed out after 400 ms");
            assertThat(millis).as("the handshake timeout plus a margin for a loaded machine").isBetween(timeout.toMillis() - 5, timeout.toMillis() + 500);
            assertThat(connection.closeFuture().get(5, TimeUnit.SECONDS).reason()).isEqualTo("handshake timed out after 400 ms");
            assertThat(errors).isEmpty();
        }
    }

    @Test
    void portableSocketsFailADeadPortByTheHandshakeTimeout() {
        // NIO's DatagramChannel hears of no ICMP error: the handshake timeout is what ends the wait.
        ClientConfig config = ClientConfig.builder().alpn(EngineFixture.ALPN).caFile(TestCertificate.certificate()).serverName("localhost")
                .transport(TransportSettings.builder().handshakeTimeout(Duration.ofMillis(300)).build()).build();
        try (QuicEngine engine = client(WaitStrategy.BLOCKING, true)) {
            long start = System.nanoTime();
            Throwable failure = failureOf(engine.connect(deadPort(), config), Duration.ofSeconds(30));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.printf("FailFastTest: portable sockets, dead port: failed after %d ms: %s%n", millis, failure.getMessage());
            assertThat(failure).hasMessageContaining("handshake timed out after 300 ms");
            assertThat(millis).isLessThan(300 + 400);
        }
    }

    @Test
    void handshakeTimeoutIsChecked() {
        assertThatThrownBy(() -> TransportSettings.builder().handshakeTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("handshakeTimeout").hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> TransportSettings.builder().handshakeTimeout(Duration.ofDays(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("handshakeTimeout must be 0 (off) or 1 ms..1 day");
        assertThatThrownBy(() -> TransportSettings.builder().handshakeTimeout(Duration.ofNanos(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("handshakeTimeout");
        assertThatThrownBy(() -> TransportSettings.builder().handshakeTimeout(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("handshakeTimeout");
        assertThat(TransportSettings.DEFAULTS.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(TransportSettings.builder().handshakeTimeout(Duration.ZERO).build().handshakeTimeout()).isZero();
    }

    private QuicEngine client(WaitStrategy strategy, boolean portable) {
        return QuicEngine.builder().name("client").loopWaitStrategy(strategy).appWaitStrategy(strategy).portableSockets(portable)
                .errorHandler((connection, context, error) -> errors.add(new AssertionError(context, error))).build();
    }

    /** A port on 127.0.0.1 where nothing is bound (the kernel just handed it out and it was released). */
    private static InetSocketAddress deadPort() {
        return deadPort(InetAddress.getLoopbackAddress());
    }

    private static InetSocketAddress deadPort(InetAddress host) {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(host, 0))) {
            return new InetSocketAddress(host, probe.getLocalPort());
        } catch (java.net.SocketException e) {
            throw new AssertionError(e);
        }
    }

    private static Throwable failureOf(QuicConnection connection, Duration limit) {
        try {
            connection.handshake().orTimeout(limit.toMillis(), TimeUnit.MILLISECONDS).join();
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("the handshake with " + connection.remoteAddress() + " succeeded");
    }

    /** After the failure the BLOCKING loop must sleep, not spin on a POLLERR nobody cleared. */
    private static void assertLoopSleeps(String threadName) throws InterruptedException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Thread loop = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(threadName)).findFirst().orElseThrow();
        long before = threads.getThreadCpuTime(loop.threadId());
        Thread.sleep(1000);
        long cpuMillis = TimeUnit.NANOSECONDS.toMillis(threads.getThreadCpuTime(loop.threadId()) - before);
        System.out.printf("FailFastTest: loop CPU while idle after the failure: %d ms in 1 s%n", cpuMillis);
        // Idle it wakes about once a second (0-1 ms of CPU); spinning on POLLERR took 107 ms of 500 ms even on a machine at load 13.
        assertThat(cpuMillis).as("CPU time of the idle BLOCKING loop over 1 s").isLessThan(30);
    }
}
