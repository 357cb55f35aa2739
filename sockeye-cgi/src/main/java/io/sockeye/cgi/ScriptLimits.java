package io.sockeye.cgi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The resource limits a script runs under ({@code setrlimit(2)}), soft and hard alike so that it cannot
 * raise them again; 0 leaves a limit as the server has it. Without them a script inherits the server's,
 * which are a server's: the JVM raises its own open-files limit to the hard one (20,000 on a typical
 * machine), and nothing stops a script spinning for ever once its request is gone, or growing without
 * bound. A limit higher than the server's own hard limit is lowered to it (only a privileged process may
 * raise a hard limit).
 *
 * @param cpuSeconds   CPU time ({@code RLIMIT_CPU}); a script past it is killed by the kernel
 * @param addressSpace bytes of virtual memory ({@code RLIMIT_AS}): reserved, not used, so it must leave
 *                     room for runtimes that reserve much up front (node reserves about 1 GiB)
 * @param openFiles    open descriptors ({@code RLIMIT_NOFILE})
 * @param processes    processes and threads of the user the server runs as, all of them, the server's own
 *                     threads included ({@code RLIMIT_NPROC}): a net under fork bombs, not a count per script;
 *                     root, and processes with CAP_SYS_RESOURCE, are not held to it
 */
record ScriptLimits(long cpuSeconds, long addressSpace, long openFiles, long processes) {

    static final ScriptLimits NONE = new ScriptLimits(0, 0, 0, 0);

    static final int RLIMIT_CPU = 0;
    static final int RLIMIT_NPROC = 6;
    static final int RLIMIT_NOFILE = 7;
    static final int RLIMIT_AS = 9;

    private static final long[] HARD = serverHardLimits();

    ScriptLimits {
        if (cpuSeconds < 0 || addressSpace < 0 || openFiles < 0 || processes < 0) throw new IllegalArgumentException("negative limit");
    }

    /** One limit to set: {@code resource} is an {@code RLIMIT_*} number. */
    record Limit(int resource, long value, String prlimitOption) {
    }

    /** @return the limits to set, each lowered to the server's hard limit */
    List<Limit> toSet() {
        List<Limit> all = new ArrayList<>(4);
        add(all, RLIMIT_CPU, cpuSeconds, "--cpu");
        add(all, RLIMIT_AS, addressSpace, "--as");
        add(all, RLIMIT_NOFILE, openFiles, "--nofile");
        add(all, RLIMIT_NPROC, processes, "--nproc");
        return all;
    }

    private static void add(List<Limit> all, int resource, long value, String option) {
        if (value <= 0) return;
        long hard = HARD[resource];
        all.add(new Limit(resource, hard > 0 ? Math.min(value, hard) : value, option));
    }

    /** The server's hard limits from {@code /proc/self/limits}, by resource number; 0 where unlimited or unknown. */
    private static long[] serverHardLimits() {
        long[] hard = new long[16];
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                int resource = line.startsWith("Max cpu time") ? RLIMIT_CPU
                        : line.startsWith("Max processes") ? RLIMIT_NPROC
                        : line.startsWith("Max open files") ? RLIMIT_NOFILE
                        : line.startsWith("Max address space") ? RLIMIT_AS : -1;
                if (resource < 0) continue;
                String[] f = line.substring(26).trim().split("\\s+"); // after the name column: soft, hard, units
                hard[resource] = f.length > 1 && !f[1].equals("unlimited") ? Long.parseLong(f[1]) : 0;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the limits are asked for as they are, and the kernel says if one cannot be
        }
        return hard;
    }
}
