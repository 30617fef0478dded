package io.quicheengine.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class UnitsTest {

    @Test
    void sizesAreDecimalUnlessBinaryUnitsAreNamed() {
        assertThat(Units.parseBytes("1000")).isEqualTo(1000);
        assertThat(Units.parseBytes("64K")).isEqualTo(64_000);
        assertThat(Units.parseBytes("1.5MB")).isEqualTo(1_500_000);
        assertThat(Units.parseBytes("2MiB")).isEqualTo(2 * 1024 * 1024);
        assertThat(Units.parseBytes("1g")).isEqualTo(1_000_000_000);
        assertThatThrownBy(() -> Units.parseBytes("12 parsecs")).isInstanceOf(TypeConversionException.class).hasMessageContaining("parsecs");
        assertThatThrownBy(() -> Units.parseBytes("-5")).isInstanceOf(TypeConversionException.class);
    }

    @Test
    void ratesTakeBytesPerSecondOrBits() {
        assertThat(Units.parseRate("200K")).isEqualTo(200_000);
        assertThat(Units.parseRate("200KB/s")).isEqualTo(200_000);
        assertThat(Units.parseRate("10MiB/s")).isEqualTo(10 * 1024 * 1024);
        assertThat(Units.parseRate("100Mbit")).isEqualTo(12_500_000);
        assertThat(Units.parseRate("1Gbps")).isEqualTo(125_000_000);
        assertThat(Units.parseRate("0")).isZero();
        assertThatThrownBy(() -> Units.parseRate("fast")).isInstanceOf(TypeConversionException.class).hasMessageContaining("not a rate");
    }

    @Test
    void durationsDefaultToSeconds() {
        assertThat(Units.parseDuration("5")).isEqualTo(Duration.ofSeconds(5));
        assertThat(Units.parseDuration("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Units.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Units.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThatThrownBy(() -> Units.parseDuration("5h")).isInstanceOf(TypeConversionException.class).hasMessageContaining("'h'");
    }

    @Test
    void printsHumanUnits() {
        assertThat(Units.bytes(999)).isEqualTo("999 B");
        assertThat(Units.bytes(200_000)).isEqualTo("200.0 KB");
        assertThat(Units.bytes(1_000_000)).isEqualTo("1.00 MB");
        assertThat(Units.bitRate(200_000)).isEqualTo("1.60 Mbit/s");
        assertThat(Units.bitRate(500_000_000)).isEqualTo("4.00 Gbit/s");
        assertThat(Units.time(86_000)).isEqualTo("86 us");
        assertThat(Units.time(12_340_000)).isEqualTo("12.34 ms");
    }
}
