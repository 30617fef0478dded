package io.quicheengine.perf.baseline;

import io.quicheengine.perf.e2e.PingPongResult;
import io.quicheengine.perf.e2e.PingPongSpec;
import io.quicheengine.perf.e2e.SharedQuicParams;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The kernel's share: plain Java {@link DatagramChannel}s on 127.0.0.1, non-blocking and
 * busy-spinning, with no QUIC at all. A 64-byte ping-pong between two threads gives the floor
 * of any UDP round trip here; a one-way blast of 1350-byte datagrams gives the most packets per
 * second one sending thread gets through the loopback.
 *
 * <p>Channels are connected, so {@code read}/{@code write} need no address objects, and buffers
 * are direct and reused: the loops allocate nothing, which {@link #lastLoopBytesAllocated()} and
 * the worker threads' own counters show.
 *
 * <p>Not thread-safe: one coordinating thread runs one measurement at a time (it starts and
 * stops its own worker threads).
 *
 * <pre>
 * java -cp perf/target/classes:perf/target/lib/* io.quicheengine.perf.baseline.PlainUdpBaseline \
 *     [pingWarmup=20000] [pings=100000] [size=64] [blastWarmup=0.5] [blastSeconds=3] [datagram=1350]
 * </pre>
 */
public final class PlainUdpBaseline {

    /** The system name in results. */
    public static final String SYSTEM = "plain-udp";

    private static final long MAX_ROUND_TRIP_NANOS = TimeUnit.SECONDS.toNanos(10);
    // A round trip this long means the echo thread died or a datagram was lost: fail, do not hang.
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int MAX_DATAGRAM = 65_507;
    private static final int SOCKET_BUFFER = 4 << 20;
    private static final int WARMUP_BATCHES = 4;
    private static final long JOIN_MILLIS = 5_000;

    private long lastLoopBytesAllocated = -1;
    private long lastPeerBytesAllocated = -1;

    /** Bytes the calling thread allocated in the last measured ping-pong loop (-1 before any run or when unknown). */
    public long lastLoopBytesAllocated() {
        return lastLoopBytesAllocated;
    }

    /** Bytes the echo thread (ping-pong) or receiver thread (blast) allocated while measuring (-1 when unknown). */
    public long lastPeerBytesAllocated() {
        return lastPeerBytesAllocated;
    }

    /**
     * {@code spec.count()} round trips of {@code spec.messageSize()} bytes after {@code spec.warmup()}
     * unrecorded ones: this thread sends, an echo thread sends each datagram back. Each message
     * carries its sequence number, checked on return.
     */
    public PingPongResult pingPong(PingPongSpec spec) throws IOException, InterruptedException {
        if (spec.messageSize() < Long.BYTES || spec.messageSize() > MAX_DATAGRAM) {
            throw new IllegalArgumentException("spec.messageSize must be in [" + Long.BYTES + ", " + MAX_DATAGRAM + "], was " + spec.messageSize());
        }
        if (spec.warmup() < 0 || spec.count() <= 0) {
            throw new IllegalArgumentException("spec.warmup must be >= 0 and spec.count > 0: " + spec);
        }
        Histogram histogram = new Histogram(MAX_ROUND_TRIP_NANOS, 3);
        try (DatagramChannel echoChannel = open(); DatagramChannel clientChannel = open()) {
            connect(echoChannel, clientChannel);
            Echo echo = new Echo(echoChannel, spec.messageSize());
            Thread echoThread = start("udp-echo", echo);
            try {
                Pinger pinger = new Pinger(clientChannel, spec.messageSize(), echo);
                // Same loop for warm-up and measurement, in batches, so its exit is compiled
                // before the allocation counter starts.
                int batches = Math.min(WARMUP_BATCHES, Math.max(1, spec.warmup()));
                for (int b = 0; b < batches; b++) {
                    int from = (int) ((long) spec.warmup() * b / batches);
                    int to = (int) ((long) spec.warmup() * (b + 1) / batches);
                    pinger.roundTrips(histogram, from, to - from);
                }
                histogram.reset();
                echo.phase(SpinWorker.MEASURE);
                long allocatedBefore = AllocationMeter.currentThreadAllocatedBytes();
                pinger.roundTrips(histogram, spec.warmup(), spec.count());
                long allocated = AllocationMeter.currentThreadAllocatedBytes() - allocatedBefore;
                lastLoopBytesAllocated = allocatedBefore < 0 ? -1 : allocated;
            } finally {
                stop(echo, echoThread);
            }
            lastPeerBytesAllocated = echo.measuredBytesAllocated();
        }
        return new PingPongResult(SYSTEM, spec, histogram);
    }

    /**
     * One thread sends {@code datagramSize}-byte datagrams as fast as the kernel takes them, another
     * receives; after {@code warmupSeconds} the datagrams received during {@code seconds} are counted.
     */
    public UdpBlastResult blast(int datagramSize, double warmupSeconds, double seconds) throws IOException, InterruptedException {
        if (datagramSize < 1 || datagramSize > MAX_DATAGRAM) {
            throw new IllegalArgumentException("datagramSize must be in [1, " + MAX_DATAGRAM + "], was " + datagramSize);
        }
        if (!(warmupSeconds >= 0) || !(seconds > 0)) {
            throw new IllegalArgumentException("warmupSeconds must be >= 0 and seconds > 0, were " + warmupSeconds + " and " + seconds);
        }
        try (DatagramChannel receiverChannel = open(); DatagramChannel senderChannel = open()) {
            connect(receiverChannel, senderChannel);
            Receiver receiver = new Receiver(receiverChannel, datagramSize);
            Sender sender = new Sender(senderChannel, datagramSize);
            Thread receiverThread = start("udp-blast-receiver", receiver);
            Thread senderThread = start("udp-blast-sender", sender);
            long received;
            long sent;
            long nanos;
            try {
                sleep(warmupSeconds);
                receiver.phase(SpinWorker.MEASURE);
                long received0 = receiver.received.get();
                long sent0 = sender.sent.get();
                long start = System.nanoTime();
                sleep(seconds);
                received = receiver.received.get() - received0;
                sent = sender.sent.get() - sent0;
                nanos = System.nanoTime() - start;
            } finally {
                // Both told first, so a failure while joining one cannot leave the other spinning.
                receiver.phase(SpinWorker.STOP);
                stop(sender, senderThread);
                stop(receiver, receiverThread);
            }
            if (receiver.wrongSize != 0) {
                throw new IllegalStateException(receiver.wrongSize + " datagrams arrived with a size other than " + datagramSize);
            }
            lastPeerBytesAllocated = receiver.measuredBytesAllocated();
            return new UdpBlastResult(datagramSize, received, nanos, sent, receiver.measuredBytesAllocated());
        }
    }

    /** The ping-pong client: runs on the caller's thread. */
    private static final class Pinger {
        private final DatagramChannel channel;
        private final ByteBuffer out;
        private final ByteBuffer in;
        private final int size;
        private final Echo echo;

        Pinger(DatagramChannel channel, int size, Echo echo) {
            this.channel = channel;
            this.size = size;
            this.echo = echo;
            out = ByteBuffer.allocateDirect(size);
            in = ByteBuffer.allocateDirect(size + 1);
        }

        void roundTrips(Histogram histogram, long firstSequence, int count) throws IOException {
            for (int i = 0; i < count; i++) {
                histogram.recordValue(Math.min(roundTrip(firstSequence + i), MAX_ROUND_TRIP_NANOS));
            }
        }

        private long roundTrip(long sequence) throws IOException {
            out.clear();
            out.putLong(0, sequence);
            long start = System.nanoTime();
            while (channel.write(out) == 0) {
                Thread.onSpinWait();
            }
            in.clear();
            int n;
            while ((n = channel.read(in)) == 0) {
                if (System.nanoTime() - start > STALL_NANOS) {
                    throw new IllegalStateException("no echo of round trip " + sequence + " within "
                            + TimeUnit.NANOSECONDS.toMillis(STALL_NANOS) + " ms; echo thread failure: " + echo.failure());
                }
                Thread.onSpinWait();
            }
            long nanos = System.nanoTime() - start;
            // The read buffer is one byte larger than a message, so a longer datagram is noticed.
            if (n != size || in.getLong(0) != sequence) {
                throw new IllegalStateException("round trip " + sequence + " came back as " + n + " bytes carrying sequence " + in.getLong(0));
            }
            return nanos;
        }
    }

    /** Sends every datagram it receives straight back. */
    private static final class Echo extends SpinWorker {
        private final DatagramChannel channel;
        private final ByteBuffer buffer;

        Echo(DatagramChannel channel, int size) {
            this.channel = channel;
            buffer = ByteBuffer.allocateDirect(size + 1);
        }

        @Override
        boolean step() throws IOException {
            buffer.clear();
            if (channel.read(buffer) == 0) {
                return false;
            }
            buffer.flip();
            while (channel.write(buffer) == 0) {
                Thread.onSpinWait();
            }
            return true;
        }
    }

    /** Counts datagrams of the expected size; publishes the count for the coordinator. */
    private static final class Receiver extends SpinWorker {
        final AtomicLong received = new AtomicLong();
        long wrongSize;
        private final DatagramChannel channel;
        private final ByteBuffer buffer;
        private final int size;
        private long count;

        Receiver(DatagramChannel channel, int size) {
            this.channel = channel;
            this.size = size;
            buffer = ByteBuffer.allocateDirect(size + 1);
        }

        @Override
        boolean step() throws IOException {
            buffer.clear();
            int n = channel.read(buffer);
            if (n == 0) {
                return false;
            }
            if (n != size) {
                wrongSize++;
            }
            // Single writer: an ordered store is enough for the coordinator's reads.
            received.lazySet(++count);
            return true;
        }
    }

    /** Writes datagrams as fast as the kernel accepts them. */
    private static final class Sender extends SpinWorker {
        final AtomicLong sent = new AtomicLong();
        private final DatagramChannel channel;
        private final ByteBuffer buffer;
        private long count;

        Sender(DatagramChannel channel, int size) {
            this.channel = channel;
            buffer = ByteBuffer.allocateDirect(size);
            for (int i = 0; i < size; i++) {
                buffer.put(i, (byte) i);
            }
        }

        @Override
        boolean step() throws IOException {
            buffer.clear();
            if (channel.write(buffer) == 0) {
                return false;
            }
            sent.lazySet(++count);
            return true;
        }
    }

    private static DatagramChannel open() throws IOException {
        DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            channel.configureBlocking(false);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static void connect(DatagramChannel a, DatagramChannel b) throws IOException {
        a.connect(b.getLocalAddress());
        b.connect(a.getLocalAddress());
    }

    private static Thread start(String name, SpinWorker worker) {
        Thread thread = new Thread(worker, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void stop(SpinWorker worker, Thread thread) throws InterruptedException {
        worker.phase(SpinWorker.STOP);
        thread.join(JOIN_MILLIS);
        if (thread.isAlive()) {
            throw new IllegalStateException(thread.getName() + " did not stop within " + JOIN_MILLIS + " ms");
        }
        if (worker.failure() != null) {
            throw new IllegalStateException(thread.getName() + " failed", worker.failure());
        }
    }

    private static void sleep(double seconds) throws InterruptedException {
        long nanos = (long) (seconds * 1e9);
        if (nanos > 0) {
            TimeUnit.NANOSECONDS.sleep(nanos);
        }
    }

    /** Prints the UDP ping-pong and blast figures. */
    public static void main(String[] args) throws Exception {
        MainArgs options = new MainArgs(args, "pingWarmup", "pings", "size", "blastWarmup", "blastSeconds", "datagram");
        int pingWarmup = Math.toIntExact(options.size("pingWarmup", 20_000));
        int pings = Math.toIntExact(options.size("pings", 100_000));
        int size = Math.toIntExact(options.size("size", 64));
        double blastWarmup = options.decimal("blastWarmup", 0.5);
        double blastSeconds = options.decimal("blastSeconds", 3);
        int datagram = Math.toIntExact(options.size("datagram", SharedQuicParams.MAX_UDP_PAYLOAD));

        PlainUdpBaseline baseline = new PlainUdpBaseline();
        PingPongResult ping = baseline.pingPong(new PingPongSpec(size, pingWarmup, pings, "busy-spin"));
        System.out.println("plain-udp ping-pong " + size + " B round trip: " + LatencyFormat.percentiles(ping.roundTripNanos()));
        System.out.printf(Locale.ROOT, "  mean %.2f us; client loop allocated %d bytes, echo thread %d bytes%n",
                ping.roundTripNanos().getMean() / 1e3, baseline.lastLoopBytesAllocated(), baseline.lastPeerBytesAllocated());
        UdpBlastResult blast = baseline.blast(datagram, blastWarmup, blastSeconds);
        System.out.printf(Locale.ROOT, "plain-udp blast %d B: %.0f packets/s received = %.2f Gbit/s (%d received, %d sent in %.2f s)%n",
                datagram, blast.packetsPerSecond(), blast.gbitPerSecond(), blast.receivedPackets(), blast.sentPackets(), blast.nanos() / 1e9);
        System.out.printf(Locale.ROOT, "  receiver thread allocated %d bytes while measuring%n", blast.receiverBytesAllocated());
    }
}
