package io.quicheengine;

import org.agrona.DirectBuffer;

/**
 * Receives stream bytes in place, straight from the stream's read ring: zero copies. Called by
 * {@link QuicStream#poll} on the polling thread.
 *
 * <p>The buffer is valid only during the call: copy what you need to keep. A fragment is a
 * contiguous run of the ring, not a message boundary; stream bytes may arrive split anywhere.
 */
@FunctionalInterface
public interface FragmentHandler {
    /**
     * @param buffer the ring's memory
     * @param index  where the fragment starts in {@code buffer}
     * @param length the fragment's length, at least 1
     */
    void onFragment(DirectBuffer buffer, int index, int length);
}
