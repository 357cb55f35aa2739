package io.sockeye.cgi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A script started by the JDK's {@link ProcessBuilder}, through {@code setsid} where there is one so it
 * leads a process group of its own: its orphans (children that outlive it, which
 * {@link Process#descendants()} no longer sees) are then found through {@code /proc} and killed with it.
 */
final class JdkScriptProcess implements ScriptProcess {

    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final boolean GROUPS = Files.isExecutable(SETSID) && Files.isDirectory(Path.of("/proc/self"));

    private final Process process;

    private JdkScriptProcess(Process process) {
        this.process = process;
    }

    static JdkScriptProcess start(Path script, Map<String, String> env) throws IOException {
        // setsid execs the script in place (same pid) as the leader of a new process group
        ProcessBuilder pb = GROUPS ? new ProcessBuilder(SETSID.toString(), script.toString()) : new ProcessBuilder(script.toString());
        pb.directory(script.getParent().toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        return new JdkScriptProcess(pb.start());
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
    public void killAll() {
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
                try {
                    String stat = Files.readString(dir.resolve("stat"));
                    // pid (comm) state ppid pgrp ...: comm may hold spaces, so count from its closing ')'
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (Long.parseLong(fields[2]) == pgid) {
                        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                    }
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile, or not ours to read
                }
            });
        } catch (IOException e) {
            // no /proc: the descendants were all that could be found
        }
    }
}
