package io.quicheengine;

import org.agrona.DirectBuffer;

/**
 * Receives one whole message, reassembled by a {@link MessageAssembler} from a stream's
 * length-prefixed frames (the prefix removed). Called on the thread that polls the stream,
 * inside {@link QuicStream#poll}.
 *
 * <p>The buffer is valid only during the call: copy what you need to keep. It is the stream's read
 * ring when the message arrived in one piece (zero copies), or the assembler's own buffer when it
 * was split across fragments.
 */
@FunctionalInterface
public interface MessageHandler {
    /**
     * @param buffer holds the message
     * @param index  where the message starts in {@code buffer}
     * @param length the message's length, 0 or more
     */
    void onMessage(DirectBuffer buffer, int index, int length);
}
