package io.quicheengine.ffi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuicheErrorTest {

    @Test
    void everyCodeMapsToItsName() {
        assertThat(QuicheError.values()).hasSize(23);
        for (QuicheError error : QuicheError.values()) {
            assertThat(QuicheError.of(error.code())).isSameAs(error);
        }
        assertThat(QuicheError.of(-1)).isEqualTo(QuicheError.DONE);
        assertThat(QuicheError.of(-15)).isEqualTo(QuicheError.STREAM_STOPPED);
        assertThat(QuicheError.of(-16)).isEqualTo(QuicheError.STREAM_RESET);
        assertThat(QuicheError.of(-22)).isEqualTo(QuicheError.OPTIMISTIC_ACK_DETECTED);
        assertThat(QuicheError.of(-23)).isEqualTo(QuicheError.INVALID_DCID_INITIALIZATION);
    }

    @Test
    void nonCodesAreNotErrors() {
        assertThat(QuicheError.of(0)).isNull();
        assertThat(QuicheError.of(7)).isNull();
        assertThat(QuicheError.of(-24)).isNull();
        assertThat(QuicheError.of(Long.MIN_VALUE)).isNull();
        assertThat(QuicheError.describe(-99)).isEqualTo("unknown quiche error -99");
    }

    @Test
    void descriptionCarriesCNameAndMessage() {
        assertThat(QuicheError.describe(-10)).isEqualTo("QUICHE_ERR_TLS_FAIL (-10): the TLS handshake failed");
        assertThat(new QuicheException("send", -11).error()).isEqualTo(QuicheError.FLOW_CONTROL);
    }
}
