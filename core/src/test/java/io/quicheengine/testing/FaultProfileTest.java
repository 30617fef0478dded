package io.quicheengine.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class FaultProfileTest {

    @Test
    void badValuesThrowIllegalArgumentExceptionNamingTheParameterAndValue() {
        assertRejected(() -> FaultProfile.builder().drop(1.5), "drop", "1.5");
        assertRejected(() -> FaultProfile.builder().drop(-0.1), "drop", "-0.1");
        assertRejected(() -> FaultProfile.builder().duplicate(1.01), "duplicate", "1.01");
        assertRejected(() -> FaultProfile.builder().reorder(Double.NaN, Duration.ZERO), "reorder", "NaN");
        assertRejected(() -> FaultProfile.builder().reorder(0.1, Duration.ofMillis(-1)),
                "reorderMaxDelay", "PT-0.001S");
        assertRejected(() -> FaultProfile.builder().reorder(0.1, Duration.ofDays(2)), "reorderMaxDelay", "PT48H");
        assertRejected(() -> FaultProfile.builder().corrupt(2), "corrupt", "2.0");
        assertRejected(() -> FaultProfile.builder().corrupt(0.1, 0), "corruptMaxBits", "0");
        assertRejected(() -> FaultProfile.builder().corrupt(0.1, 65), "corruptMaxBits", "65");
        assertRejected(() -> FaultProfile.builder().maxDatagramSize(0), "maxDatagramSize", "0");
        assertRejected(() -> FaultProfile.builder().delay(Duration.ofMillis(-1)), "delay", "PT-0.001S");
        // the record's own constructor checks too, for profiles built without the builder
        assertRejected(() -> new FaultProfile(0, 0, 0, Duration.ZERO, 0, 1, -5, false, Duration.ZERO), "maxDatagramSize", "-5");
        assertThatThrownBy(() -> FaultProfile.builder().reorder(0.1, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("reorderMaxDelay");
    }

    @Test
    void boundaryValuesAreAccepted() {
        FaultProfile p = FaultProfile.builder()
                .drop(1.0)
                .duplicate(0.0)
                .reorder(1.0, Duration.ZERO)
                .corrupt(1.0, FaultProfile.MAX_CORRUPT_BITS)
                .maxDatagramSize(1)
                .build();
        assertThat(p.drop()).isEqualTo(1.0);
        assertThat(p.corruptMaxBits()).isEqualTo(64);
        assertThat(p.maxDatagramSize()).isEqualTo(1);
    }

    @Test
    void toStringNamesEveryActiveFaultAndCleanSaysClean() {
        FaultProfile p = FaultProfile.builder()
                .drop(0.05)
                .reorder(0.05, Duration.ofMillis(20))
                .duplicate(0.02)
                .corrupt(0.01, 3)
                .maxDatagramSize(1200)
                .build();
        assertThat(p.toString())
                .contains("drop=0.05", "reorder=0.05 (<= 20 ms)", "duplicate=0.02", "corrupt=0.01 (1..3 bits)",
                        "maxDatagramSize=1200")
                .doesNotContain("blackhole");
        assertThat(FaultProfile.CLEAN).hasToString("clean");
        assertThat(FaultProfile.CLEAN.isClean()).isTrue();
        assertThat(p.isClean()).isFalse();
        assertThat(p.toBuilder().blackhole(true).build().toString()).contains("blackhole");
    }

    @Test
    void toBuilderKeepsEveryValue() {
        FaultProfile p = FaultProfile.builder()
                .drop(0.1)
                .duplicate(0.2)
                .reorder(0.3, Duration.ofMillis(7))
                .corrupt(0.4, 5)
                .maxDatagramSize(999)
                .blackhole(true)
                .build();
        assertThat(p.toBuilder().build()).isEqualTo(p);
    }

    private static void assertRejected(ThrowingCallable call, String parameter, String value) {
        assertThatThrownBy(call)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(parameter + " ")
                .hasMessageContaining(value);
    }
}
