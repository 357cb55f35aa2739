package io.sockeye.cgi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Starts scripts with the C library's {@code posix_spawn}, through the foreign function API (Java 22+):
 * the script is executed directly by a {@code vfork}-like clone, in a new process group
 * ({@code POSIX_SPAWN_SETPGROUP}; a session where the server has a terminal, see {@link #OWN_GROUP}) so
 * that its whole group can be killed, with default signal dispositions,
 * in its own directory ({@code addchdir_np}), with every other descriptor closed ({@code addclosefrom_np}).
 * The JDK's {@link ProcessBuilder} instead executes a helper ({@code jspawnhelper}) that executes the
 * script, and a group of its own needs yet another program ({@code setsid}): three program loads per
 * request where this takes one, which is most of what a small CGI script costs.
 *
 * <p>Used only on Linux with glibc 2.34 or newer, and only when the module is allowed native access
 * ({@code --enable-native-access}, or {@code Enable-Native-Access} in an executable jar's manifest);
 * otherwise {@link #start} returns {@code null} and the JDK's way is used.
 */
final class PosixSpawn implements NativeSpawner.Spawn {

    private static final int O_CLOEXEC = 0x80000;
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final short POSIX_SPAWN_SETPGROUP = 0x02;
    private static final short POSIX_SPAWN_SETSID = 0x80;
    private static final int SIGKILL = 9;
    private static final long FILE_ACTIONS_SIZE = 256;  // posix_spawn_file_actions_t is 80 bytes on glibc
    private static final long ATTR_SIZE = 1024;         // posix_spawnattr_t is 336 bytes on glibc
    private static final long SIGSET_SIZE = 128;

    private static final Natives NATIVES = Natives.load();
    /**
     * A process group of its own for each script is enough to kill it with everything it started, and is
     * what we use, except in a server that has a controlling terminal (started from a shell rather than
     * by a service manager): scripts there get a session of their own, which takes the terminal away
     * from them (no prompts on the operator's terminal, no keystrokes pushed into it). A session costs
     * more: on Linux each one is a scheduling "autogroup", made and torn down per script and sharing the
     * CPU with the whole server as an equal; under load p99 latency was 108 ms in sessions, 73 ms in
     * groups (lighttpd: 68 ms).
     */
    private static final short OWN_GROUP = hasControllingTerminal() ? POSIX_SPAWN_SETSID : POSIX_SPAWN_SETPGROUP;

    /** @return whether this process has a controlling terminal: {@code tty_nr} in /proc/self/stat */
    private static boolean hasControllingTerminal() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // after the command's ") ": state, ppid, pgrp, session, tty_nr
            return Integer.parseInt(stat.substring(stat.lastIndexOf(") ") + 2).split(" ")[4]) != 0;
        } catch (IOException | RuntimeException e) {
            return true; // not known: the safer choice
        }
    }

    /** Loaded by {@link NativeSpawner} on Java 22 and newer only (this class needs the FFM API). */
    public PosixSpawn() {
    }

    /** The C functions, or why they cannot be used. */
    record Natives(MethodHandle spawn, MethodHandle pipe2, MethodHandle close, MethodHandle kill,
                           MethodHandle waitpid, MethodHandle waitid, MethodHandle prlimit, MethodHandle prctl, MethodHandle faInit, MethodHandle faDestroy, MethodHandle faDup2,
                           MethodHandle faChdir, MethodHandle faClosefrom, MethodHandle attrInit,
                           MethodHandle attrDestroy, MethodHandle attrSetflags, MethodHandle attrSetsigdefault,
                           MethodHandle attrSetsigmask, MethodHandle sigfillset, MethodHandle sigemptyset,
                           NativePipes pipes, String unavailable) {

        static Natives load() {
            try {
                if (!System.getProperty("os.name", "").equals("Linux")) return unavailable("this is not Linux");
                if (Boolean.getBoolean("sockeye.cgi.jdkSpawn")) return unavailable("sockeye.cgi.jdkSpawn is set");
                if (!PosixSpawn.class.getModule().isNativeAccessEnabled()) {
                    return unavailable("native access is not enabled (--enable-native-access)");
                }
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                MethodHandle close = handle(linker, libc, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
                return new Natives(
                        handle(linker, libc, "posix_spawn", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS)),
                        handle(linker, libc, "pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)),
                        close,
                        handle(linker, libc, "kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT)),
                        handle(linker, libc, "waitpid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT)),
                        handle(linker, libc, "waitid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT)),
                        handle(linker, libc, "prlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS)),
                        handle(linker, libc, "prctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG)),
                        handle(linker, libc, "posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                        handle(linker, libc, "posix_spawn_file_actions_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                        handle(linker, libc, "posix_spawn_file_actions_adddup2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT)),
                        handle(linker, libc, "posix_spawn_file_actions_addchdir_np", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
                        handle(linker, libc, "posix_spawn_file_actions_addclosefrom_np", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)),
                        handle(linker, libc, "posix_spawnattr_init", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                        handle(linker, libc, "posix_spawnattr_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                        handle(linker, libc, "posix_spawnattr_setflags", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT)),
                        handle(linker, libc, "posix_spawnattr_setsigdefault", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
                        handle(linker, libc, "posix_spawnattr_setsigmask", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
                        handle(linker, libc, "sigfillset", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                        handle(linker, libc, "sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                        new NativePipes(linker, libc, close),
                        null);
            } catch (Throwable e) {
                return unavailable(e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }

        private static MethodHandle handle(Linker linker, SymbolLookup lookup, String name, FunctionDescriptor fd) {
            Optional<MemorySegment> symbol = lookup.find(name);
            if (symbol.isEmpty()) throw new IllegalStateException("the C library has no " + name + " (glibc 2.34+ is needed)");
            return linker.downcallHandle(symbol.get(), fd);
        }

        private static Natives unavailable(String why) {
            return new Natives(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                    null, null, null, null, null, null, why);
        }
    }

    @Override
    public String unavailableBecause() {
        return NATIVES.unavailable();
    }

    @Override
    public ScriptProcess start(Path script, Map<String, String> env, ScriptLimits limits) throws IOException {
        Natives n = NATIVES;
        if (n.unavailable() != null) return null;
        return Orphans.spawn(() -> {
            try {
                return spawn(n, script, env, limits);
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IOException("posix_spawn of " + script + " failed", t);
            }
        });
    }

    private static final int PR_SET_CHILD_SUBREAPER = 36;

    @Override
    public String becomeSubreaper() {
        Natives n = NATIVES;
        if (n.unavailable() != null) return n.unavailable();
        try {
            int rc = (int) n.prctl().invokeExact(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L);
            return rc == 0 ? null : "prctl(PR_SET_CHILD_SUBREAPER) failed";
        } catch (Throwable t) {
            return t.toString();
        }
    }

    @Override
    public int reapChild(int pid, boolean kill) {
        Natives n = NATIVES;
        if (n.unavailable() != null || pid <= 0) return -1;
        try (Arena arena = Arena.ofConfined()) {
            // the caller found it among our children: unreaped, its pid is still its own to signal
            if (kill) {
                int ignored = (int) n.kill().invokeExact(pid, SIGKILL);
            }
            int r = (int) n.waitpid().invokeExact(pid, arena.allocate(JAVA_INT), 1 /* WNOHANG */);
            return r == pid ? 1 : r == 0 ? 0 : -1;
        } catch (Throwable t) {
            return -1;
        }
    }

    private static ScriptProcess spawn(Natives n, Path script, Map<String, String> env, ScriptLimits limits) throws Throwable {
        int[] in = pipe(n);
        int[] out;
        int[] err;
        try {
            out = pipe(n);
        } catch (IOException e) {
            closeAll(n, in);
            throw e;
        }
        try {
            err = pipe(n);
        } catch (IOException e) {
            closeAll(n, in);
            closeAll(n, out);
            throw e;
        }
        int pid;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(FILE_ACTIONS_SIZE, 16);
            MemorySegment attr = arena.allocate(ATTR_SIZE, 16);
            MemorySegment allSignals = arena.allocate(SIGSET_SIZE, 8);
            MemorySegment noSignals = arena.allocate(SIGSET_SIZE, 8);
            check((int) n.faInit().invokeExact(actions), "posix_spawn_file_actions_init");
            check((int) n.attrInit().invokeExact(attr), "posix_spawnattr_init");
            try {
                check((int) n.faDup2().invokeExact(actions, in[0], 0), "adddup2");
                check((int) n.faDup2().invokeExact(actions, out[1], 1), "adddup2");
                check((int) n.faDup2().invokeExact(actions, err[1], 2), "adddup2");
                check((int) n.faClosefrom().invokeExact(actions, 3), "addclosefrom_np");
                check((int) n.faChdir().invokeExact(actions, arena.allocateFrom(script.getParent().toString())), "addchdir_np");
                check((int) n.sigfillset().invokeExact(allSignals), "sigfillset");
                check((int) n.sigemptyset().invokeExact(noSignals), "sigemptyset");
                check((int) n.attrSetsigdefault().invokeExact(attr, allSignals), "setsigdefault");
                check((int) n.attrSetsigmask().invokeExact(attr, noSignals), "setsigmask");
                check((int) n.attrSetflags().invokeExact(attr, (short) (OWN_GROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)),
                        "setflags");
                String path = script.toString();
                MemorySegment argv = arena.allocate(ADDRESS, 2);
                argv.setAtIndex(ADDRESS, 0, arena.allocateFrom(path));
                argv.setAtIndex(ADDRESS, 1, MemorySegment.NULL);
                MemorySegment envp = arena.allocate(ADDRESS, env.size() + 1L);
                int i = 0;
                for (Map.Entry<String, String> e : env.entrySet()) {
                    envp.setAtIndex(ADDRESS, i++, arena.allocateFrom(e.getKey() + "=" + e.getValue()));
                }
                envp.setAtIndex(ADDRESS, i, MemorySegment.NULL);
                MemorySegment pidOut = arena.allocate(JAVA_INT);
                int rc = (int) n.spawn().invokeExact(pidOut, arena.allocateFrom(path), actions, attr, argv, envp);
                if (rc != 0) throw new IOException("cannot run " + path + ": " + errorName(rc));
                pid = pidOut.get(JAVA_INT, 0);
            } finally {
                int ignored = (int) n.faDestroy().invokeExact(actions);
                ignored = (int) n.attrDestroy().invokeExact(attr);
            }
        } catch (Throwable t) {
            closeAll(n, in);
            closeAll(n, out);
            closeAll(n, err);
            throw t;
        }
        // The child's ends are its now; the server's ends become non-blocking streams a virtual thread
        // can wait on without holding its carrier (see NativePipes).
        closeAll(n, new int[] {in[0], out[1], err[1]});
        java.io.OutputStream stdin;
        Throwable limitFailure = limit(n, pid, limits);
        if (limitFailure != null) {
            closeAll(n, new int[] {in[1], out[0], err[0]});
            abandon(n, pid);
            throw new IOException("cannot set the resource limits of " + script + ": " + limitFailure.getMessage(), limitFailure);
        }
        java.io.InputStream stdout;
        java.io.InputStream stderr;
        try {
            n.pipes().nonBlocking(in[1]);
            n.pipes().nonBlocking(out[0]);
            n.pipes().nonBlocking(err[0]);
            stdin = n.pipes().output(in[1]);
            stdout = n.pipes().input(out[0]);
            stderr = n.pipes().input(err[0]);
        } catch (Throwable t) {
            closeAll(n, new int[] {in[1], out[0], err[0]});
            abandon(n, pid);
            throw t;
        }
        return new NativeScriptProcess(n, pid, stdin, stdout, stderr);
    }

    /** Nobody will wait for this script now: ends it (it leads its own group, unreaped) and reaps it. */
    private static void abandon(Natives n, int pid) throws Throwable {
        int ignored = (int) n.kill().invokeExact(-pid, SIGKILL);
        try (Arena arena = Arena.ofConfined()) {
            ignored = (int) n.waitpid().invokeExact(pid, arena.allocate(JAVA_INT), 0);
        }
        Orphans.reaped(pid);
    }

    /**
     * Sets the script's resource limits with {@code prlimit(2)}. {@code posix_spawn} has no way to set
     * them in the child, and the server's own cannot be lowered around the spawn (they are the whole
     * JVM's), so they are set just after it returns: the script is already running, but for a few
     * microseconds, while it is still being loaded (its interpreter's start takes a millisecond or more),
     * so it has not yet done anything the limits are for; a child forked in that window would keep the
     * server's limits. (A wrapper that sets them and executes the script would close the window at the
     * cost of a second program load per request, which is most of what a small script costs.)
     *
     * @return why a limit could not be set, or {@code null}
     */
    private static Throwable limit(Natives n, int pid, ScriptLimits limits) {
        var set = limits.toSet();
        if (set.isEmpty()) return null;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rlimit = arena.allocate(16, 8); // struct rlimit { rlim_t cur, max; }
            for (ScriptLimits.Limit l : set) {
                rlimit.set(JAVA_LONG, 0, l.value());
                rlimit.set(JAVA_LONG, 8, l.value());
                int rc = (int) n.prlimit().invokeExact(pid, l.resource(), rlimit, MemorySegment.NULL);
                if (rc != 0) return new IOException("prlimit " + l.prlimitOption().substring(2) + "=" + l.value() + " failed");
            }
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    private static int[] pipe(Natives n) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            if ((int) n.pipe2().invokeExact(fds, O_CLOEXEC) != 0) throw new IOException("cannot create a pipe");
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    private static void closeAll(Natives n, int[] fds) {
        for (int fd : fds) {
            try {
                int ignored = (int) n.close().invokeExact(fd);
            } catch (Throwable ignored) {
                // closing a descriptor we own cannot fail in a way worth reporting
            }
        }
    }

    private static void check(int rc, String what) throws IOException {
        if (rc != 0) throw new IOException(what + " failed: " + errorName(rc));
    }

    private static String errorName(int errno) {
        return switch (errno) {
            case 2 -> "no such file (ENOENT; a missing interpreter in the #! line?)";
            case 8 -> "not an executable format (ENOEXEC; no #! line?)";
            case 13 -> "permission denied (EACCES)";
            case 12 -> "out of memory (ENOMEM)";
            case 11 -> "too many processes (EAGAIN)";
            default -> "error " + errno;
        };
    }
}
