package io.quicheengine.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernel's UDP counters from /proc/net/snmp (InDatagrams, RcvbufErrors): machine-wide, so only
 * a rough view of how many datagrams a flood made the kernel drop before the engine saw them.
 * Linux only (zeros elsewhere). Any thread.
 */
final class UdpKernelCounters {
    private UdpKernelCounters() {
    }

    /** {InDatagrams, RcvbufErrors}, or zeros when unavailable. */
    static long[] read() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp")).stream().filter(l -> l.startsWith("Udp:")).toList();
            if (lines.size() < 2) {
                return new long[2];
            }
            List<String> names = List.of(lines.get(0).split("\\s+"));
            String[] values = lines.get(1).split("\\s+");
            return new long[] {Long.parseLong(values[names.indexOf("InDatagrams")]), Long.parseLong(values[names.indexOf("RcvbufErrors")])};
        } catch (IOException | RuntimeException e) {
            return new long[2];
        }
    }

    static String describe(long[] before, long[] after) {
        return (after[0] - before[0]) + " UDP datagrams delivered, " + (after[1] - before[1]) + " dropped for full receive buffers";
    }
}
