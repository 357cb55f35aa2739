package io.sockeye.cgi;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A script started by {@code posix_spawn} ({@link PosixSpawn}), and reaped here.
 *
 * <p>How it is reaped matters twice. It must be reaped on every path (a zombie is left otherwise: the
 * JDK does not know this child), and the process group it leads must be killed first, while the script
 * is still a zombie: until it is reaped its pid, which is its group's id, belongs to nobody else, so
 * {@code kill(-pid)} can reach only what the script left in its group. So: {@code waitid(WNOWAIT)}
 * learns that it ended without reaping it, then the group is killed, then {@code waitpid(pid)} reaps it.
 * That happens at once when it has already ended (the usual case: it is asked for once its output is
 * over), else when the JDK's {@link ProcessHandle#onExit()} (which waits with {@code WNOWAIT} too) says it
 * ended, at the cost of a hop through one of the JDK's threads. All of it is under one lock, with the
 * status, so that no signal is sent by pid once the pid may belong to another process.
 */
final class NativeScriptProcess implements ScriptProcess {

    private static final int P_PID = 1;
    private static final int WNOHANG = 1;
    private static final int WEXITED = 4;
    private static final int WNOWAIT = 0x01000000;
    private static final int SIGKILL = 9;
    private static final long SIGINFO_SIZE = 128;
    private static final long SI_PID = 16; // siginfo_t: si_signo, si_errno, si_code, then (8-aligned) si_pid

    private final PosixSpawn.Natives natives;
    private final int pid;
    private final OutputStream stdin;
    private final InputStream stdout;
    private final InputStream stderr;
    private final Object reaping = new Object();
    private volatile int status = -2; // -2: not reaped yet
    private CompletableFuture<Integer> ended; // under the lock

    NativeScriptProcess(PosixSpawn.Natives natives, int pid, OutputStream stdin, InputStream stdout, InputStream stderr) {
        this.natives = natives;
        this.pid = pid;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * @param ended whether the script is known to have ended (then this does not wait)
     * @return whether the script has been reaped, reaping it now (its group killed first) if it has ended
     */
    private boolean reap(boolean ended) {
        synchronized (reaping) {
            if (status != -2) return true;
            try (Arena arena = Arena.ofConfined()) {
                if (!ended) {
                    MemorySegment info = arena.allocate(SIGINFO_SIZE, 8); // zeroed: si_pid stays 0 if it runs on
                    int r = (int) natives.waitid().invokeExact(P_PID, pid, info, WEXITED | WNOHANG | WNOWAIT);
                    if (r != 0) return reaped(-1); // not our child: nothing to wait for
                    if (info.get(JAVA_INT, SI_PID) == 0) return false;
                }
                int ignored = (int) natives.kill().invokeExact(-pid, SIGKILL);
                MemorySegment st = arena.allocate(JAVA_INT);
                int r = (int) natives.waitpid().invokeExact(pid, st, 0); // a zombie: at once
                if (r != pid) return reaped(-1);
                int s = st.get(JAVA_INT, 0);
                // WIFEXITED: low 7 bits zero; else killed by the signal in them (reported as 128 + signal)
                return reaped((s & 0x7f) == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f));
            } catch (Throwable t) {
                return reaped(-1);
            }
        }
    }

    private boolean reaped(int exit) {
        status = exit;
        Orphans.reaped(pid);
        return true;
    }

    /** @return the exit status of a script known to have ended, reaping it if that is still to do */
    private int reapNow() {
        reap(true);
        return status;
    }

    @Override
    public CompletableFuture<Integer> ended() {
        synchronized (reaping) {
            if (ended == null) {
                if (reap(false)) {
                    ended = CompletableFuture.completedFuture(status);
                } else {
                    // not reaped, so the pid is still this script's (alive or a zombie)
                    ended = ProcessHandle.of(pid)
                            .map(h -> h.onExit().thenApply(gone -> reapNow()))
                            .orElseGet(() -> CompletableFuture.completedFuture(reapNow()));
                }
            }
            return ended;
        }
    }

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    @Override
    public InputStream stdout() {
        return stdout;
    }

    @Override
    public InputStream stderr() {
        return stderr;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public boolean isAlive() {
        return !reap(false);
    }

    @Override
    public boolean waitFor(long millis) throws InterruptedException {
        if (reap(false)) return true;
        try {
            ended().get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    @Override
    public int exitValue() {
        int v = status;
        if (v == -2) throw new IllegalThreadStateException("the script is still running");
        return v;
    }

    @Override
    public void killAll() {
        synchronized (reaping) {
            if (status != -2) return; // reaped: its group was killed then, and its id may be another's now
            try {
                int ignored = (int) natives.kill().invokeExact(-pid, SIGKILL);
                ignored = (int) natives.kill().invokeExact(pid, SIGKILL); // it may have left its group
            } catch (Throwable t) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }
}
