package io.quicheengine;

import io.quicheengine.internal.buffers.CommandRing;
import io.quicheengine.internal.buffers.StreamReadRing;
import io.quicheengine.internal.io.AppWait;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;

/**
 * One QUIC stream: a handle that application threads write to and read from. The stream's state
 * lives with the engine; no call here touches quiche (writes go to the loop through the command
 * ring, reads come from the stream's read ring).
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>Writing ({@code offer}, {@code write}, {@link #finish}, {@link #reset}): any thread, also
 *       several at once; each call's bytes stay contiguous and in order, but calls from different
 *       threads interleave in the order they claim the ring.</li>
 *   <li>Reading ({@code poll}, {@code read}, {@link #shutdownRead}): one thread at a time; a second
 *       thread reading concurrently gets an {@link IllegalStateException}. It may be a different
 *       thread from call to call, and may be the loop thread inside a {@link QuicListener} callback.</li>
 *   <li>Statistics and state queries: any thread.</li>
 * </ul>
 * Blocking calls ({@code write} with a timeout, {@code read} with a timeout) must not be made on
 * the loop thread: they would wait for the very thread they block. The owner of an invoker-mode
 * engine may make them outside a listener callback: they run duty cycles while they wait, and its
 * writes go straight to quiche when nothing is queued ahead ({@link QuicEngine.Builder#invoker}).
 *
 * <h2>Backpressure</h2>
 * Bytes accepted but not yet taken by quiche count against a per-stream and a per-connection
 * bound ({@link QuicEngine.Builder#streamWriteBound}, {@link QuicEngine.Builder#connectionWriteBound}).
 * {@code offer} takes what fits and says how much; {@code write} waits for credit. Accepted bytes
 * are never dropped while the stream and connection are open. On the read side a full read ring
 * stops the engine pulling from quiche, so QUIC flow control holds the peer back until the
 * application reads.
 *
 * <pre>{@code
 * QuicStream stream = connection.openBidirectionalStream();
 * stream.write(request, 0, request.length, true, Duration.ofSeconds(1));
 * while (stream.poll((buffer, index, length) -> consume(buffer, index, length), 16) >= 0) {
 *     idle();
 * }
 * }</pre>
 */
public final class QuicStream {
    private final StreamState state;
    /** The application's object; written and read by any thread. */
    private volatile Object attachment;

    QuicStream(StreamState state) {
        this.state = state;
    }

    StreamState state() {
        return state;
    }

    /**
     * Attaches an application object (a session, an order book, a decoder) to this stream, replacing
     * any earlier one; null removes it. Kept until the application replaces it, also after close;
     * the engine never reads it. Any thread; a volatile store, so another thread's
     * {@link #attachment()} sees it.
     *
     * @return the object attached before, or null
     */
    public Object attach(Object attachment) {
        Object previous = this.attachment;
        this.attachment = attachment;
        return previous;
    }

    /** The object last {@linkplain #attach attached}, or null. Any thread. */
    public Object attachment() {
        return attachment;
    }

    /** The QUIC stream id. */
    public long id() {
        return state.id;
    }

    public QuicConnection connection() {
        return state.connection.handle;
    }

    public boolean isBidirectional() {
        return state.bidirectional;
    }

    /** True for streams this side opened. */
    public boolean isLocal() {
        return state.local;
    }

    // ------------------------------------------------------------------ writing

    /**
     * Offers bytes without blocking.
     *
     * @param fin end the stream after these bytes; applied only when all {@code length} bytes were accepted
     * @return the bytes accepted (0 when back-pressured), a prefix of the offered range
     * @throws ClosedException when the stream's write side, its connection or the engine is closed
     */
    public int offer(byte[] source, int offset, int length, boolean fin) {
        Objects.requireNonNull(source, "source");
        Objects.checkFromIndexSize(offset, length, source.length);
        return offerSegment(null, source, offset, length, fin);
    }

