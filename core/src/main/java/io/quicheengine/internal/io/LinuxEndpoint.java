package io.quicheengine.internal.io;

import io.quicheengine.ffi.LinuxUdp;
import io.quicheengine.ffi.SockAddr;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;

/**
 * An endpoint on a native Linux UDP socket driven through FFM: one {@code sendmsg} carries a whole
 * batch of equal-size datagrams (UDP GSO), one {@code recvmsg} returns many coalesced ones (UDP
 * GRO), and the source address arrives as bytes, so nothing is allocated per datagram. Falls back
 * to a datagram per call where the kernel refuses GSO. Loop thread only.
 *
 * <p>Internal to the engine (not exported by its module): made by {@link Endpoint#open}; used like
 * any {@link Endpoint}.
 */
public final class LinuxEndpoint extends Endpoint {
    private static final int CONTROL_BYTES = 64;
    /** cmsghdr (16) + sock_extended_err (16) + the offender's sockaddr_in6 (28), rounded up. */
    private static final int ERROR_CONTROL_BYTES = 128;
    private static final int ERROR_BATCH = 256;

    private final int fd;
    private final MemorySegment callState;
    private final MemorySegment receiveBuffer;
    private final MemorySegment receiveHeader;
    private final MemorySegment receiveIov;
    private final MemorySegment receiveControl;
    private final MemorySegment from;
    private final MemorySegment sendHeader;
    private final MemorySegment sendIov;
    private final MemorySegment sendControl;
    private final Arena arena;
    /** The loop thread's errno, looked up on its first call (the endpoint may be opened on another thread). */
    private MemorySegment errno;
    private boolean gso = true;
    private boolean closed;
    /** Where ICMP port unreachables go; null while the error queue is off. */
    private UnreachableSink unreachable;
    /** A send or receive failed with an error the error queue may explain: read the queue before the loop sleeps again. */
    private boolean errorsPending;
    private MemorySegment errorHeader;
    private MemorySegment errorControl;
    private MemorySegment errorDestination;

    private LinuxEndpoint(int fd, InetSocketAddress local, Arena arena, MemorySegment callState) {
        super(local, arena.allocate(SockAddr.STORAGE_LENGTH, 8));
        this.arena = arena;
        this.fd = fd;
        this.callState = callState;
        this.receiveBuffer = arena.allocate(RECEIVE_BUFFER_BYTES, 64);
        this.receiveHeader = arena.allocate(LinuxUdp.MSGHDR);
        this.receiveIov = arena.allocate(LinuxUdp.IOVEC);
        this.receiveControl = arena.allocate(CONTROL_BYTES, 8);
        this.from = arena.allocate(SockAddr.STORAGE_LENGTH, 8);
        this.sendHeader = arena.allocate(LinuxUdp.MSGHDR);
        this.sendIov = arena.allocate(LinuxUdp.IOVEC);
        this.sendControl = arena.allocate(LinuxUdp.CMSG_SPACE_INT, 8);
        LinuxUdp.iovec(receiveIov, receiveBuffer.address(), RECEIVE_BUFFER_BYTES);
        LinuxUdp.msghdr(receiveHeader, from, SockAddr.STORAGE_LENGTH, receiveIov, 1, receiveControl, CONTROL_BYTES);
    }

