package io.quicheengine.testing;

import static io.quicheengine.testing.RelayCounters.decrementRelease;
import static io.quicheengine.testing.RelayCounters.incrementRelease;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A UDP relay on 127.0.0.1 that sits between QUIC clients and a server and drops, duplicates,
 * reorders, corrupts, clamps or blackholes datagrams per direction, from a seed, so that a failing
 * reliability test can be replayed.
 *
 * <pre>{@code
 * try (FaultInjectingRelay relay = FaultInjectingRelay.builder()
 *         .target(serverAddress)
 *         .clientToServer(FaultProfile.builder().drop(0.05).reorder(0.05, Duration.ofMillis(20)).build())
 *         .serverToClient(FaultProfile.builder().duplicate(0.02).build())
 *         .build()) {
 *     client.connect(relay.address());               // the client talks to the relay
 *     ...
 *     relay.blackhole(Duration.ofMillis(500));       // both directions go dark for 500 ms
 *     assertThat(done).as(relay.describe()).isTrue(); // the message carries the seed and counters
 * }
 * }</pre>
 *
 * <p><b>Clients.</b> The relay learns each client from its first datagram and opens, per client
 * address, its own upstream socket that talks to the target, so the server sees one distinct address
 * per client and its replies go back to the right client. At most {@code maxClients} (default
 * {@value #DEFAULT_MAX_CLIENTS}) are kept; a new client beyond that evicts the one that sent least
 * recently, whose upstream socket is closed. If the evicted client speaks again it gets a new upstream
 * port, which the server sees as a NAT rebinding; replies still in flight to its old port are lost.
 *
 * <p><b>Seed.</b> Every random decision comes from {@link #seed()}: set by {@link Builder#seed}, else
 * by the system property {@code relay.seed} (so {@code -Drelay.seed=N} replays a run), else random.
 * {@link #toString()} and {@link #describe()} print it; see also {@link RelaySeedReporter}. The same
 * seed, profiles and input sequence per direction give the same decisions (the reorder delays too,
 * though what then overtakes what also depends on timing).
 *
 * <p><b>Threads.</b> One platform daemon thread does all I/O: a non-blocking {@link Selector} over the
 * client-facing socket and the upstream sockets, plus a queue of held-back datagrams ordered by due
 * time. It reads into one direct buffer and modifies datagrams in place; only held-back datagrams are
 * copied. Any thread may call the public methods. Datagrams the kernel drops because the relay's own
 * socket buffers overflow are not seen and not counted; the buffers are set large
 * ({@link Builder#socketBufferBytes}) for that reason.
 */
public final class FaultInjectingRelay implements AutoCloseable {
    /** Client addresses kept by default; see the class comment. */
    public static final int DEFAULT_MAX_CLIENTS = 64;
    /** Socket receive and send buffer size asked for by default (the kernel may cap it). */
    public static final int DEFAULT_SOCKET_BUFFER_BYTES = 4 << 20;
    /**
     * Held-back datagrams at most; beyond this a datagram chosen for reordering is sent at once and
     * not counted as reordered, so memory stays bounded whatever the profile.
     */
    public static final int MAX_HELD = 65_536;

    private static final String SEED_PROPERTY = "relay.seed";
    private static final int MAX_UDP_PAYLOAD = 65_535;
    /** Datagrams read from one socket before the others get a turn. */
    private static final int READ_BATCH = 64;
    /** Select timeout with nothing held: only bounds how long a lost wakeup could delay close. */
    private static final long IDLE_SELECT_MILLIS = 100;
    private static final long JOIN_MILLIS = 2_000;

    private final long seed;
    private final String seedSource;
    private final InetSocketAddress target;
    private final int socketBufferBytes;
    private final FaultLane clientToServer;
    private final FaultLane serverToClient;

    private final Selector selector;
    private final DatagramChannel front;
    private final InetSocketAddress address;
    private final Thread thread;
    private volatile boolean running = true;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Throwable failure;

    // Relay thread only from here on.
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_UDP_PAYLOAD);
    private final Sessions sessions;
    private final PriorityQueue<HeldDatagram> held = new PriorityQueue<>();
    private final Consumer<SelectionKey> onReady = this::onReady;
    private long heldSequence;

    private final AtomicInteger clients = new AtomicInteger();
    private final AtomicLong evictedClients = new AtomicLong();

    private FaultInjectingRelay(Builder b, long seed, String seedSource) throws IOException {
        this.seed = seed;
        this.seedSource = seedSource;
        this.target = b.target;
        this.socketBufferBytes = b.socketBufferBytes;
        SplittableRandom seeded = new SplittableRandom(seed);
        this.clientToServer = new FaultLane(b.clientToServer, seeded.split());
        this.serverToClient = new FaultLane(b.serverToClient, seeded.split());
        this.sessions = new Sessions(b.maxClients);

        Selector sel = Selector.open();
        DatagramChannel ch = null;
        try {
            ch = DatagramChannel.open();
            applyBufferSizes(ch);
            ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            ch.configureBlocking(false);
            ch.register(sel, SelectionKey.OP_READ, null);
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                closeQuietly(ch);
            }
            closeQuietly(sel);
            throw e;
        }
        this.selector = sel;
        this.front = ch;
        this.address = (InetSocketAddress) ch.getLocalAddress();
        this.thread = Thread.ofPlatform()
                .name("fault-relay-" + address.getPort())
                .daemon()
                .unstarted(this::run);
        thread.start();
    }

    /** A builder; {@link Builder#target} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The address clients send to: 127.0.0.1 and an ephemeral port. */
    public InetSocketAddress address() {
        return address;
    }

    /** The server the relay forwards to. */
    public InetSocketAddress target() {
        return target;
    }

    /** The seed every random decision comes from. */
    public long seed() {
        return seed;
    }

    /** The counters of one direction; live, readable at any time. */
    public RelayCounters counters(Direction direction) {
        return lane(direction).counters;
    }

    /** The profile one direction applies now. */
    public FaultProfile profile(Direction direction) {
        return lane(direction).profile();
    }

    /**
     * Applies {@code profile} to the datagrams of {@code direction} the relay reads from now on, e.g.
     * a clean handshake followed by loss. Datagrams already held back keep their release time.
     */
    public void setProfile(Direction direction, FaultProfile profile) {
        lane(direction).profile(Objects.requireNonNull(profile, "profile"));
    }

    /** Turns a blackhole on or off in both directions until switched again. */
    public void setBlackhole(boolean on) {
        clientToServer.blackholeSwitch(on);
        serverToClient.blackholeSwitch(on);
    }

    /** Turns a blackhole on or off in one direction until switched again. */
    public void setBlackhole(Direction direction, boolean on) {
        lane(direction).blackholeSwitch(on);
    }

    /**
     * Drops everything in both directions, held-back datagrams falling due included, for
     * {@code duration} from now; forwarding resumes by itself afterwards. An earlier window that
     * reaches further is kept.
     */
    public void blackhole(Duration duration) {
        long until = System.nanoTime() + checkedNanos("duration", duration);
        clientToServer.blackholeUntil(until);
        serverToClient.blackholeUntil(until);
    }

    /** Like {@link #blackhole(Duration)} for one direction only. */
    public void blackhole(Direction direction, Duration duration) {
        lane(direction).blackholeUntil(System.nanoTime() + checkedNanos("duration", duration));
    }

    /** Client addresses with an upstream socket now (at most {@code maxClients}). */
    public int clients() {
        return clients.get();
    }

    /** Clients evicted because more than {@code maxClients} spoke. */
    public long evictedClients() {
        return evictedClients.get();
    }

    /** What stopped the relay thread unexpectedly, or null. */
    public Throwable failure() {
        return failure;
    }

    /** Whether the relay thread still runs. */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /**
     * Stops the thread and closes every socket; returns once they are closed (within about the time a
     * datagram batch takes). Datagrams still held back are discarded and stay counted as held.
     * Idempotent; any thread.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        selector.wakeup();
        if (Thread.currentThread() != thread) {
            boolean interrupted = false;
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_MILLIS);
            while (thread.isAlive() && deadline - System.nanoTime() > 0) {
                try {
                    thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (thread.isAlive()) {
            // The thread is stuck somewhere unexpected; closing its channels unblocks it.
            closeChannels();
        }
    }

    /**
     * {@link #toString()} plus both directions' counters and the relay's failure, if any: meant as the
     * message of every assertion in a test that uses the relay.
     */
    public String describe() {
        StringBuilder sb = new StringBuilder(toString())
                .append("\n  c2s: ").append(clientToServer.counters)
                .append("\n  s2c: ").append(serverToClient.counters)
                .append("\n  clients=").append(clients()).append(" evicted=").append(evictedClients());
        Throwable f = failure;
        if (f != null) {
            sb.append("\n  relay thread failed: ").append(f);
        }
        return sb.toString();
    }

    /** Seed (and how to replay it), addresses and both profiles. */
    @Override
    public String toString() {
        String replay = seedSource.equals("builder")
                ? "set by the test"
                : "from " + seedSource + ", replay with -D" + SEED_PROPERTY + "=" + seed;
        return "FaultInjectingRelay[seed=" + seed + " (" + replay + "), "
                + address.getAddress().getHostAddress() + ":" + address.getPort()
                + " -> " + target.getHostString() + ":" + target.getPort()
                + ", c2s=" + clientToServer.profile()
                + ", s2c=" + serverToClient.profile() + "]";
    }

    private FaultLane lane(Direction direction) {
        return switch (Objects.requireNonNull(direction, "direction")) {
            case CLIENT_TO_SERVER -> clientToServer;
            case SERVER_TO_CLIENT -> serverToClient;
        };
    }

    private static long checkedNanos(String name, Duration duration) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative()) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + duration);
        }
        if (duration.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException(name + " must be <= 1 day, was " + duration);
        }
        return duration.toNanos();
    }

    // ---- relay thread ----

    private void run() {
        try {
            while (running) {
                long now = System.nanoTime();
                releaseDue(now);
                long timeoutMillis = selectTimeoutMillis(now);
                if (timeoutMillis == 0) {
                    selector.selectNow(onReady);
                } else {
                    selector.select(onReady, timeoutMillis);
                }
            }
        } catch (Throwable t) {
            if (running) {
                failure = t;
            }
        } finally {
            running = false;
            closeChannels();
        }
    }

    private long selectTimeoutMillis(long now) {
        HeldDatagram next = held.peek();
        if (next == null) {
            return IDLE_SELECT_MILLIS;
        }
        long waitNanos = next.dueNanos - now;
        if (waitNanos <= 0) {
            return 0;
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + 999_999)); // round up: never early
    }

    private void onReady(SelectionKey key) {
        if (!key.isValid()) {
            return;
        }
        long now = System.nanoTime();
        Object attachment = key.attachment();
        if (attachment == null) {
            readClients(now);
        } else {
            readServer((Session) attachment, now);
        }
    }

    private void readClients(long now) {
        for (int i = 0; i < READ_BATCH; i++) {
            buffer.clear();
            SocketAddress from;
            try {
                from = front.receive(buffer);
            } catch (IOException e) {
                return; // closed while stopping, or an ICMP error for an earlier send to a client
            }
            if (from == null) {
                return;
            }
            buffer.flip();
            Session session = sessions.get(from);
            if (session == null) {
                session = openSession((InetSocketAddress) from);
                if (session == null) {
                    incrementRelease(clientToServer.counters.received);
                    incrementRelease(clientToServer.counters.failed);
                    continue;
                }
            }
            process(clientToServer, session, now);
        }
    }

    private void readServer(Session session, long now) {
        for (int i = 0; i < READ_BATCH; i++) {
            buffer.clear();
            SocketAddress from;
            try {
                from = session.upstream.receive(buffer);
            } catch (IOException e) {
                return; // closed by eviction or while stopping
            }
            if (from == null) {
                return;
            }
            buffer.flip();
            process(serverToClient, session, now);
        }
    }

    private void process(FaultLane lane, Session session, long now) {
        int verdict = lane.decide(buffer, now);
        if (verdict == FaultLane.DROP) {
            return;
        }
        if ((verdict & FaultLane.HOLD) != 0 && held.size() < MAX_HELD) {
            byte[] copy = new byte[buffer.remaining()];
            buffer.get(copy);
            held.add(new HeldDatagram(lane, session, copy, (verdict & FaultLane.DUPLICATE) != 0,
                    now + lane.holdNanos(), heldSequence++));
            if ((verdict & FaultLane.REORDER) != 0) {
                incrementRelease(lane.counters.reordered);
            }
            incrementRelease(lane.counters.held);
            return;
        }
        emit(lane, session, (verdict & FaultLane.DUPLICATE) != 0);
    }

    private void releaseDue(long now) {
        HeldDatagram h;
        while ((h = held.peek()) != null && h.dueNanos - now <= 0) {
            held.poll();
            RelayCounters c = h.lane.counters;
            decrementRelease(c.held);
            if (h.lane.blackholed(h.lane.profile(), now)) {
                incrementRelease(c.blackholed);
                continue;
            }
            buffer.clear();
            buffer.put(h.data).flip();
            emit(h.lane, h.session, h.duplicate);
        }
    }

    /**
     * Sends the datagram in {@link #buffer}, and a copy if asked. The original's outcome is counted
     * last, so a reader that sees the counters add up also sees the copy counted.
     */
    private void emit(FaultLane lane, Session session, boolean duplicate) {
        RelayCounters c = lane.counters;
        int start = buffer.position();
        boolean sent = send(lane, session);
        if (duplicate) {
            buffer.position(start);
            if (send(lane, session)) {
                incrementRelease(c.duplicated);
            }
        }
        incrementRelease(sent ? c.forwarded : c.failed);
    }

    private boolean send(FaultLane lane, Session session) {
        int length = buffer.remaining();
        try {
            int sent = lane == clientToServer
                    ? session.upstream.send(buffer, target)
                    : front.send(buffer, session.client);
            return sent == length; // 0 for a non-empty datagram: socket send buffer full
        } catch (IOException e) {
            return false; // e.g. the session was evicted while this datagram was held
        }
    }

    private Session openSession(InetSocketAddress client) {
        DatagramChannel upstream = null;
        try {
            upstream = DatagramChannel.open();
            applyBufferSizes(upstream);
            upstream.configureBlocking(false);
            // Not connected: a connected DatagramChannel silently sends nothing for an empty datagram.
            InetAddress local = target.getAddress().isLoopbackAddress() ? target.getAddress() : null;
            upstream.bind(new InetSocketAddress(local, 0));
            Session session = new Session(client, upstream);
            upstream.register(selector, SelectionKey.OP_READ, session);
            sessions.put(client, session);
            clients.set(sessions.size());
            return session;
        } catch (IOException e) {
            if (upstream != null) {
                closeQuietly(upstream);
            }
            return null;
        }
    }

    private void applyBufferSizes(DatagramChannel channel) throws IOException {
        if (socketBufferBytes > 0) {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, socketBufferBytes);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, socketBufferBytes);
        }
    }

    /** Relay thread, or {@link #close()} when the relay thread is stuck. */
    private void closeChannels() {
        closeQuietly(front);
        closeQuietly(selector);
        try {
            for (Session s : sessions.values()) {
                closeQuietly(s.upstream);
            }
        } catch (RuntimeException racedWithRelayThread) {
            // only when close() gave up on a stuck relay thread that still changes the map
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing on the way out: nothing useful to do with a failure here
        }
    }

    /** One client address and the upstream socket the server sees it as. */
    private record Session(InetSocketAddress client, DatagramChannel upstream) {
    }

    /** A datagram held back for reordering; ordered by due time, then arrival. */
    private record HeldDatagram(FaultLane lane, Session session, byte[] data, boolean duplicate,
                                long dueNanos, long sequence) implements Comparable<HeldDatagram> {
        @Override
        public int compareTo(HeldDatagram o) {
            int byDue = Long.compare(dueNanos - o.dueNanos, 0); // wrap-safe
            return byDue != 0 ? byDue : Long.compare(sequence, o.sequence);
        }
    }

    /** Client address to session, least recently active first; evicts beyond the bound. */
    private final class Sessions extends LinkedHashMap<SocketAddress, Session> {
        private static final long serialVersionUID = 1L;
        private final int bound;

        Sessions(int bound) {
            super(16, 0.75f, true);
            this.bound = bound;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<SocketAddress, Session> eldest) {
            if (size() <= bound) {
                return false;
            }
            closeQuietly(eldest.getValue().upstream);
            evictedClients.incrementAndGet();
            return true;
        }
    }

    /**
     * Configures and starts a {@link FaultInjectingRelay}. Setters check their value at once. Not
     * thread-safe; use from one thread.
     */
    public static final class Builder {
        private InetSocketAddress target;
        private Long seed;
        private FaultProfile clientToServer = FaultProfile.CLEAN;
        private FaultProfile serverToClient = FaultProfile.CLEAN;
        private int maxClients = DEFAULT_MAX_CLIENTS;
        private int socketBufferBytes = DEFAULT_SOCKET_BUFFER_BYTES;

        private Builder() {
        }

        /** The server to forward to (required); a wildcard address means the loopback address. */
        public Builder target(InetSocketAddress target) {
            Objects.requireNonNull(target, "target");
            if (target.isUnresolved()) {
                throw new IllegalArgumentException("target must be a resolved address, was " + target);
            }
            if (target.getPort() == 0) {
                throw new IllegalArgumentException("target port must be 1..65535, was " + target);
            }
            // A server's local address is often the wildcard; replies then come from loopback.
            this.target = target.getAddress().isAnyLocalAddress()
                    ? new InetSocketAddress(InetAddress.getLoopbackAddress(), target.getPort())
                    : target;
            return this;
        }

        /** The seed of every random decision; overrides the {@code relay.seed} system property. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Faults for datagrams from clients to the server (default {@link FaultProfile#CLEAN}). */
        public Builder clientToServer(FaultProfile profile) {
            this.clientToServer = Objects.requireNonNull(profile, "clientToServer");
            return this;
        }

        /** Faults for datagrams from the server to clients (default {@link FaultProfile#CLEAN}). */
        public Builder serverToClient(FaultProfile profile) {
            this.serverToClient = Objects.requireNonNull(profile, "serverToClient");
            return this;
        }

        /** The same faults in both directions (each direction still draws its own random numbers). */
        public Builder bothWays(FaultProfile profile) {
            return clientToServer(profile).serverToClient(profile);
        }

        /** How many client addresses are kept before the least recently active one is evicted. */
        public Builder maxClients(int maxClients) {
            if (maxClients < 1) {
                throw new IllegalArgumentException("maxClients must be >= 1, was " + maxClients);
            }
            this.maxClients = maxClients;
            return this;
        }

        /** SO_RCVBUF and SO_SNDBUF asked for on every relay socket; 0 keeps the OS default. */
        public Builder socketBufferBytes(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("socketBufferBytes must be >= 0, was " + bytes);
            }
            this.socketBufferBytes = bytes;
            return this;
        }

        /**
         * Binds the relay and starts its thread.
         *
         * @throws IllegalStateException if no target was set, or {@code relay.seed} is not a long
         * @throws UncheckedIOException if a socket cannot be opened
         */
        public FaultInjectingRelay build() {
            if (target == null) {
                throw new IllegalStateException("target must be set before build()");
            }
            long chosenSeed;
            String source;
            if (seed != null) {
                chosenSeed = seed;
                source = "builder";
            } else {
                String property = System.getProperty(SEED_PROPERTY);
                if (property != null && !property.isBlank()) {
                    try {
                        chosenSeed = Long.parseLong(property.trim());
                    } catch (NumberFormatException e) {
                        throw new IllegalStateException(
                                SEED_PROPERTY + " must be a long, was '" + property + "'", e);
                    }
                    source = SEED_PROPERTY;
                } else {
                    chosenSeed = ThreadLocalRandom.current().nextLong();
                    source = "random";
                }
            }
            try {
                return new FaultInjectingRelay(this, chosenSeed, source);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the relay's sockets for target " + target, e);
            }
        }
    }
}
