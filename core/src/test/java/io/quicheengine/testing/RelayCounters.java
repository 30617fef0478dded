package io.quicheengine.testing;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What a {@link FaultInjectingRelay} did to one direction of traffic. Written only by the relay's
 * thread (plain read, release store: no locked instruction per datagram); read by any thread at any
 * time, also after the relay is closed.
 *
 * <p>Every received datagram ends in exactly one of forwarded, dropped, clamped, blackholed, failed,
 * or is still held back, so at any quiet moment
 * {@code received() == forwarded() + dropped() + clamped() + blackholed() + failed() + held()}
 * (see {@link #unaccounted()}). Extra copies are counted in {@link #duplicated()} only; datagrams
 * delayed and later sent count in both {@link #reordered()} and {@link #forwarded()}; corrupted ones
 * that are forwarded count in both {@link #corrupted()} and {@link #forwarded()}.
 */
public final class RelayCounters {
    final AtomicLong received = new AtomicLong();
    final AtomicLong forwarded = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong duplicated = new AtomicLong();
    final AtomicLong reordered = new AtomicLong();
    final AtomicLong corrupted = new AtomicLong();
    final AtomicLong clamped = new AtomicLong();
    final AtomicLong blackholed = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong held = new AtomicLong();

    RelayCounters() {
    }

    /** Relay thread only: the single writer may skip the atomic read-modify-write. */
    static void incrementRelease(AtomicLong counter) {
        counter.setRelease(counter.getPlain() + 1);
    }

    /** Relay thread only. */
    static void decrementRelease(AtomicLong counter) {
        counter.setRelease(counter.getPlain() - 1);
    }

    /** Datagrams the relay read in this direction. */
    public long received() {
        return received.getAcquire();
    }

    /** Original datagrams sent on (at once or after being held back), corrupted or not. */
    public long forwarded() {
        return forwarded.getAcquire();
    }

    /** Datagrams dropped by the drop probability. */
    public long dropped() {
        return dropped.getAcquire();
    }

    /** Extra copies sent. */
    public long duplicated() {
        return duplicated.getAcquire();
    }

    /** Datagrams held back to be overtaken. */
    public long reordered() {
        return reordered.getAcquire();
    }

    /** Datagrams with flipped bits. */
    public long corrupted() {
        return corrupted.getAcquire();
    }

    /** Datagrams dropped for being longer than the profile's {@code maxDatagramSize}. */
    public long clamped() {
        return clamped.getAcquire();
    }

    /** Datagrams dropped by a blackhole (profile flag, {@code setBlackhole} or a blackhole window). */
    public long blackholed() {
        return blackholed.getAcquire();
    }

    /**
     * Datagrams the relay meant to send but the socket refused (send buffer full, client evicted
     * while the datagram was held back, upstream socket could not be opened).
     */
    public long failed() {
        return failed.getAcquire();
    }

    /** Datagrams held back right now; those still held when the relay closes stay counted here. */
    public long held() {
        return held.getAcquire();
    }

    /**
     * {@code received - (forwarded + dropped + clamped + blackholed + failed + held)}: zero when the
     * counters add up. Momentarily non-zero while the relay is inside a datagram.
     */
    public long unaccounted() {
        long held = held();
        long failed = failed();
        long blackholed = blackholed();
        long clamped = clamped();
        long dropped = dropped();
        long forwarded = forwarded();
        return received() - (forwarded + dropped + clamped + blackholed + failed + held);
    }

    @Override
    public String toString() {
        return "received=" + received()
                + " forwarded=" + forwarded()
                + " dropped=" + dropped()
                + " duplicated=" + duplicated()
                + " reordered=" + reordered()
                + " corrupted=" + corrupted()
                + " clamped=" + clamped()
                + " blackholed=" + blackholed()
                + " failed=" + failed()
                + " held=" + held();
    }
}
