package io.quicheengine.interop;

import io.quicheengine.QuicConnection;
import io.quicheengine.QuicStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine's side of the peer-server cases, through core's public API only: echo, upload (to a
 * sink) or download (from a source) on several streams at once, driven by one application thread
 * with non-blocking offer/read and a deadline; and a QUIC datagram ping. Every byte is checked
 * against {@link Pattern}. Test-only; the calling thread.
 */
final class EngineClientTransfers {
    enum Mode { ECHO, UPLOAD, DOWNLOAD }

    private EngineClientTransfers() {
    }

    private static final class Transfer {
        final QuicStream stream;
        long written;          // pattern bytes (or header bytes) the stream accepted
        boolean finSent;
        long read;             // bytes read back
        final byte[] answer = new byte[64];
        boolean ended;

        Transfer(QuicStream stream) {
            this.stream = stream;
        }

        @Override
        public String toString() {
            return "stream " + stream.id() + ": written " + written + (finSent ? " +fin" : "") + ", read " + read + (ended ? " +fin" : "") + " " + stream.stats();
        }
    }

    /** Runs {@code mode} with {@code size} bytes on each of {@code streams} concurrent streams; fails with every stream's progress. */
    static void run(QuicConnection connection, Mode mode, int streams, long size, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Transfer> transfers = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            transfers.add(new Transfer(connection.openBidirectionalStream(timeout)));
        }
        byte[] chunk = new byte[16 * 1024];
        byte[] in = new byte[64 * 1024];
        int open = streams;
        while (open > 0) {
            boolean progress = false;
            open = 0;
            for (Transfer t : transfers) {
                if (t.ended) {
                    continue;
                }
                progress |= write(t, mode, size, chunk);
                int n;
                while ((n = t.stream.read(in, 0, in.length)) > 0) {
                    progress = true;
                    check(t, mode, size, in, n);
                    t.read += n;
                }
                if (n < 0) {
                    t.ended = true;
                    progress = true;
                    finish(t, mode, size);
                } else {
                    open++;
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(mode + " on " + streams + " streams of " + size + " bytes did not finish within " + timeout
                        + " (" + connection + ", closed: " + connection.closeReason() + ", " + connection.stats() + ", " + kernelSocket("engine", connection.localAddress().getPort()) + ", " + kernelSocket("peer", connection.remoteAddress().getPort()) + "): " + transfers);
            }
            if (!progress) {
                LockSupport.parkNanos(50_000);
            }
        }
    }

    /**
     * A UDP socket on this machine as the kernel sees it (Linux): bytes waiting unread in its receive
     * queue and datagrams dropped on it tell a side that stopped reading from one that stopped sending.
     */
    private static String kernelSocket(String whose, int localPort) {
        String port = String.format(":%04X ", localPort);
        for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
            try {
                for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 12 && (f[1] + " ").endsWith(port)) {
                        String[] queues = f[4].split(":");
                        return whose + " socket :" + localPort + " rx_queue " + Long.parseLong(queues[1], 16)
                                + " bytes, tx_queue " + Long.parseLong(queues[0], 16) + " bytes, drops " + f[f.length - 1];
                    }
                }
            } catch (java.io.IOException | RuntimeException e) {
                // not Linux, or the table changed: the diagnosis goes without it
            }
        }
        return whose + " socket :" + localPort + " not found in /proc/net/udp";
    }

    private static boolean write(Transfer t, Mode mode, long size, byte[] chunk) {
        if (t.finSent) {
            return false;
        }
        if (mode == Mode.DOWNLOAD) {
            byte[] header = new byte[8];
            for (int k = 0; k < 8; k++) {
                header[k] = (byte) (size >>> (56 - 8 * k));
            }
            int n = t.stream.offer(header, (int) t.written, 8 - (int) t.written, true);
            t.written += n;
            t.finSent = t.written == 8;
            return n > 0;
        }
        boolean progress = false;
        while (t.written < size) {
            int n = (int) Math.min(chunk.length, size - t.written);
            Pattern.fill(t.written, chunk, 0, n);
            boolean last = t.written + n == size;
            int taken = t.stream.offer(chunk, 0, n, last);
            if (taken == 0) {
                return progress;
            }
            progress = true;
            t.written += taken;
            t.finSent = last && taken == n;
        }
        if (!t.finSent) {
            t.finSent = t.stream.offerFin();
            progress |= t.finSent;
        }
        return progress;
    }

    private static void check(Transfer t, Mode mode, long size, byte[] in, int n) {
        if (mode == Mode.UPLOAD) {
            if (t.read + n > t.answer.length) {
                throw new AssertionError(t + ": the sink answered more than " + t.answer.length + " bytes");
            }
            System.arraycopy(in, 0, t.answer, (int) t.read, n);
            return;
        }
        if (t.read + n > size) {
            throw new AssertionError(t + ": got more than the " + size + " bytes expected");
        }
        for (int k = 0; k < n; k++) {
            if (in[k] != Pattern.at(t.read + k)) {
                throw new AssertionError(t + ": wrong byte at offset " + (t.read + k) + ": " + in[k] + " instead of " + Pattern.at(t.read + k));
            }
        }
    }

    private static void finish(Transfer t, Mode mode, long size) {
        if (mode == Mode.UPLOAD) {
            byte[] got = Arrays.copyOf(t.answer, (int) t.read);
            byte[] expected = Pattern.sinkAnswer(size);
            if (!Arrays.equals(got, expected)) {
                throw new AssertionError(t + ": the sink answered " + hex(got) + ", expected " + hex(expected) + " (count and SHA-256)");
            }
        } else if (t.read != size) {
            throw new AssertionError(t + ": ended after " + t.read + " of " + size + " bytes");
        }
    }

    private static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }

    /**
     * Sends {@code count} datagrams one at a time, each waiting for its echo; a lost one is sent
     * again (datagrams are unreliable), up to five times. Fails on a wrong echo or one that never came.
     */
    static void pingDatagrams(QuicConnection connection, int count) {
        for (int k = 0; k < count; k++) {
            byte[] d = new byte[8 + (k * 37) % 1000];
            Pattern.fill(k * 4096L, d, 0, d.length);
            for (int b = 0; b < 8; b++) {
                d[b] = (byte) ((long) k >>> (56 - 8 * b));
            }
            boolean[] got = {false};
            int sequence = k;
            for (int attempt = 0; attempt < 5 && !got[0]; attempt++) {
                long until = System.nanoTime() + Duration.ofMillis(500).toNanos();
                while (!connection.offerDatagram(d, 0, d.length)) {
                    if (System.nanoTime() - until > 0) {
                        throw new AssertionError("datagram " + k + ": offerDatagram refused it for 500 ms");
                    }
                    LockSupport.parkNanos(50_000);
                }
                while (!got[0] && System.nanoTime() - until < 0) {
                    if (connection.pollDatagrams((buffer, index, length) -> {
                        byte[] echo = new byte[length];
                        buffer.getBytes(index, echo);
                        if (Arrays.equals(echo, d)) {
                            got[0] = true;
                        } else if (length < 8 || buffer.getLong(index, java.nio.ByteOrder.BIG_ENDIAN) > sequence) {
                            throw new AssertionError("datagram " + sequence + ": unexpected echo of " + length + " bytes");
                        }
                    }, 16) == 0) {
                        LockSupport.parkNanos(50_000);
                    }
                }
            }
            if (!got[0]) {
                throw new AssertionError("datagram " + k + " (" + d.length + " bytes) was not echoed after 5 tries; " + connection.datagramStats());
            }
        }
    }
}
