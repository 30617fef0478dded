package io.quicheengine.tools;

import io.quicheengine.QuicStream;
import io.quicheengine.QuicTimeoutException;
import io.quicheengine.WaitStrategy;
import java.time.Duration;

/**
 * Drives one client stream through a {@link TransferPlan} on its own thread: sends
 * {@link TestData} at the planned rate, and (echo) checks every byte that comes back, (upload)
 * reads the server's receipt, or (download) asks for data and counts it.
 *
 * <p>{@link #run} on the worker thread; the counters and outcome are written by it alone and read
 * by the reporting thread.
 */
final class StreamWorker implements Runnable {
    private static final int READ_BUFFER = 64 * 1024;

    private final QuicStream stream;
    private final TransferPlan plan;
    private final long salt;
    private final long quota;
    private final double rate;
    private final long startNanos;
    private final long deadlineNanos;
    private final long stallNanos;
    private final WaitStrategy waitStrategy;

    private volatile long sent;
    private volatile long received;
    private volatile boolean done;
    private volatile String failure;
    private volatile RuntimeException error;
    private volatile long serverReceipt = -1;

    /**
     * @param index      the stream's number in the run (its salt and share)
     * @param startNanos when the run started, for the rate schedule and the deadline
     */
    StreamWorker(QuicStream stream, TransferPlan plan, int index, long startNanos, WaitStrategy waitStrategy) {
        this.stream = stream;
        this.plan = plan;
        this.salt = TestData.salt(index);
        this.quota = plan.timed() ? Long.MAX_VALUE : plan.bytesOf(index);
        this.rate = plan.rateOf(index);
        this.startNanos = startNanos;
        this.deadlineNanos = plan.timed() ? startNanos + plan.duration().toNanos() : Long.MAX_VALUE;
        this.stallNanos = plan.stall().toNanos();
        this.waitStrategy = waitStrategy;
    }

    @Override
    public void run() {
        try {
            switch (plan.mode()) {
                case UPLOAD -> upload();
                case DOWNLOAD -> download();
                case ECHO -> echo();
            }
        } catch (QuicTimeoutException e) {
            failure = "stream " + stream.id() + " made no progress for " + Units.duration(plan.stall()) + " (" + e.getMessage() + ")";
        } catch (RuntimeException e) {
            error = e;
        } finally {
            done = true;
        }
    }

    long sent() {
        return sent;
    }

    long received() {
        return received;
    }

    boolean done() {
        return done;
    }

    /** What went wrong with the data (a wrong byte, a short transfer), or null. */
    String failure() {
        return failure;
    }

    /** An exception from the engine (typically: the connection closed), or null. */
    RuntimeException error() {
        return error;
    }

    /** The byte count a sink server answered for this stream, or -1 when it sent none. */
    long serverReceipt() {
        return serverReceipt;
    }

    QuicStream stream() {
        return stream;
    }

    // ------------------------------------------------------------------ modes

    private void upload() {
        byte[] data = TestData.table();
        Duration stall = plan.stall();
        while (sent < quota) {
            long now = System.nanoTime();
            if (now - deadlineNanos >= 0) {
                break;
            }
            int chunk = (int) Math.min(plan.chunk(), quota - sent);
            long due = dueNanos(sent + chunk);
            if (due - now > 0) {
                Pause.pause(WaitStrategy.BLOCKING, 10, Math.min(due, deadlineNanos));
                continue;
            }
            try {
                stream.write(data, TestData.offsetOf(salt, sent), chunk, false, stall);
            } catch (QuicTimeoutException e) {
                sent += e.progress();
                throw e;
            }
            sent += chunk;
        }
        stream.finish(stall);
        readReceipt();
    }