    /**
     * Offers a message all or nothing, without blocking: either every byte is accepted, contiguous
     * in the stream even while other threads write to it, or none is.
     *
     * @return true when accepted; false when back-pressured (nothing was taken)
     * @throws IllegalArgumentException when the message is larger than one write can ever take
     *         (the stream write bound, or a quarter of the command ring)
     */
    public boolean offerMessage(byte[] source, int offset, int length, boolean fin) {
        Objects.requireNonNull(source, "source");
        Objects.checkFromIndexSize(offset, length, source.length);
        return offerMessage(null, source, offset, length, fin);
    }

    /**
     * Offers the buffer's remaining bytes as one message, all or nothing, without blocking; see
     * {@link #offerMessage(byte[], int, int, boolean)}. Heap or direct buffers alike.
     *
     * @return true when accepted, and then the buffer's position has moved to its limit; false
     *         when back-pressured, and then the position is unchanged
     */
    public boolean offerMessage(ByteBuffer source, boolean fin) {
        Objects.requireNonNull(source, "source");
        int length = source.remaining();
        boolean accepted = source.hasArray()
                ? offerMessage(null, source.array(), source.arrayOffset() + source.position(), length, fin)
                : offerMessage(NativeMemory.ALL, null, NativeMemory.positionAddress(source), length, fin);
        Reference.reachabilityFence(source);
        if (accepted) {
            source.position(source.position() + length);
        }
        return accepted;
    }

    /**
     * Offers {@code length} bytes of an Agrona buffer from {@code index} as one message, all or
     * nothing, without blocking; see {@link #offerMessage(byte[], int, int, boolean)}. The buffer
     * may wrap a byte array, a ByteBuffer or off-heap memory; it has no position to move.
     *
     * @return true when accepted; false when back-pressured (nothing was taken)
     */
    public boolean offerMessage(DirectBuffer source, int index, int length, boolean fin) {
        Objects.requireNonNull(source, "source");
        Objects.checkFromIndexSize(index, length, source.capacity());
        byte[] array = source.byteArray();
        if (array != null) {
            return offerMessage(null, array, (int) (source.addressOffset() - BufferUtil.ARRAY_BASE_OFFSET) + index, length, fin);
        }
        // Off-heap: addressOffset is the absolute address, whether the buffer wraps a ByteBuffer or raw memory.
        boolean accepted = offerMessage(NativeMemory.ALL, null, source.addressOffset() + index, length, fin);
        Reference.reachabilityFence(source);
        return accepted;
    }

