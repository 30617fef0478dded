package io.quicheengine.ffi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Surefire runs with -Dquiche.ffm.callChecks=true, so every wrapper reports to the observer. */
class CallObserverTest {

    @AfterEach
    void uninstall() {
        Downcalls.callObserver(null);
    }

    @Test
    void observerSeesEveryCallByItsCName() {
        assertThat(Downcalls.CALL_CHECKS).as("surefire sets -Dquiche.ffm.callChecks=true").isTrue();
        List<String> seen = new ArrayList<>();
        Downcalls.callObserver(seen::add);
        Quiche.version();
        var config = QuicheConfig.newConfig(Quiche.PROTOCOL_VERSION);
        QuicheConfig.free(config);
        assertThat(seen).containsExactly("quiche_version", "quiche_config_new", "quiche_config_free");
    }

    @Test
    void observerCanRefuseACall() {
        Downcalls.callObserver(function -> {
            throw new IllegalStateException("refused " + function);
        });
        assertThatThrownBy(Quiche::version).hasMessage("refused quiche_version");
    }
}
