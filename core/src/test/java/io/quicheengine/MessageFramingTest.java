package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * {@link MessageAssembler} on its own: frames split at every possible point, bad lengths, and a
 * handler that throws. The engine end to end is in {@link TradingApiTest}.
 */
class MessageFramingTest {
    private static byte[] frames(String... messages) {
        int total = 0;
        for (String m : messages) {
            total += MessageFramer.HEADER_LENGTH + m.length();
        }
        UnsafeBuffer out = new UnsafeBuffer(new byte[total]);
        int at = 0;
        for (String m : messages) {
            MessageFramer.putHeader(out, at, m.length());
            out.putStringWithoutLengthAscii(at + MessageFramer.HEADER_LENGTH, m);
            at += MessageFramer.HEADER_LENGTH + m.length();
        }
        return out.byteArray();
    }

    @Test
    void messagesComeOutWholeWhereverTheStreamIsSplit() {
        byte[] stream = frames("order-1", "", "a much longer order number two", "x");
        for (int first = 0; first <= stream.length; first++) {
            for (int second = first; second <= stream.length; second++) {
                List<String> got = new ArrayList<>();
                MessageAssembler assembler = new MessageAssembler(64, (b, i, n) -> got.add(b.getStringWithoutLengthAscii(i, n)));
                // Each fragment at a different place in a larger buffer, as ring fragments are.
                feed(assembler, stream, 0, first);
                feed(assembler, stream, first, second - first);
                feed(assembler, stream, second, stream.length - second);
                assertThat(got).as("split at %d and %d", first, second).containsExactly("order-1", "", "a much longer order number two", "x");
            }
        }
    }

    @Test
    void aLengthOverTheMaximumThrowsAndEveryLaterFragmentThrowsToo() {
        MessageAssembler assembler = new MessageAssembler(16, (b, i, n) -> { });
        byte[] bad = frames("seventeen bytes!!");
        assertThatThrownBy(() -> feed(assembler, bad, 0, bad.length)).isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("17 bytes").hasMessageContaining("the most is 16")
                .satisfies(e -> assertThat(((MalformedMessageException) e).length()).isEqualTo(17));
        byte[] good = frames("ok");
        assertThatThrownBy(() -> feed(assembler, good, 0, good.length)).isInstanceOf(MalformedMessageException.class);
        assembler.reset();
        feed(assembler, good, 0, good.length);
    }

    @Test
    void aNegativeLengthSplitAcrossFragmentsThrows() {
        MessageAssembler assembler = new MessageAssembler(1024, (b, i, n) -> { });
        UnsafeBuffer header = new UnsafeBuffer(new byte[4]);
        header.putInt(0, -5, ByteOrder.BIG_ENDIAN);
        feed(assembler, header.byteArray(), 0, 2);
        assertThatThrownBy(() -> feed(assembler, header.byteArray(), 2, 2)).isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining(Long.toString(Integer.toUnsignedLong(-5)));
    }

    @Test
    void aThrowingHandlerLosesNoMessageAndRepeatsNone() {
        List<String> got = new ArrayList<>();
        MessageAssembler assembler = new MessageAssembler(64, (b, i, n) -> {
            String message = b.getStringWithoutLengthAscii(i, n);
            got.add(message);
            if (message.startsWith("bad")) {
                throw new IllegalStateException("rejected " + message);
            }
        });
        byte[] stream = frames("one", "bad-1", "two", "bad-2", "three");
        assertThatThrownBy(() -> feed(assembler, stream, 0, stream.length)).isInstanceOf(IllegalStateException.class)
                .hasMessage("rejected bad-1").satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
        byte[] next = frames("four");
        feed(assembler, next, 0, next.length);
        assertThat(got).containsExactly("one", "bad-1", "two", "bad-2", "three", "four");
    }

    @Test
    void badArgumentsAreRefusedByName() {
        assertThatThrownBy(() -> new MessageAssembler(-1, (b, i, n) -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxMessageLength").hasMessageContaining("-1");
        assertThatThrownBy(() -> new MessageAssembler(8, null)).isInstanceOf(NullPointerException.class).hasMessageContaining("handler");
        assertThatThrownBy(() -> new MessageFramer(-3)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxMessageLength");
    }

    private static void feed(MessageAssembler assembler, byte[] bytes, int offset, int length) {
        if (length == 0) {
            return;
        }
        byte[] spaced = new byte[length + 16];
        System.arraycopy(bytes, offset, spaced, 7, length);
        assembler.onFragment(new UnsafeBuffer(spaced), 7, length);
    }
}