    /**
     * Claims room for {@code length} bytes in the engine's outbound command slot, for the caller to
     * write into in place: zero copies between the caller's encoder and the bytes quiche sends.
     * All or nothing, as {@link #offerMessage(byte[], int, int, boolean)}: the claimed bytes are
     * one contiguous run of the stream. Any thread that may write this stream.
     *
     * <pre>{@code
     * StreamClaim claim = new StreamClaim();          // once per thread, reused for every claim
     * if (stream.tryClaim(64, false, claim)) {
     *     MutableDirectBuffer buffer = claim.buffer();
     *     encodeOrder(buffer, claim.offset());        // exactly claim.length() bytes
     *     claim.commit();                             // or claim.abort()
     * }
     * }</pre>
     * Between a successful claim and its {@code commit} or {@code abort} the claiming thread holds
     * up every command queued behind it (other writers' bytes, control requests): fill the claim at
     * once, never block or wait in between, and always end it (a {@code finally} with abort suits).
     *
     * @param length the bytes to claim, 1 up to the engine's slot size ({@link QuicEngine.Builder#slotSize})
     * @param fin    end the stream after these bytes, when committed
     * @param claim  the holder to fill; not active (ended by commit or abort)
     * @return true when claimed; false when back-pressured (credit or command ring), nothing held
     * @throws IllegalArgumentException when {@code length} is outside 1..slot size, or over the stream or connection write bound
     * @throws IllegalStateException    when {@code claim} is still active, or the stream cannot be written
     * @throws ClosedException          when the stream's write side, its connection or the engine is closed
     */
    public boolean tryClaim(int length, boolean fin, StreamClaim claim) {
        Objects.requireNonNull(claim, "claim");
        EngineCore engine = state.connection.engine;
        CommandRing<Command> ring = engine.commands;
        if (length < 1 || length > ring.slotSize()) {
            throw new IllegalArgumentException("length must be 1.." + ring.slotSize() + " (one command slot, QuicEngine.Builder.slotSize), was " + length);
        }
        long bound = Math.min(engine.settings.streamWriteBound(), engine.settings.connectionWriteBound());
        if (length > bound) {
            throw new IllegalArgumentException("length " + length + " is larger than the write bound, " + bound + " bytes: it could never be claimed");
        }
        if (claim.isActive()) {
            throw new IllegalStateException("claim is still active: commit or abort it before claiming again");
        }
        checkWritable(engine);
        if (reserveCredit(engine, length, true) == 0) {
            return false;
        }
        if (fin && !state.submitFin()) {
            state.unreserveCredit(length);
            throw new ClosedException("stream " + state.id + " was already finished (fin sent): no more bytes can follow");
        }
        long sequence = ring.tryClaim(1);
        if (sequence < 0) {
            refusedByRing(engine, length, fin);
            return false;
        }
        Command command = ring.get(sequence);
        command.type = Command.NOOP; // until committed: an abandoned claim must never reach quiche
        command.connection = state.connection;
        command.stream = state;
        command.length = length;
        command.fin = fin;
        claim.begin(this, command, sequence);
        return true;
    }

    /** The most bytes one {@link #tryClaim} may take: the engine's command slot size. */
    int slotSize() {
        return state.connection.engine.commands.slotSize();
    }

    /** Publishes a filled claim: its bytes are accepted, as by an offer. Called by {@link StreamClaim#commit()}. */
    void commitClaim(Command command, long sequence) {
        EngineCore engine = state.connection.engine;
        command.type = Command.WRITE;
        engine.commands.publish(sequence, sequence);
        engine.wakeLoop();
    }

    /** Gives a claim back unused: the slot passes to the loop as a no-op, credit and fin return. Called by {@link StreamClaim#abort()}. */
    void abortClaim(Command command, long sequence) {
        int length = command.length;
        boolean fin = command.fin;
        command.type = Command.NOOP;
        state.connection.engine.commands.publish(sequence, sequence);
        state.unreserveCredit(length);
        if (fin) {
            state.revokeFin();
        }
    }

    private boolean offerMessage(MemorySegment segment, byte[] array, long offset, int length, boolean fin) {
        EngineCore engine = state.connection.engine;
        long largest = Math.min(engine.settings.streamWriteBound(), Math.min(engine.settings.connectionWriteBound(),
                (long) engine.commands.maxClaim() * engine.commands.slotSize()));
        if (length > largest) {
            throw new IllegalArgumentException("message of " + length + " bytes is larger than the largest atomic write, " + largest + " bytes");
        }
        if (length == 0) {
            return fin ? offerFin() : true;
        }
        return offerSegment(segment, array, offset, length, fin, true) == length;
    }

    /**
     * Offers the buffer's remaining bytes without blocking and advances its position by what was accepted.
     *
     * @return the bytes accepted
     */
    public int offer(ByteBuffer source, boolean fin) {
        Objects.requireNonNull(source, "source");
        int accepted = source.hasArray()
                ? offerSegment(null, source.array(), source.arrayOffset() + source.position(), source.remaining(), fin)
                : offerSegment(NativeMemory.ALL, null, NativeMemory.positionAddress(source), source.remaining(), fin);
        Reference.reachabilityFence(source);
        source.position(source.position() + accepted);
        return accepted;
    }