    /**
     * Opens a socket bound to {@code local}, with GRO asked for and 4 MiB buffers.
     *
     * @throws BindException when the address is in use
     */
    public static LinuxEndpoint open(InetSocketAddress local) throws IOException {
        Arena arena = Arena.ofShared();
        MemorySegment callState = LinuxUdp.newCallState(arena);
        boolean v6 = local.getAddress() instanceof Inet6Address;
        int fd = LinuxUdp.socket(callState, v6 ? LinuxUdp.AF_INET6 : LinuxUdp.AF_INET);
        if (fd < 0) {
            int errno = LinuxUdp.errno(callState);
            arena.close();
            throw new IOException("socket() failed: errno " + errno);
        }
        try (Arena scratch = Arena.ofConfined()) {
            LinuxUdp.setBuffers(callState, fd, SOCKET_BUFFER_BYTES);
            LinuxUdp.enableGro(callState, fd); // optional: without it datagrams just arrive one by one
            MemorySegment address = scratch.allocate(SockAddr.STORAGE_LENGTH, 8);
            int length = SockAddr.NATIVE.write(local, address);
            if (LinuxUdp.bind(callState, fd, address, length) < 0) {
                int errno = LinuxUdp.errno(callState);
                throw errno == LinuxUdp.EADDRINUSE ? new BindException("Address already in use") : new IOException("bind failed: errno " + errno);
            }
            MemorySegment lengthInOut = scratch.allocate(ValueLayout.JAVA_INT);
            int bound = LinuxUdp.getsockname(callState, fd, address, lengthInOut);
            if (bound < 0) {
                throw new IOException("getsockname failed: errno " + LinuxUdp.errno(callState));
            }
            return new LinuxEndpoint(fd, SockAddr.NATIVE.read(address, bound), arena, callState);
        } catch (IOException | RuntimeException e) {
            LinuxUdp.close(callState, fd);
            arena.close();
            throw e;
        }
    }

    /**
     * Turns on the socket's error queue (IP_RECVERR). A queued error makes ppoll report POLLERR
     * until the queue is read, so every failure that may stem from one (the kernel also reports
     * it once through errno, on whichever send or receive comes next) marks the queue to be read
     * at the end of {@link #receive}: the BLOCKING wait never spins on a stale POLLERR.
     */
    @Override
    public boolean reportUnreachable(UnreachableSink sink) {
        boolean v6 = localAddress.getAddress() instanceof Inet6Address;
        if (LinuxUdp.enableErrorQueue(callState, fd, v6 ? LinuxUdp.AF_INET6 : LinuxUdp.AF_INET) != 0) {
            return false;
        }
        // The failed datagram comes back too; its first bytes are enough (the rest is truncated).
        MemorySegment payload = arena.allocate(64, 8);
        MemorySegment iov = arena.allocate(LinuxUdp.IOVEC);
        LinuxUdp.iovec(iov, payload.address(), payload.byteSize());
        errorHeader = arena.allocate(LinuxUdp.MSGHDR);
        errorControl = arena.allocate(ERROR_CONTROL_BYTES, 8);
        errorDestination = arena.allocate(SockAddr.STORAGE_LENGTH, 8);
        LinuxUdp.msghdr(errorHeader, errorDestination, SockAddr.STORAGE_LENGTH, iov, 1, errorControl, ERROR_CONTROL_BYTES);
        unreachable = sink;
        return true;
    }

    /** Reads the error queue, telling the sink of each port unreachable; a bounded batch per call. */
    private void drainErrors() {
        errorsPending = false;
        for (int i = 0; i < ERROR_BATCH; i++) {
            LinuxUdp.msghdrNameLength(errorHeader, SockAddr.STORAGE_LENGTH);
            LinuxUdp.msghdrControlLength(errorHeader, ERROR_CONTROL_BYTES);
            if (LinuxUdp.recvErrorQueue(callState, fd, errorHeader) < 0) {
                if (LinuxUdp.errno(callState) == LinuxUdp.EINTR) {
                    continue;
                }
                return; // EAGAIN: empty, POLLERR is off again
            }
            if (LinuxUdp.icmpError(errorControl, LinuxUdp.msghdrControlLength(errorHeader)) == LinuxUdp.ECONNREFUSED) {
                unreachable.onNothingListening(this, SockAddr.NATIVE.read(errorDestination, LinuxUdp.msghdrNameLength(errorHeader)));
            }
        }
        errorsPending = true; // more queued than one batch: the rest next cycle
    }

