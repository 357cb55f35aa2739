package io.sockeye.tcp;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's open-files limit ({@code RLIMIT_NOFILE}, what {@code ulimit -n} shows), which bounds
 * the connections a server can hold: each is a descriptor, and the files it sends, the pipes of the
 * scripts it runs and the JVM's own jars need theirs. Read from {@code /proc/self/limits} (Linux; the
 * JVM has already raised its soft limit to the hard one there); elsewhere nothing is known and nothing
 * is clamped.
 */
final class OpenFilesLimit {

    private OpenFilesLimit() {
    }

    /**
     * @param requested the connections configured
     * @return that many, or fewer if the open-files limit leaves too little room: a tenth of the limit
     *         (at least 64 descriptors) is kept for everything else; a line is logged when it lowers the cap
     */
    static int clampConnections(int requested, System.Logger log) {
        long limit = read();
        if (limit <= 0) return requested;
        long usable = Math.max(1, limit - Math.max(64, limit / 10));
        if (requested <= usable) return requested;
        log.log(Level.WARNING, "serving at most " + usable + " connections instead of " + requested
                + ": the open-files limit is " + limit + " (ulimit -n; raise it to serve more)");
        return (int) usable;
    }

    /** @return the soft limit on open files, or -1 if it cannot be read (or is unlimited) */
    static long read() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (!line.startsWith("Max open files")) continue;
                String[] fields = line.substring("Max open files".length()).trim().split("\\s+");
                return fields[0].equals("unlimited") ? -1 : Long.parseLong(fields[0]);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not mounted: nothing to go by
        }
        return -1;
    }
}