    /** Offers {@code length} bytes of an Agrona buffer from {@code index} without blocking; returns the bytes accepted. */
    public int offer(DirectBuffer source, int index, int length, boolean fin) {
        Objects.requireNonNull(source, "source");
        Objects.checkFromIndexSize(index, length, source.capacity());
        byte[] array = source.byteArray();
        if (array != null) {
            int arrayIndex = (int) (source.addressOffset() - BufferUtil.ARRAY_BASE_OFFSET) + index;
            return offerSegment(null, array, arrayIndex, length, fin);
        }
        // Off-heap: addressOffset is the absolute address, whether the buffer wraps a ByteBuffer or raw memory.
        int accepted = offerSegment(NativeMemory.ALL, null, source.addressOffset() + index, length, fin);
        Reference.reachabilityFence(source);
        return accepted;
    }

    /**
     * Writes all bytes, waiting for credit with the engine's application wait strategy.
     *
     * @throws QuicTimeoutException when not all bytes were accepted in time ({@link QuicTimeoutException#progress()} says how many were)
     * @throws ClosedException      when the stream, connection or engine closes first
     */
    public void write(byte[] source, int offset, int length, boolean fin, Duration timeout) {
        Objects.requireNonNull(source, "source");
        Objects.checkFromIndexSize(offset, length, source.length);
        long deadline = deadline(timeout);
        refuseOnLoopThread("write");
        int done = 0;
        int iteration = 0;
        while (true) {
            int n = offerSegment(null, source, offset + done, length - done, fin);
            done += n;
            // A fin can only have been submitted by this call: a second fin throws in offer.
            if (done == length && (!fin || state.finSubmitted)) {
                return;
            }
            if (n > 0) {
                iteration = 0;
                continue;
            }
            awaitWritable(deadline, iteration++, done, length);
        }
    }

    /** Writes the buffer's remaining bytes, waiting for credit; advances its position. */
    public void write(ByteBuffer source, boolean fin, Duration timeout) {
        Objects.requireNonNull(source, "source");
        long deadline = deadline(timeout);
        refuseOnLoopThread("write");
        int total = source.remaining();
        int iteration = 0;
        while (true) {
            int n = offer(source, fin);
            if (!source.hasRemaining() && (!fin || state.finSubmitted)) {
                return;
            }
            if (n > 0) {
                iteration = 0;
                continue;
            }
            awaitWritable(deadline, iteration++, total - source.remaining(), total);
        }
    }

    /**
     * Ends the stream (fin) after the bytes already written, without blocking. Harmless (true) when
     * the stream was already finished.
     *
     * @return true when the fin was handed to the engine; false when the command ring had no room (try again)
     */
    public boolean offerFin() {
        if (state.finSubmitted) {
            return true;
        }
        offerSegment(null, EMPTY, 0, 0, true);
        return state.finSubmitted;
    }

    /** Ends the stream (fin) after the bytes already written, waiting for ring space if needed. Harmless when already finished. */
    public void finish(Duration timeout) {
        if (state.finSubmitted) {
            return;
        }
        write(EMPTY, 0, 0, true, timeout);
    }

    /**
     * Completes once the peer acknowledged the whole send side: every byte written and the fin.
     * Fails with the cause when the stream is reset by this side, stopped by the peer
     * (STOP_SENDING), or its connection closes first (also after a {@link QuicConnection#close}
     * whose flush time ran out). Never completes normally before {@link #finish} was called.
     *
     * <p>With the project's release libquiche (patch 0004, {@code quiche_conn_stream_send_complete})
     * this completes as soon as the fin is acknowledged. With a library without that function (the
     * debug fallback) the engine sees it only when quiche forgets the stream, which for a
     * bidirectional stream also needs the peer to have ended its direction (fin or reset).
     * Completed on the loop thread: dependent actions must not block. Any thread.
     */
    public java.util.concurrent.CompletableFuture<Void> finishFuture() {
        return state.finished;
    }

