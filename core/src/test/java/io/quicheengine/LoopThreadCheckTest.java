package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quicheengine.ffi.Downcalls;
import io.quicheengine.ffi.QuicheConfig;
import org.junit.jupiter.api.Test;

/** The whole core suite runs with -Dquiche.ffm.callChecks=true: any quiche call off a loop thread fails loudly. */
class LoopThreadCheckTest {

    @Test
    void theSuiteRunsWithCallChecksOn() {
        assertThat(Downcalls.CALL_CHECKS).as("surefire sets -Dquiche.ffm.callChecks=true for every test").isTrue();
    }

    @Test
    void aQuicheCallFromAnApplicationThreadIsRefused() {
        try (QuicEngine engine = QuicEngine.builder().build()) {
            assertThat(engine.isClosed()).isFalse();
            assertThatThrownBy(() -> QuicheConfig.newConfig(1))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("quiche_config_new")
                    .hasMessageContaining("only an engine's loop thread");
        }
    }
}
