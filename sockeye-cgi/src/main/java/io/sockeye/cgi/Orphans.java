package io.sockeye.cgi;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import io.sockeye.LogText;

/**
 * The scripts this JVM has started and not yet reaped, and, when {@link #enable adopting} is on, the
 * processes they leave behind.
 *
 * <p>A script's process group is killed when its run ends, which takes every process it started that
 * stayed in the group. One that left it ({@code setsid}, {@code setpgid}) is out of reach that way, and
 * once its parent dies it is reparented to the nearest "subreaper", normally init. With adopting on,
 * the server makes itself that subreaper ({@code prctl(PR_SET_CHILD_SUBREAPER)}), so such processes
 * become its children; shortly after each run ends, the children of the server are looked through and
 * every one that is not a script still running is killed and reaped, by its pid ({@code kill},
 * {@code waitpid(pid)}; never {@code waitpid(-1)}, which would take the exit status of a process the
 * JDK is waiting for). Until it is reaped a child's pid cannot be reused, so the pid killed is the
 * orphan's. The sweep is repeated while it finds anything, so orphans of orphans are found too.
 *
 * <p>The policy is process-wide, as the subreaper is: it concerns every child of the JVM. Children the
 * application started itself are spared if they are in the JVM's own process group (where
 * {@link ProcessBuilder} starts them) and carry no CGI environment ({@code GATEWAY_INTERFACE}); any
 * other child is taken for an orphan of a script. So turn it on only in a server that starts no child
 * processes of its own in other process groups or sessions. It needs the native calls of
 * {@code posix_spawn}'s path (Java 22+, native access); without them it is off, with a warning.
 * A script's child that is still running under another still-living escapee is found once that one is
 * killed. For containment beyond this (a script's own user, a cgroup, a namespace), run scripts under a
 * wrapper that provides it.
 */
final class Orphans {

    private static final System.Logger LOG = System.getLogger("io.sockeye.cgi");
    private static final long SELF = ProcessHandle.current().pid();
    private static final Duration SWEEP_DELAY = Duration.ofMillis(100);

    // A count per pid, not a set: on the JDK path a pid is unregistered just after the JDK reaped it, and
    // a new script may have been given the same pid in between.
    private static final ConcurrentHashMap<Long, Integer> LIVE = new ConcurrentHashMap<>();
    // Spawns take the read lock until their pid is in LIVE; a sweep takes the write lock, so it never
    // sees a script that was just started and not yet registered.
    private static final ReentrantReadWriteLock SPAWNING = new ReentrantReadWriteLock();
    private static final AtomicBoolean SWEEP_PENDING = new AtomicBoolean();
    private static volatile boolean adopting;
    /** Adopting was asked for ({@link #want}) and not yet turned on. */
    private static volatile boolean wanted;
    private static boolean warned;

    private Orphans() {
    }

    /** What starts a script. */
    interface Start<T extends ScriptProcess> {
        T start() throws IOException;
    }

    /** Starts a script and registers it as live, with no sweep in between. */
    static <T extends ScriptProcess> T spawn(Start<T> start) throws IOException {
        enableIfWanted(); // before the first script, so that its orphans are adopted as every later one's are
        SPAWNING.readLock().lock();
        try {
            T p = start.start();
            LIVE.merge(p.pid(), 1, Integer::sum);
            return p;
        } finally {
            SPAWNING.readLock().unlock();
        }
    }

    /** The script was reaped: its pid is no longer one of ours. */
    static void reaped(long pid) {
        LIVE.computeIfPresent(pid, (k, n) -> n == 1 ? null : n - 1);
    }

    /**
     * Asks for adopting (see the class comment), which {@link #enable} then turns on before the next script
     * starts, or sooner if called. Not at once: it takes a native call, and linking the first one takes a
     * tenth of a second or more (the JVM generates its stub at run time), which a server should not spend
     * before it is listening.
     */
    static void want() {
        wanted = true;
    }

    /** Turns adopting on now if it was asked for and has not been tried yet. */
    static void enableIfWanted() {
        if (wanted) enable();
    }

    /** Turns adopting on for the JVM (see the class comment). @return whether it is on */
    static synchronized boolean enable() {
        wanted = false;
        if (adopting) return true;
        String why = NativeSpawner.becomeSubreaper();
        if (why == null) {
            adopting = true;
        } else if (!warned) {
            warned = true;
            LOG.log(Level.WARNING, "orphans of CGI scripts cannot be adopted and killed: " + why);
        }
        return adopting;
    }

    static boolean adopting() {
        return adopting;
    }

    /** A run ended: look for what it may have left, soon (one sweep for many runs ending together). */
    static void runEnded() {
        if (adopting && SWEEP_PENDING.compareAndSet(false, true)) {
            CgiTimer.schedule(() -> Thread.ofVirtual().name("cgi-orphans").start(Orphans::sweep), SWEEP_DELAY);
        }
    }

    /** Kills and reaps the children of the JVM that are orphans of scripts (see the class comment). */
    static void sweep() {
        SWEEP_PENDING.set(false);
        boolean again = false;
        long ourGroup = group(SELF);
        SPAWNING.writeLock().lock();
        try {
            for (long pid : children()) {
                if (LIVE.containsKey(pid)) continue;
                String[] stat = stat(pid);
                if (stat == null) continue;
                if (Long.parseLong(stat[2]) == ourGroup && !fromCgi(pid)) continue; // the application's own
                boolean zombie = stat[0].equals("Z");
                int r = NativeSpawner.reapChild((int) pid, !zombie);
                if (r == 0) again = true; // killed, not yet ended: the next sweep reaps it
                if (!zombie) LOG.log(Level.WARNING, "killed process " + pid + " (" + LogText.escape(stat[3]) + "), left running by a CGI script");
            }
        } finally {
            SPAWNING.writeLock().unlock();
        }
        if (again) runEnded();
    }

    /** @return the pids of the JVM's children, from each thread's {@code children} file */
    static List<Long> children() {
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                String list;
                try {
                    list = Files.readString(task.resolve("children"), StandardCharsets.US_ASCII);
                } catch (IOException threadGone) {
                    continue;
                }
                for (String s : list.trim().split(" ")) {
                    if (!s.isEmpty()) pids.add(Long.parseLong(s));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: nothing can be found
        }
        return pids;
    }

    /** @return state, ppid, process group and command of a process, or {@code null} if it is gone */
    static String[] stat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
            int open = stat.indexOf('(');
            int close = stat.lastIndexOf(')');
            // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so count from the last ')'
            String[] f = stat.substring(close + 2).split(" ", 4);
            return new String[] {f[0], f[1], f[2], stat.substring(open + 1, close)};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long group(long pid) {
        String[] s = stat(pid);
        return s == null ? -1 : Long.parseLong(s[2]);
    }

    /** @return whether a process's environment says it comes from a CGI script */
    private static boolean fromCgi(long pid) {
        try {
            String env = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")), StandardCharsets.ISO_8859_1);
            return env.startsWith("GATEWAY_INTERFACE=") || env.contains("\0GATEWAY_INTERFACE=");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
