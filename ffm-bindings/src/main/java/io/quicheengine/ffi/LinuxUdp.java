package io.quicheengine.ffi;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few Linux system calls a fast UDP path needs, through FFM: non-blocking datagram sockets
 * with UDP GSO ({@code UDP_SEGMENT}: one {@code sendmsg} carries many equal-size datagrams) and
 * GRO ({@code UDP_GRO}: one {@code recvmsg} returns many coalesced datagrams), plus {@code poll}
 * and an {@code eventfd} for sleeping until a datagram or a wakeup arrives.
 *
 * <p>Only on Linux x86-64 and aarch64 ({@link #AVAILABLE}). Every call returns the raw result;
 * calls that can fail take a {@code callState} segment ({@link #newCallState}) from which
 * {@link #errno} reads the error. Stateless; the caller owns its sockets and its call-state
 * segment, one per thread.
 */
public final class LinuxUdp {

    /** True on Linux x86-64 / aarch64, where these layouts and constants hold. */
    public static final boolean AVAILABLE = Platform.current().os().equals("linux")
            && (Platform.current().arch().equals("x86-64") || Platform.current().arch().equals("aarch64"));

    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int EAGAIN = 11;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EINVAL = 22;
    public static final int EMSGSIZE = 90;
    public static final int EADDRINUSE = 98;
    /** An ICMP port unreachable (or a TCP RST): nothing listens at the destination. */
    public static final int ECONNREFUSED = 111;
    public static final short POLLIN = 1;
    /** In {@code revents} whenever a socket's error queue holds something, asked for or not. */
    public static final short POLLERR = 8;
    /** The kernel's limit of segments in one GSO send (64 since Linux 4.18). */
    public static final int MAX_GSO_SEGMENTS = 64;

    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_SNDBUF = 7;
    private static final int SO_RCVBUF = 8;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPV6_V6ONLY = 26;
    private static final int SOL_UDP = 17;
    private static final int UDP_SEGMENT = 103;
    private static final int UDP_GRO = 104;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_ERRQUEUE = 0x2000;
    private static final int IPPROTO_IP = 0;
    private static final int IP_RECVERR = 11;
    private static final int IPV6_RECVERR = 25;
    private static final int SO_EE_ORIGIN_ICMP = 2;
    private static final int SO_EE_ORIGIN_ICMP6 = 3;
    private static final int EFD_NONBLOCK = 0x800;
    private static final int EFD_CLOEXEC = 0x80000;

    /** {@code struct iovec}. */
    public static final StructLayout IOVEC = MemoryLayout.structLayout(
            ValueLayout.ADDRESS.withName("iov_base"), ValueLayout.JAVA_LONG.withName("iov_len"));
    /** {@code struct msghdr}, 56 bytes. */
    public static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ValueLayout.ADDRESS.withName("msg_name"),
            ValueLayout.JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            ValueLayout.ADDRESS.withName("msg_iov"),
            ValueLayout.JAVA_LONG.withName("msg_iovlen"),
            ValueLayout.ADDRESS.withName("msg_control"),
            ValueLayout.JAVA_LONG.withName("msg_controllen"),
            ValueLayout.JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4));
    /** {@code CMSG_SPACE} for a 4-byte payload: header (16) plus the payload rounded up to 8. */
    public static final int CMSG_SPACE_INT = 24;
    private static final long CMSG_LEN_OFFSET = 0;
    private static final long CMSG_LEVEL_OFFSET = 8;
    private static final long CMSG_TYPE_OFFSET = 12;
    private static final long CMSG_DATA_OFFSET = 16;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle SOCKET = libc("socket", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle BIND = libc("bind", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle GETSOCKNAME = libc("getsockname", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle SETSOCKOPT = libc("setsockopt", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle SENDMSG = libc("sendmsg", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle RECVMSG = libc("recvmsg", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    // The two calls of the data path, without errno capture (capturing allocates until the JIT
    // removes it) and critical (no thread-state transition: they never block, never call back).
    // On failure the caller reads errno through errnoLocation(), and confirms anything but EAGAIN
    // with the capturing variants above, since the JVM may touch errno between call and read.
    private static final MethodHandle SENDMSG_FAST = fast("sendmsg", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle RECVMSG_FAST = fast("recvmsg", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle ERRNO_LOCATION = AVAILABLE ? LINKER.downcallHandle(LIBC.find("__errno_location").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS)) : null;
    private static final MethodHandle CLOSE = libc("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle POLL = libc("poll", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    // Sleeping and waking: no errno capture (capturing allocates until the JIT removes it, and
    // these run on every BLOCKING/BACKOFF sleep and every wakeup); a failure only means wake early.
    private static final MethodHandle PPOLL = plain("ppoll", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
            ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle EVENTFD = libc("eventfd", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle READ = plain("read", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle WRITE = plain("write", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    private LinuxUdp() {
    }

    private static MethodHandle libc(String name, FunctionDescriptor descriptor) {
        if (!AVAILABLE) {
            return null;
        }
        MemorySegment symbol = LIBC.find(name).orElseThrow(() -> new UnsupportedOperationException("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO);
    }

    private static MethodHandle plain(String name, FunctionDescriptor descriptor) {
        if (!AVAILABLE) {
            return null;
        }
        MemorySegment symbol = LIBC.find(name).orElseThrow(() -> new UnsupportedOperationException("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor);
    }

    private static MethodHandle fast(String name, FunctionDescriptor descriptor) {
        if (!AVAILABLE) {
            return null;
        }
        MemorySegment symbol = LIBC.find(name).orElseThrow(() -> new UnsupportedOperationException("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, Linker.Option.critical(false));
    }

    /** The calling thread's errno variable (4 bytes); valid for the life of that thread. */
    public static MemorySegment errnoLocation() {
        try {
            return ((MemorySegment) ERRNO_LOCATION.invokeExact()).reinterpret(4);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** {@code sendmsg(fd, msghdr, 0)} without errno capture; on -1 read {@link #errnoLocation()} at once. */
    public static long sendmsgFast(int fd, MemorySegment msghdr) {
        try {
            return (long) SENDMSG_FAST.invokeExact(fd, msghdr, 0);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** {@code recvmsg(fd, msghdr, MSG_DONTWAIT)} without errno capture; on -1 read {@link #errnoLocation()} at once. */
    public static long recvmsgFast(int fd, MemorySegment msghdr) {
        try {
            return (long) RECVMSG_FAST.invokeExact(fd, msghdr, MSG_DONTWAIT);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** Memory for the errno of the calls made by one thread. */
    public static MemorySegment newCallState(java.lang.foreign.Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    /** The errno the last failed call recorded in {@code callState}. */
    public static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    /** A non-blocking, close-on-exec UDP socket of {@code family}; a dual-stack one for AF_INET6. Returns the fd or -1. */
    public static int socket(MemorySegment callState, int family) {
        try {
            int fd = (int) SOCKET.invokeExact(callState, family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (fd >= 0 && family == AF_INET6) {
                setIntOption(callState, fd, IPPROTO_IPV6, IPV6_V6ONLY, 0);
            }
            return fd;
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    public static int bind(MemorySegment callState, int fd, MemorySegment sockaddr, int length) {
        try {
            return (int) BIND.invokeExact(callState, fd, sockaddr, length);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** Writes the bound address into {@code sockaddr} (128 bytes) and returns its length, or -1. */
    public static int getsockname(MemorySegment callState, int fd, MemorySegment sockaddr, MemorySegment lengthInOut) {
        try {
            lengthInOut.set(ValueLayout.JAVA_INT, 0, (int) sockaddr.byteSize());
            int rc = (int) GETSOCKNAME.invokeExact(callState, fd, sockaddr, lengthInOut);
            return rc < 0 ? rc : lengthInOut.get(ValueLayout.JAVA_INT, 0);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    public static int setIntOption(MemorySegment callState, int fd, int level, int option, int value) {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(ValueLayout.JAVA_INT, value);
            return (int) SETSOCKOPT.invokeExact(callState, fd, level, option, v, 4);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    public static int setBuffers(MemorySegment callState, int fd, int bytes) {
        int a = setIntOption(callState, fd, SOL_SOCKET, SO_RCVBUF, bytes);
        int b = setIntOption(callState, fd, SOL_SOCKET, SO_SNDBUF, bytes);
        return Math.min(a, b);
    }

    /** Asks the kernel to coalesce received datagrams (UDP_GRO); 0 on success. */
    public static int enableGro(MemorySegment callState, int fd) {
        return setIntOption(callState, fd, SOL_UDP, UDP_GRO, 1);
    }

    /**
     * Asks the kernel to queue ICMP errors (port unreachable, say) for {@link #recvErrorQueue} and
     * report them through {@code errno} (IP_RECVERR, and IPV6_RECVERR on an AF_INET6 socket). An
     * unconnected UDP socket hears nothing of them otherwise. Side effect: the next send or receive
     * on the socket after an ICMP error fails once with that error; the caller must expect it.
     * Returns 0 on success.
     */
    public static int enableErrorQueue(MemorySegment callState, int fd, int family) {
        int rc = setIntOption(callState, fd, IPPROTO_IP, IP_RECVERR, 1);
        if (rc == 0 && family == AF_INET6) {
            rc = setIntOption(callState, fd, IPPROTO_IPV6, IPV6_RECVERR, 1);
        }
        return rc;
    }

    /**
     * {@code recvmsg(fd, msghdr, MSG_ERRQUEUE | MSG_DONTWAIT)}: takes one queued error. The name
     * receives the destination of the datagram that failed, the control buffer the error (read it
     * with {@link #icmpError}), the iovec a copy of that datagram. -1 ({@link #EAGAIN}) when the
     * queue is empty.
     */
    public static long recvErrorQueue(MemorySegment callState, int fd, MemorySegment msghdr) {
        try {
            return (long) RECVMSG.invokeExact(callState, fd, msghdr, MSG_ERRQUEUE | MSG_DONTWAIT);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /**
     * The {@code ee_errno} of an ICMP or ICMPv6 error in a control buffer filled by
     * {@link #recvErrorQueue} ({@code struct sock_extended_err} under IP_RECVERR or IPV6_RECVERR),
     * for example {@link #ECONNREFUSED}; 0 when it holds none, or an error of another origin.
     */
    public static int icmpError(MemorySegment control, long controlLength) {
        long offset = 0;
        while (offset + CMSG_DATA_OFFSET <= controlLength) {
            long length = control.get(ValueLayout.JAVA_LONG, offset + CMSG_LEN_OFFSET);
            if (length < CMSG_DATA_OFFSET || offset + length > controlLength) {
                return 0;
            }
            int level = control.get(ValueLayout.JAVA_INT, offset + CMSG_LEVEL_OFFSET);
            int type = control.get(ValueLayout.JAVA_INT, offset + CMSG_TYPE_OFFSET);
            boolean extendedError = level == IPPROTO_IP && type == IP_RECVERR || level == IPPROTO_IPV6 && type == IPV6_RECVERR;
            // sock_extended_err: u32 ee_errno, u8 ee_origin, u8 ee_type, u8 ee_code, u8 ee_pad, u32 ee_info, u32 ee_data.
            if (extendedError && length >= CMSG_DATA_OFFSET + 8) {
                int origin = Byte.toUnsignedInt(control.get(ValueLayout.JAVA_BYTE, offset + CMSG_DATA_OFFSET + 4));
                return origin == SO_EE_ORIGIN_ICMP || origin == SO_EE_ORIGIN_ICMP6 ? control.get(ValueLayout.JAVA_INT, offset + CMSG_DATA_OFFSET) : 0;
            }
            offset += (length + 7) & ~7L;
        }
        return 0;
    }

    /** {@code sendmsg(fd, msghdr, 0)}: bytes sent, or -1 (see {@link #errno}). */
    public static long sendmsg(MemorySegment callState, int fd, MemorySegment msghdr) {
        try {
            return (long) SENDMSG.invokeExact(callState, fd, msghdr, 0);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** {@code recvmsg(fd, msghdr, MSG_DONTWAIT)}: bytes received, or -1 ({@link #EAGAIN} when none waits). */
    public static long recvmsg(MemorySegment callState, int fd, MemorySegment msghdr) {
        try {
            return (long) RECVMSG.invokeExact(callState, fd, msghdr, MSG_DONTWAIT);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    public static int close(MemorySegment callState, int fd) {
        try {
            return (int) CLOSE.invokeExact(callState, fd);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** {@code poll(fds, count, timeoutMillis)} over {@code struct pollfd} entries of 8 bytes (fd, events, revents). */
    public static int poll(MemorySegment callState, MemorySegment pollfds, long count, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(callState, pollfds, count, timeoutMillis);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /**
     * {@code ppoll(fds, count, timeout, NULL)}: like {@link #poll} with a nanosecond timeout, given
     * as a {@code struct timespec} (16 bytes: seconds, nanoseconds) that the caller fills.
     */
    public static int ppoll(MemorySegment pollfds, long count, MemorySegment timespec) {
        try {
            return (int) PPOLL.invokeExact(pollfds, count, timespec, MemorySegment.NULL);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** A non-blocking eventfd: the fd, or -1. */
    public static int eventfd(MemorySegment callState) {
        try {
            return (int) EVENTFD.invokeExact(callState, 0, EFD_NONBLOCK | EFD_CLOEXEC);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** {@code read(2)}; -1 on failure (errno not captured). */
    public static long read(int fd, MemorySegment buffer, long length) {
        try {
            return (long) READ.invokeExact(fd, buffer, length);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** {@code write(2)}; -1 on failure (errno not captured). */
    public static long write(int fd, MemorySegment buffer, long length) {
        try {
            return (long) WRITE.invokeExact(fd, buffer, length);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    // ---- control messages ----

    /** Writes a UDP_SEGMENT control message (the GSO segment size) at {@code control}; returns its space. */
    public static int putSegmentSize(MemorySegment control, int segmentSize) {
        control.set(ValueLayout.JAVA_LONG, CMSG_LEN_OFFSET, CMSG_DATA_OFFSET + 2);
        control.set(ValueLayout.JAVA_INT, CMSG_LEVEL_OFFSET, SOL_UDP);
        control.set(ValueLayout.JAVA_INT, CMSG_TYPE_OFFSET, UDP_SEGMENT);
        control.set(ValueLayout.JAVA_SHORT, CMSG_DATA_OFFSET, (short) segmentSize);
        return CMSG_SPACE_INT;
    }

    /**
     * The GRO segment size reported in the control buffer after {@code recvmsg}, or 0 when the
     * datagram was not coalesced.
     */
    public static int groSegmentSize(MemorySegment control, long controlLength) {
        long offset = 0;
        while (offset + CMSG_DATA_OFFSET <= controlLength) {
            long length = control.get(ValueLayout.JAVA_LONG, offset + CMSG_LEN_OFFSET);
            if (length < CMSG_DATA_OFFSET) {
                return 0;
            }
            if (control.get(ValueLayout.JAVA_INT, offset + CMSG_LEVEL_OFFSET) == SOL_UDP
                    && control.get(ValueLayout.JAVA_INT, offset + CMSG_TYPE_OFFSET) == UDP_GRO) {
                return length >= CMSG_DATA_OFFSET + 4 ? control.get(ValueLayout.JAVA_INT, offset + CMSG_DATA_OFFSET)
                        : Short.toUnsignedInt(control.get(ValueLayout.JAVA_SHORT, offset + CMSG_DATA_OFFSET));
            }
            offset += (length + 7) & ~7L;
        }
        return 0;
    }

    // ---- msghdr accessors ----

    public static void msghdr(MemorySegment msghdr, MemorySegment name, int nameLength, MemorySegment iov, long iovCount,
                              MemorySegment control, long controlLength) {
        msghdr.set(ValueLayout.ADDRESS, 0, name);
        msghdr.set(ValueLayout.JAVA_INT, 8, nameLength);
        msghdr.set(ValueLayout.ADDRESS, 16, iov);
        msghdr.set(ValueLayout.JAVA_LONG, 24, iovCount);
        msghdr.set(ValueLayout.ADDRESS, 32, control);
        msghdr.set(ValueLayout.JAVA_LONG, 40, controlLength);
        msghdr.set(ValueLayout.JAVA_INT, 48, 0);
    }

    public static void msghdrNameLength(MemorySegment msghdr, int nameLength) {
        msghdr.set(ValueLayout.JAVA_INT, 8, nameLength);
    }

    public static int msghdrNameLength(MemorySegment msghdr) {
        return msghdr.get(ValueLayout.JAVA_INT, 8);
    }

    public static void msghdrControlLength(MemorySegment msghdr, long controlLength) {
        msghdr.set(ValueLayout.JAVA_LONG, 40, controlLength);
    }

    public static long msghdrControlLength(MemorySegment msghdr) {
        return msghdr.get(ValueLayout.JAVA_LONG, 40);
    }

    public static void iovec(MemorySegment iov, long base, long length) {
        iov.set(ValueLayout.JAVA_LONG, 0, base);
        iov.set(ValueLayout.JAVA_LONG, 8, length);
    }
}
