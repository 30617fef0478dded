package io.quicheengine.ffi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuicheConfigTest {

    private MemorySegment config;

    @BeforeEach
    void create() {
        config = QuicheConfig.newConfig(Quiche.PROTOCOL_VERSION);
        assertThat(config).isNotEqualTo(MemorySegment.NULL);
    }

    @AfterEach
    void free() {
        QuicheConfig.free(config);
    }

    @Test
    void versionIsTheOnePinned() {
        assertThat(Quiche.version()).isEqualTo(QuicheLibrary.info().version()).isIn(QuicheLibrary.RELEASE_VERSION, QuicheLibrary.FALLBACK_VERSION);
        assertThat(Quiche.versionIsSupported(Quiche.PROTOCOL_VERSION)).isTrue();
        assertThat(Quiche.versionIsSupported(0x0a0a0a0a)).isFalse();
    }

    @Test
    void missingCertificateFileIsNamedInTheError(@TempDir Path dir) {
        Path missing = dir.resolve("nope/cert.pem");
        assertThatThrownBy(() -> QuicheConfig.loadCertChain(config, missing))
                .isInstanceOf(QuicheException.class)
                .hasMessageContaining(missing.toAbsolutePath().toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void garbageKeyFileIsRejectedByQuicheWithTheFileNamed(@TempDir Path dir) throws Exception {
        Path garbage = Files.writeString(dir.resolve("key.pem"), "not a key");
        assertThatThrownBy(() -> QuicheConfig.loadPrivateKey(config, garbage))
                .isInstanceOf(QuicheException.class)
                .hasMessageContaining(garbage.toString())
                .hasMessageContaining("QUICHE_ERR_");
    }

    @Test
    void realCertificateAndKeyLoad() {
        QuicheConfig.loadCertChain(config, InMemoryPair.resource("cert.pem"));
        QuicheConfig.loadPrivateKey(config, InMemoryPair.resource("key.pem"));
        QuicheConfig.loadVerifyLocations(config, InMemoryPair.resource("cert.pem"));
    }

    @Test
    void everyKnobIsCallable() {
        QuicheConfig.setApplicationProtos(config, List.of("h3", "hq-interop"));
        QuicheConfig.setMaxIdleTimeout(config, 30_000);
        QuicheConfig.setInitialMaxStreamDataUni(config, 1 << 20);
        QuicheConfig.setAckDelayExponent(config, 3);
        QuicheConfig.setMaxAckDelay(config, 25);
        QuicheConfig.setCcAlgorithm(config, QuicheConfig.CC_BBR2_GCONGESTION);
        try (Arena arena = Arena.ofConfined()) {
            assertThat(QuicheConfig.setCcAlgorithmName(config, arena.allocateFrom("cubic"))).isZero();
            assertThat(QuicheConfig.setCcAlgorithmName(config, arena.allocateFrom("bbr2_gcongestion"))).isZero();
            assertThat(QuicheConfig.setCcAlgorithmName(config, arena.allocateFrom("no-such-cc"))).isNegative();
            QuicheConfig.setStatelessResetToken(config, arena.allocate(16));
            assertThat(QuicheConfig.setTicketKey(config, arena.allocate(48), 48)).isZero();
        }
        QuicheConfig.setInitialCongestionWindowPackets(config, 20);
        QuicheConfig.enableHystart(config, true);
        QuicheConfig.enablePacing(config, true);
        QuicheConfig.setMaxPacingRate(config, 1_000_000_000L);
        QuicheConfig.setMaxConnectionWindow(config, 64 << 20);
        QuicheConfig.setMaxStreamWindow(config, 16 << 20);
        QuicheConfig.setActiveConnectionIdLimit(config, 4);
        QuicheConfig.setDisableDcidReuse(config, true);
        QuicheConfig.grease(config, false);
        QuicheConfig.discoverPmtu(config, false);
        QuicheConfig.setMaxAmplificationFactor(config, 3);
        QuicheConfig.enableEarlyData(config);
        QuicheConfig.logKeys(config);
    }

    @Test
    void alpnNamesAreChecked() {
        assertThatThrownBy(() -> QuicheConfig.setApplicationProtos(config, List.of()))
                .hasMessageContaining("at least one ALPN protocol");
        assertThatThrownBy(() -> QuicheConfig.setApplicationProtos(config, List.of("x".repeat(256))))
                .hasMessageContaining("1 to 255 characters");
        assertThat(AlpnCodec.decode(AlpnCodec.encode(List.of("h3", "echo")))).containsExactly("h3", "echo");
    }
}
