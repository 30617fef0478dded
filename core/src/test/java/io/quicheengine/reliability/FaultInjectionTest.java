package io.quicheengine.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.quicheengine.QuicConnection;
import io.quicheengine.TransportSettings;
import io.quicheengine.testing.Direction;
import io.quicheengine.testing.FaultInjectingRelay;
import io.quicheengine.testing.FaultProfile;
import io.quicheengine.testing.RelaySeedReporter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Client -> {@link FaultInjectingRelay} -> server, real engines and UDP on 127.0.0.1: transfers stay
 * byte-exact (length and CRC32 per stream) under loss, reordering, duplication, corruption and a
 * blackhole; the handshake survives heavy loss. The transfers are echoes: 8 bidirectional streams
 * each carry {@link ReliabilityScale#FAULT_BYTES_PER_STREAM} bytes to the server and the same bytes
 * back, so both directions cross the faults. A failing test prints the relay's seed (replay with
 * {@code -Drelay.seed=N}).
 */
class FaultInjectionTest {
    private static final int STREAMS = 8;
    private static final int BYTES = ReliabilityScale.FAULT_BYTES_PER_STREAM;
    private static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(ReliabilityScale.FULL ? 600 : 90);

    @RegisterExtension
    final RelaySeedReporter seeds = new RelaySeedReporter();

    @Test
    void eightStreamsStayByteExactUnderLossReorderingAndDuplication() {
        FaultProfile lossy = FaultProfile.builder().drop(0.05).reorder(0.05, Duration.ofMillis(10)).duplicate(0.02).build();
        EchoTransfer.Result result = echoThrough(lossy, TransportSettings.DEFAULTS);
        System.out.println("loss 5% + reorder 5% + duplicate 2%: " + result);
    }

    @Test
    void eightStreamsStayByteExactUnderOnePercentCorruption() {
        FaultProfile corrupt = FaultProfile.builder().corrupt(0.01, 8).build();
        EchoTransfer.Result result = echoThrough(corrupt, TransportSettings.DEFAULTS);
        System.out.println("corruption 1%: " + result);
    }

    private EchoTransfer.Result echoThrough(FaultProfile profile, TransportSettings transport) {
        try (Peers peers = Peers.builder().transport(transport).build();
             FaultInjectingRelay relay = seeds.track(FaultInjectingRelay.builder().target(peers.server.localAddress()).bothWays(profile).build())) {
            QuicConnection connection = peers.connect(relay.address(), Duration.ofSeconds(30));
            EchoTransfer.Result result = new EchoTransfer().run(connection, STREAMS, BYTES, relay.seed(), TRANSFER_TIMEOUT, relay::describe);
            assertThat(result.exact()).as("every stream byte-exact: %s\n%s", result.streams(), relay.describe()).isTrue();
            assertThat(result.bytesEchoed()).isEqualTo((long) STREAMS * BYTES);
            assertThat(peers.errors.all()).as(relay.describe()).isEmpty();
            assertFaultsHappened(relay, profile);
            connection.close();
            return result;
        }
    }

    private static void assertFaultsHappened(FaultInjectingRelay relay, FaultProfile profile) {
        for (Direction direction : Direction.values()) {
            var counters = relay.counters(direction);
            if (profile.drop() > 0) {
                assertThat(counters.dropped()).as("%s dropped\n%s", direction, relay.describe()).isPositive();
            }
            if (profile.corrupt() > 0) {
                assertThat(counters.corrupted()).as("%s corrupted\n%s", direction, relay.describe()).isPositive();
            }
            if (profile.duplicate() > 0) {
                assertThat(counters.duplicated()).as("%s duplicated\n%s", direction, relay.describe()).isPositive();
            }
            if (profile.reorder() > 0) {
                assertThat(counters.reordered()).as("%s reordered\n%s", direction, relay.describe()).isPositive();
            }
        }
    }
}
