package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The router's list of live connections: O(1) removal from anywhere, every index kept right. */
class ConnectionRouterTest {
    private static ConnectionState connection() {
        return new ConnectionState(null, true, null, null, null, "localhost", null, TransportSettings.DEFAULTS);
    }

    @Test
    void theRouterRemovesAnyLiveConnectionInConstantTimeAndKeepsTheRest() {
        ConnectionRouter router = new ConnectionRouter();
        List<ConnectionState> live = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ConnectionState connection = connection();
            connection.sourceIdKey = i;
            router.add(connection);
            live.add(connection);
        }
        SplittableRandom random = new SplittableRandom(5);
        while (!live.isEmpty()) {
            ConnectionState gone = live.remove(random.nextInt(live.size()));
            router.remove(gone);
            assertThat(gone.liveIndex).isEqualTo(-1);
            assertThat(router.knowsSourceId(gone.sourceIdKey)).isFalse();
            assertThat(router.liveCount()).isEqualTo(live.size());
            for (int i = 0; i < router.liveCount(); i++) {
                assertThat(router.live(i).liveIndex).isEqualTo(i);
                assertThat(live).contains(router.live(i));
            }
        }
    }
}