    private static final byte[] EMPTY = new byte[0];

    /**
     * Abandons sending: RESET_STREAM with {@code applicationErrorCode}; bytes not yet sent are
     * dropped. Harmless when already reset; any thread.
     */
    public void reset(long applicationErrorCode) {
        checkErrorCode(applicationErrorCode);
        if (!state.canWrite) {
            throw new IllegalStateException("stream " + state.id + " is a unidirectional stream opened by the peer: it has no send side to reset");
        }
        if (state.resetByApplication) {
            return;
        }
        state.resetByApplication = true;
        state.connection.engine.submitControl(Command.RESET_STREAM, state.connection, state, applicationErrorCode, false, null);
    }

    // ------------------------------------------------------------------ reading

    /**
     * Hands readable bytes in place to {@code handler}, at most {@code fragmentLimit} contiguous
     * fragments, without blocking.
     *
     * <p>When {@code handler} throws, the fragment it was given counts as consumed (its bytes are
     * read and will not be handed out again), the fragments after it stay readable for the next
     * poll, and the exception propagates to this method's caller unchanged. A handler that throws
     * on bad input therefore cannot make every later poll throw on the same bytes.
     *
     * @return the fragments delivered (0 when nothing is readable yet), or -1 once the stream's
     *         end was reached and everything before it was delivered
     * @throws StreamResetException when the peer reset the stream and no bytes before the reset remain
     */
    public int poll(FragmentHandler handler, int fragmentLimit) {
        Objects.requireNonNull(handler, "handler");
        if (fragmentLimit < 1) {
            throw new IllegalArgumentException("fragmentLimit must be at least 1, was " + fragmentLimit);
        }
        checkReadable();
        if (state.readShutdown) {
            return -1;
        }
        if (!state.acquireReader()) {
            return endOfStream();
        }
        int fragments = 0;
        long consumed = 0;
        boolean handlerThrew = true;
        try {
            StreamReadRing ring = state.ring;
            if (ring != null) {
                long head = ring.headPosition();
                while (fragments < fragmentLimit) {
                    int length = ring.readableBytes(head);
                    if (length == 0) {
                        break;
                    }
                    // Counted before the call: a fragment whose handler throws is consumed, not handed out again forever.
                    head += length;
                    consumed += length;
                    fragments++;
                    try {
                        handler.onFragment(ring.view(), ring.index(head - length), length);
                    } finally {
                        ring.commitRead(head);
                    }
                }
            }
            handlerThrew = false;
        } finally {
            state.releaseReader();
            if (handlerThrew && consumed > 0) {
                afterRead(consumed, fragments);
            }
        }
        return afterRead(consumed, fragments);
    }

    /**
     * Copies readable bytes into {@code destination} without blocking.
     *
     * @return the bytes copied, 0 when nothing is readable yet, or -1 at the end of the stream
     * @throws StreamResetException when the peer reset the stream and no bytes before the reset remain
     */
    public int read(byte[] destination, int offset, int length) {
        Objects.requireNonNull(destination, "destination");
        Objects.checkFromIndexSize(offset, length, destination.length);
        return readInto(null, destination, offset, length);
    }

    /** Copies readable bytes into the buffer's remaining space without blocking; -1 at the end of the stream. */
    public int read(ByteBuffer destination) {
        Objects.requireNonNull(destination, "destination");
        int n = destination.hasArray()
                ? readInto(null, destination.array(), destination.arrayOffset() + destination.position(), destination.remaining())
                : readInto(MemorySegment.ofBuffer(destination), null, 0, destination.remaining());
        if (n > 0) {
            destination.position(destination.position() + n);
        }
        return n;
    }