    @Override
    public int receive(DatagramSink sink, int budget) throws IOException {
        int reads = 0;
        while (reads < budget) {
            LinuxUdp.msghdrNameLength(receiveHeader, SockAddr.STORAGE_LENGTH);
            LinuxUdp.msghdrControlLength(receiveHeader, CONTROL_BYTES);
            long n = LinuxUdp.recvmsgFast(fd, receiveHeader);
            if (n < 0) {
                if (errno().get(ValueLayout.JAVA_INT, 0) == LinuxUdp.EAGAIN) {
                    break;
                }
                errorsPending |= unreachable != null;
                // Rare: ask again with errno captured reliably (the JVM may have touched errno).
                LinuxUdp.msghdrNameLength(receiveHeader, SockAddr.STORAGE_LENGTH);
                LinuxUdp.msghdrControlLength(receiveHeader, CONTROL_BYTES);
                n = LinuxUdp.recvmsg(callState, fd, receiveHeader);
                if (n < 0) {
                    int error = LinuxUdp.errno(callState);
                    if (error == LinuxUdp.EAGAIN) {
                        break;
                    }
                    if (error == LinuxUdp.EINTR || error == LinuxUdp.ECONNREFUSED && unreachable != null) {
                        continue; // another ICMP error, reported once; the queue says for whom
                    }
                    throw new IOException("recvmsg failed: errno " + error);
                }
            }
            reads++;
            int fromLength = LinuxUdp.msghdrNameLength(receiveHeader);
            int segment = LinuxUdp.groSegmentSize(receiveControl, LinuxUdp.msghdrControlLength(receiveHeader));
            int length = (int) n;
            if (segment <= 0 || segment >= length) {
                sink.onDatagram(this, receiveBuffer, 0, length, from, fromLength);
            } else {
                for (int offset = 0; offset < length; offset += segment) {
                    sink.onDatagram(this, receiveBuffer, offset, Math.min(segment, length - offset), from, fromLength);
                }
            }
        }
        if (errorsPending) {
            drainErrors();
        }
        return reads;
    }

    @Override
    public void send(long address, int length, int segmentSize, MemorySegment toSockaddr, int toLength, InetSocketAddress to) throws IOException {
        if (length > segmentSize && !gso) {
            for (int offset = 0; offset < length; offset += segmentSize) {
                send(address + offset, Math.min(segmentSize, length - offset), segmentSize, toSockaddr, toLength, to);
            }
            return;
        }
        LinuxUdp.iovec(sendIov, address, length);
        if (length > segmentSize) {
            LinuxUdp.msghdr(sendHeader, toSockaddr, toLength, sendIov, 1, sendControl, LinuxUdp.putSegmentSize(sendControl, segmentSize));
        } else {
            LinuxUdp.msghdr(sendHeader, toSockaddr, toLength, sendIov, 1, MemorySegment.NULL, 0);
        }
        for (int attempt = 0; ; attempt++) {
            if (LinuxUdp.sendmsgFast(fd, sendHeader) >= 0) {
                return;
            }
            int error = errno().get(ValueLayout.JAVA_INT, 0);
            if (error != LinuxUdp.EAGAIN) {
                // Possibly an ICMP error for an earlier datagram (to any peer), reported once and
                // not about this one: the retry below sends it; the error queue says whom it was about.
                errorsPending |= unreachable != null;
                // Confirm with errno captured reliably before acting on an error.
                if (LinuxUdp.sendmsg(callState, fd, sendHeader) >= 0) {
                    return;
                }
                error = LinuxUdp.errno(callState);
            }
            if (error == LinuxUdp.EINTR || error == LinuxUdp.ECONNREFUSED && unreachable != null) {
                continue;
            }
            if (error == LinuxUdp.EAGAIN) {
                if (attempt < 64) {
                    Thread.onSpinWait();
                    continue;
                }
                sendDrops += (length + segmentSize - 1) / segmentSize;
                return;
            }
            if (length > segmentSize && (error == LinuxUdp.EIO || error == LinuxUdp.EINVAL || error == LinuxUdp.EMSGSIZE)) {
                gso = false; // this kernel or route cannot segment: one datagram per call from now on
                send(address, length, segmentSize, toSockaddr, toLength, to);
                return;
            }
            throw new IOException("sendmsg to " + to + " failed: errno " + error);
        }
    }

    private MemorySegment errno() {
        MemorySegment location = errno;
        if (location == null) {
            location = LinuxUdp.errnoLocation();
            errno = location;
        }
        return location;
    }

    @Override
    public int maxSegments() {
        return gso ? LinuxUdp.MAX_GSO_SEGMENTS : 1;
    }

    @Override
    public void register(BlockingWait wait) {
        wait.register(fd);
    }

    @Override
    public void unregister(BlockingWait wait) {
        wait.unregister(fd);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LinuxUdp.close(callState, fd);
            arena.close();
        }
    }
}
