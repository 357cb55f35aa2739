package io.sockeye.cgi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A script started by the JDK's {@link ProcessBuilder}, through {@code setsid} where there is one so it
 * leads a process group of its own: what it started in the group is then found through {@code /proc}
 * and killed with it, when it ends as when it is killed.
 *
 * <p>Its resource limits are set by util-linux's {@code prlimit} command, which sets them and executes
 * the script in place (same pid, environment untouched: a shell would add {@code PWD}); where there is no
 * {@code prlimit}, scripts run with the server's limits and a warning is logged once.
 *
 * <p>The JDK reaps the script itself as soon as it ends, so its group is killed just after, not before:
 * its id could in principle be reused in between, which takes the whole pid space cycling in a
 * moment. The {@code posix_spawn} path has no such window.
 */
final class JdkScriptProcess implements ScriptProcess {

    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final Path PRLIMIT = Path.of("/usr/bin/prlimit");
    private static final boolean GROUPS = Files.isExecutable(SETSID) && Files.isDirectory(Path.of("/proc/self"));
    private static final boolean PRLIMIT_THERE = Files.isExecutable(PRLIMIT);
    private static volatile boolean warned;

    private final Process process;
    private final CompletableFuture<Integer> ended;

    private JdkScriptProcess(Process process) {
        this.process = process;
        long pid = process.pid();
        this.ended = process.onExit().thenApplyAsync(p -> {
            if (GROUPS) killGroup(pid);
            Orphans.reaped(pid);
            return p.exitValue();
        }, r -> Thread.ofVirtual().name("cgi-reaped").start(r)); // not on the JDK's reaper thread
    }

    static JdkScriptProcess start(Path script, Map<String, String> env, ScriptLimits limits) throws IOException {
        // setsid and prlimit each execute the next in place: the script keeps their pid, as a group leader
        List<String> command = new ArrayList<>();
        if (GROUPS) command.add(SETSID.toString());
        List<ScriptLimits.Limit> set = limits.toSet();
        if (!set.isEmpty() && PRLIMIT_THERE) {
            command.add(PRLIMIT.toString());
            for (ScriptLimits.Limit l : set) command.add(l.prlimitOption() + "=" + l.value() + ":" + l.value());
        } else if (!set.isEmpty() && !warned) {
            warned = true;
            System.getLogger("io.sockeye.cgi").log(Level.WARNING, "CGI scripts run without resource limits: there is no " + PRLIMIT);
        }
        command.add(script.toString()); // absolute, so never taken for an option
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.directory(script.getParent().toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        return Orphans.spawn(() -> new JdkScriptProcess(pb.start()));
    }

    @Override
    public OutputStream stdin() {
        return process.getOutputStream();
    }

    @Override
    public InputStream stdout() {
        return process.getInputStream();
    }

    @Override
    public InputStream stderr() {
        return process.getErrorStream();
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public boolean waitFor(long millis) throws InterruptedException {
        return process.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public int exitValue() {
        return process.exitValue();
    }

    @Override
    public CompletableFuture<Integer> ended() {
        return ended;
    }

    @Override
    public void killAll() {
        if (!process.isAlive()) return; // reaped: its group was killed then, and its id may be another's now
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        if (GROUPS) killGroup(process.pid());
    }

    /** Kills every process in a process group, found through {@code /proc} (Java has no killpg). */
    private static void killGroup(long pgid) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.forEach(dir -> {
                String pid = dir.getFileName().toString();
                if (pid.isEmpty() || !Character.isDigit(pid.charAt(0))) return;
                String[] stat = Orphans.stat(Long.parseLong(pid));
                if (stat != null && Long.parseLong(stat[2]) == pgid) {
                    // ProcessHandle checks the start time too: a pid reused meanwhile is not signalled
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            });
        } catch (IOException | RuntimeException e) {
            // no /proc: the descendants were all that could be found
        }
    }
}