    /**
     * Copies at least one byte, waiting with the engine's application wait strategy.
     *
     * @return the bytes copied (at least 1), or -1 at the end of the stream
     * @throws QuicTimeoutException when nothing arrived in time
     */
    public int read(byte[] destination, int offset, int length, Duration timeout) {
        Objects.requireNonNull(destination, "destination");
        Objects.checkFromIndexSize(offset, length, destination.length);
        long deadline = deadline(timeout);
        refuseOnLoopThread("read");
        if (length == 0) {
            return 0;
        }
        int iteration = 0;
        while (true) {
            int n = readInto(null, destination, offset, length);
            if (n != 0) {
                return n;
            }
            awaitReadable(deadline, iteration++);
        }
    }

    /**
     * Stops receiving: STOP_SENDING with {@code applicationErrorCode}; unread bytes are dropped and
     * later reads return -1. Harmless when repeated.
     */
    public void shutdownRead(long applicationErrorCode) {
        checkErrorCode(applicationErrorCode);
        if (!state.canRead) {
            throw new IllegalStateException("stream " + state.id + " is a unidirectional stream opened by this side: it has no receive side");
        }
        if (state.readShutdown) {
            return;
        }
        state.readShutdown = true;
        state.connection.engine.submitControl(Command.STOP_SENDING, state.connection, state, applicationErrorCode, false, null);
    }

    // ------------------------------------------------------------------ state

    /** True once every byte up to the peer's fin was read (or reading was shut down). */
    public boolean isReadFinished() {
        long end = state.finalSize;
        return state.readShutdown || !state.canRead || (end >= 0 && state.bytesRead >= end);
    }

    /** True when no more bytes can be written: fin sent, reset, stopped by the peer, or closed. */
    public boolean isWriteClosed() {
        return state.writeClosedReason() != null || state.connection.isClosed();
    }

    /** A snapshot of the stream's byte counters; any thread. */
    public StreamStats stats() {
        long sent = state.bytesSent();
        long accepted = state.bytesAccepted();
        long received = state.bytesReceived;
        long read = state.bytesRead;
        return new StreamStats(state.id, accepted, sent, Math.max(0, accepted - sent), received, read, Math.max(0, received - read));
    }

    @Override
    public String toString() {
        return "QuicStream[" + state.id + (state.bidirectional ? " bidi " : " uni ") + (state.local ? "local" : "peer") + "]";
    }

    // ------------------------------------------------------------------ internals

    private int offerSegment(MemorySegment segment, byte[] array, long offset, int length, boolean fin) {
        return offerSegment(segment, array, offset, length, fin, false);
    }

    private int offerSegment(MemorySegment segment, byte[] array, long offset, int length, boolean fin, boolean allOrNothing) {
        EngineCore engine = state.connection.engine;
        checkWritable(engine);
        if (length == 0 && !fin) {
            return 0;
        }
        int granted = length == 0 ? 0 : reserveCredit(engine, length, allOrNothing);
        if (granted == 0 && length > 0) {
            return 0;
        }
        CommandRing<Command> ring = engine.commands;
        int slotSize = ring.slotSize();
        int chunks = Math.max(1, (granted + slotSize - 1) / slotSize);
        if (chunks > ring.maxClaim()) {
            chunks = ring.maxClaim();
            state.unreserveCredit(granted - (long) chunks * slotSize);
            granted = chunks * slotSize;
        }
        boolean applyFin = fin && granted == length;
        if (applyFin && !state.submitFin()) {
            state.unreserveCredit(granted);
            throw new ClosedException("stream " + state.id + " was already finished (fin sent): no more bytes can follow");
        }
        Invoker invoker = engine.invoker();
        if (invoker != null && invoker.writesDirect(state)) {
            invoker.write(state, segment, array, offset, granted, applyFin);
            return granted;
        }
        long high = ring.tryClaim(chunks);
        if (high < 0) {
            refusedByRing(engine, granted, applyFin);
            return 0;
        }
        long low = high - chunks + 1;
        RuntimeException failure = null;
        int copied = 0;
        for (long sequence = low; sequence <= high; sequence++) {
            Command command = ring.get(sequence);
            int n = Math.min(slotSize, granted - copied);
            command.type = Command.WRITE;
            command.connection = state.connection;
            command.stream = state;
            command.length = n;
            command.fin = applyFin && sequence == high;
            if (failure == null) {
                try {
                    if (array != null) {
                        MemorySegment.copy(array, (int) offset + copied, command.payload, ValueLayout.JAVA_BYTE, 0, n);
                    } else {
                        MemorySegment.copy(segment, offset + copied, command.payload, 0, n);
                    }
                } catch (IllegalStateException e) {
                    failure = new ClosedException("the engine closed during the write", e);
                }
            }
            if (failure != null) {
                command.type = Command.NOOP;
            }
            copied += n;
        }
        ring.publish(low, high);
        if (failure != null) {
            throw failure;
        }
        engine.wakeLoop();
        return granted;
    }