    /** After an upload: the server's answer (8 bytes from a sink) and the end of its side. */
    private void readReceipt() {
        byte[] in = new byte[READ_BUFFER];
        long answer = 0;
        long answered = 0;
        while (true) {
            int n;
            try {
                n = stream.read(in, 0, in.length, plan.stall());
            } catch (QuicTimeoutException e) {
                return; // a server that discards without ever ending its side: its receipt is unknown
            }
            if (n < 0) {
                break;
            }
            for (int i = 0; i < n; i++, answered++) {
                answer = (answer << 8) | (in[i] & 0xff);
            }
            received += n;
        }
        if (answered == 8) {
            serverReceipt = answer;
            if (answer != sent) {
                failure = "stream " + stream.id() + ": the server says it received " + answer + " bytes, " + sent + " were sent";
            }
        }
    }

    private void download() {
        byte[] request = new byte[8];
        long wanted = plan.timed() ? 0 : quota;
        for (int i = 0; i < 8; i++) {
            request[i] = (byte) (wanted >>> (56 - 8 * i));
        }
        stream.write(request, 0, request.length, true, plan.stall());
        sent = request.length;
        byte[] in = new byte[READ_BUFFER];
        long lastProgress = System.nanoTime();
        while (true) {
            long now = System.nanoTime();
            if (now - deadlineNanos >= 0) {
                stream.shutdownRead(0); // STOP_SENDING: enough
                return;
            }
            int n;
            try {
                n = stream.read(in, 0, in.length, Duration.ofNanos(Math.min(100_000_000, deadlineNanos - now)));
            } catch (QuicTimeoutException e) {
                if (System.nanoTime() - lastProgress > stallNanos) {
                    throw e;
                }
                continue;
            }
            if (n < 0) {
                break;
            }
            received += n;
            lastProgress = System.nanoTime();
        }
        if (!plan.timed() && received != quota) {
            failure = "stream " + stream.id() + ": the server ended the stream after " + received + " of " + quota + " bytes";
        }
    }

    private void echo() {
        byte[] data = TestData.table();
        byte[] in = new byte[READ_BUFFER];
        boolean finSent = false;
        long lastProgress = System.nanoTime();
        int idle = 0;
        while (true) {
            long now = System.nanoTime();
            boolean progress = false;
            long wakeAt = Long.MAX_VALUE;
            if (!finSent) {
                if (sent >= quota || now - deadlineNanos >= 0) {
                    finSent = stream.offerFin();
                    progress = finSent;
                } else {
                    int chunk = (int) Math.min(plan.chunk(), quota - sent);
                    long due = dueNanos(sent + chunk);
                    if (due - now <= 0) {
                        int n = stream.offer(data, TestData.offsetOf(salt, sent), chunk, false);
                        sent += n;
                        progress = n > 0;
                    } else {
                        wakeAt = Math.min(due, deadlineNanos);
                    }
                }
            }
            int n = stream.read(in, 0, in.length);
            if (n < 0) {
                break;
            }
            if (n > 0) {
                int wrong = TestData.mismatch(in, 0, n, salt, received);
                if (wrong >= 0 || received + n > sent) {
                    failure = wrong >= 0
                            ? "stream " + stream.id() + ": byte " + (received + wrong) + " came back changed"
                            : "stream " + stream.id() + ": more bytes came back (" + (received + n) + ") than were sent (" + sent + ")";
                    stream.shutdownRead(1);
                    return;
                }
                received += n;
                progress = true;
            }
            if (progress) {
                lastProgress = now;
                idle = 0;
            } else {
                if (now - lastProgress > stallNanos) {
                    throw new QuicTimeoutException("echo stalled at " + sent + " bytes sent, " + received + " received", received);
                }
                Pause.pause(waitStrategy, idle++, wakeAt);
            }
        }
        if (received != sent) {
            failure = "stream " + stream.id() + ": the echo ended after " + received + " of " + sent + " bytes";
        }
    }

    /** When the schedule allows the stream to have sent {@code total} bytes; the first chunk goes at once. */
    private long dueNanos(long total) {
        if (rate <= 0) {
            return startNanos;
        }
        double seconds = (total - plan.chunk()) / rate;
        return seconds <= 0 ? startNanos : startNanos + (long) (seconds * 1e9);
    }
}