    /** Throws when this stream cannot take bytes now, saying why. */
    private void checkWritable(EngineCore engine) {
        if (!state.canWrite) {
            throw new IllegalStateException("stream " + state.id + " is a unidirectional stream opened by the peer: it cannot be written");
        }
        engine.checkOpen();
        state.connection.checkWritable();
        String closed = state.writeClosedReason();
        if (closed != null) {
            throw new ClosedException(closed);
        }
    }

    /** Reserves stream and connection credit for up to {@code length} bytes (all of them or none when {@code allOrNothing}); returns how many. */
    private int reserveCredit(EngineCore engine, int length, boolean allOrNothing) {
        int granted = state.reserveCredit(length, engine.settings.streamWriteBound());
        if (granted < length) {
            // Short of credit: ask to be told (onStreamWritable, unpark) when quiche takes bytes again,
            // then look once more, so credit returned just before the request is not missed.
            state.writeBlocked = true;
            if (granted == 0) {
                granted = state.reserveCredit(length, engine.settings.streamWriteBound());
                if (granted == 0) {
                    return 0;
                }
            }
            if (allOrNothing && granted < length) {
                state.unreserveCredit(granted);
                return 0;
            }
        }
        return granted;
    }

    /** The command ring had no room: undoes the reservation and asks to be told when to retry. */
    private void refusedByRing(EngineCore engine, int granted, boolean fin) {
        state.unreserveCredit(granted);
        if (fin) {
            state.revokeFin();
        }
        state.writeBlocked = true;
        engine.ringFull = true;
        if (engine.onLoopThread()) {
            engine.loop().writableLater(state); // a listener retries when told: tell it next cycle
        }
    }

    private int readInto(MemorySegment segment, byte[] array, int offset, int length) {
        checkReadable();
        if (state.readShutdown) {
            return -1;
        }
        if (length == 0) {
            return 0;
        }
        if (!state.acquireReader()) {
            return endOfStream();
        }
        int copied = 0;
        try {
            StreamReadRing ring = state.ring;
            if (ring != null) {
                long head = ring.headPosition();
                while (copied < length) {
                    int available = ring.readableBytes(head);
                    if (available == 0) {
                        break;
                    }
                    int n = Math.min(available, length - copied);
                    if (array != null) {
                        MemorySegment.copy(ring.memory(), ValueLayout.JAVA_BYTE, ring.index(head), array, offset + copied, n);
                    } else {
                        MemorySegment.copy(ring.memory(), ring.index(head), segment, copied, n);
                    }
                    head += n;
                    copied += n;
                }
                ring.commitRead(head);
            }
        } finally {
            state.releaseReader();
        }
        return afterRead(copied, copied);
    }

    /** Book-keeping after a read: counters, resuming a blocked stream, end of stream and reset. */
    private int afterRead(long consumed, int result) {
        if (consumed > 0) {
            long total = state.bytesRead + consumed;
            state.bytesRead = total;
            if (state.readBlocked && state.clearReadBlocked()) {
                state.connection.engine.submitControl(Command.STREAM_READ_PROGRESS, state.connection, state, 0, false, null);
            }
            long end = state.finalSize;
            if (end >= 0 && total >= end) {
                // The end was reached: let the loop collect the stream now rather than at connection close.
                state.connection.engine.submitControl(Command.STREAM_READ_PROGRESS, state.connection, state, 0, false, null);
            }
            return result;
        }
        return nothingRead();
    }

    private int nothingRead() {
        long end = state.finalSize;
        if (end >= 0 && state.bytesRead >= end) {
            return -1;
        }
        if (state.readShutdown) {
            return -1;
        }
        long reset = state.resetCode;
        if (reset >= 0) {
            throw new StreamResetException("stream " + state.id + " was reset by the peer with application error " + reset, reset);
        }
        if (state.connection.isClosed() && state.ring == null) {
            state.connection.engine.checkNotFailed();
            throw new ClosedException("stream " + state.id + " cannot be read: " + state.connection.closedDescription());
        }
        return 0;
    }

    /** The reader lease was retired: the ring is gone, so the stream ended, was reset, or the engine closed. */
    private int endOfStream() {
        state.connection.engine.checkNotFailed();
        if (nothingRead() == 0) {
            throw new ClosedException("stream " + state.id + " cannot be read: the engine is closed");
        }
        return -1;
    }

    private void checkReadable() {
        if (!state.canRead) {
            throw new IllegalStateException("stream " + state.id + " is a unidirectional stream opened by this side: it cannot be read");
        }
    }

    private void awaitWritable(long deadline, int iteration, long done, long total) {
        EngineCore engine = state.connection.engine;
        engine.checkNotFailed();
        if (System.nanoTime() - deadline >= 0) {
            throw new QuicTimeoutException("write on stream " + state.id + " timed out: " + done + " of " + total + " bytes accepted", done);
        }
        if (engine.ringFull && (engine.settings.appIdleStrategy() != null || engine.settings.appWaitStrategy() == WaitStrategy.BLOCKING)) {
            // Waiting for ring space, which nobody signals: the loop frees it within microseconds.
            engine.pauseUnsignalled(iteration, deadline);
            return;
        }
        if (engine.waitersRegister()) {
            // Register, then look again: credit the loop returned just before is not missed, and
            // credit it returns from now on unparks this thread.
            state.writeWaiter = Thread.currentThread();
            state.writeBlocked = true;
            if (state.creditUsed() < engine.settings.streamWriteBound() && state.connection.creditUsed() < engine.settings.connectionWriteBound()) {
                state.writeWaiter = null;
                return;
            }
        }
        engine.pause(iteration, deadline);
        state.writeWaiter = null;
    }

    private void awaitReadable(long deadline, int iteration) {
        EngineCore engine = state.connection.engine;
        engine.checkNotFailed();
        if (System.nanoTime() - deadline >= 0) {
            throw new QuicTimeoutException("read on stream " + state.id + " timed out with nothing to read", 0);
        }
        if (engine.waitersRegister()) {
            // Register, then look again (both volatile, as the loop's publish and its look at the waiter).
            state.readWaiter = Thread.currentThread();
            if (state.bytesReceived > state.bytesRead || state.finalSize >= 0 || state.resetCode >= 0 || state.connection.isClosed()) {
                state.readWaiter = null;
                return;
            }
        }
        engine.pause(iteration, deadline);
        state.readWaiter = null;
    }

    private void refuseOnLoopThread(String what) {
        if (state.connection.engine.waitsForItself()) {
            throw new IllegalStateException("a blocking " + what + " on the engine's loop thread would wait for itself: use offer/poll there");
        }
    }

    static long deadline(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
        }
        return System.nanoTime() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
    }

    static void checkErrorCode(long code) {
        if (code < 0 || code > (1L << 62) - 1) {
            throw new IllegalArgumentException("application error code must be 0..2^62-1 (a QUIC varint), was " + code);
        }
    }
}
