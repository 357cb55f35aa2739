package io.sockeye.cgi;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One script run: started directly (never through a shell, with no arguments: the query string is not
 * a command line, CVE-2019-0232), in a session and process group of its own where {@code setsid} is
 * available, its stderr logged line by line, and killed, with every process it started, if its output is
 * not over within its time or the client goes away.
 *
 * <p>The deadline covers the output, not just the script: a script that exits and leaves a child holding
 * its stdout open (a forgotten {@code &}) would otherwise hold the response, and the child outlives its
 * parent where {@link Process#descendants()} no longer sees it; the process group finds it.
 */
final class CgiProcess implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("io.sockeye.cgi");
    private static final int MAX_LOG_LINE = 4096;
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final boolean GROUPS = Files.isExecutable(SETSID) && Files.isDirectory(Path.of("/proc/self"));

    private final Process process;
    private final String name;
    private final CountDownLatch outputDone = new CountDownLatch(1);
    private volatile boolean timedOut;

    private CgiProcess(Process process, String name) {
        this.process = process;
        this.name = name;
    }

    /**
     * @param script    the executable
     * @param env       its whole environment
     * @param timeout   how long it (and its output) may take
     * @param name      how log lines name it
     */
    static CgiProcess start(Path script, Map<String, String> env, Duration timeout, String name) throws IOException {
        // setsid execs the script in place (same pid) as the leader of a new process group
        ProcessBuilder pb = GROUPS ? new ProcessBuilder(SETSID.toString(), script.toString()) : new ProcessBuilder(script.toString());
        pb.directory(script.getParent().toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        CgiProcess run = new CgiProcess(p, name);
        Thread.ofVirtual().name("cgi-stderr").start(run::logErrors);
        Thread.ofVirtual().name("cgi-timeout").start(() -> run.enforce(timeout));
        return run;
    }

    InputStream stdout() {
        return process.getInputStream();
    }

    /** @return whether the script has ended, or ends within the time given */
    boolean endsWithin(long millis) {
        try {
            return process.waitFor(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    boolean timedOut() {
        return timedOut;
    }

    /** The script's output is over (read to its end, or abandoned): the deadline no longer applies. */
    void outputFinished() {
        outputDone.countDown();
    }

    /**
     * @param millis how long to wait for the script to end
     * @return its exit status, or -1 if it is still running (it is then killed)
     */
    int exitStatus(long millis) throws InterruptedException {
        if (process.waitFor(millis, TimeUnit.MILLISECONDS)) return process.exitValue();
        kill();
        return -1;
    }

    /** Waits for the script to end (it is killed at its deadline anyway). @return its exit status */
    int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /**
     * Copies the request body to the script's stdin, then closes it. A script that stops reading (it may
     * not want the body at all) ends the copy quietly: what it read is what it gets.
     *
     * @throws IOException if reading the body fails (the client went away or broke the framing)
     */
    void feed(InputStream body) throws IOException {
        OutputStream stdin = process.getOutputStream();
        try {
            if (body == null) return;
            byte[] buffer = new byte[16 * 1024];
            int n;
            while ((n = body.read(buffer)) > 0) {
                try {
                    stdin.write(buffer, 0, n);
                } catch (IOException scriptStoppedReading) {
                    return;
                }
            }
        } finally {
            try {
                stdin.close();
            } catch (IOException ignored) {
                // the pipe is gone already
            }
        }
    }

    private void logErrors() {
        try (BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = err.readLine()) != null) {
                String shown = line.length() > MAX_LOG_LINE ? line.substring(0, MAX_LOG_LINE) + "..." : line;
                LOG.log(Level.WARNING, name + ": " + shown);
            }
        } catch (IOException e) {
            // the pipe closed with the process
        }
    }

    private void enforce(Duration timeout) {
        try {
            if (!outputDone.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                timedOut = true;
                LOG.log(Level.WARNING, name + ": killed after running for " + timeout.toMillis() + " ms");
                kill();
            }
        } catch (InterruptedException e) {
            kill();
        }
    }

    /** Kills the script and everything it started, whether or not its parent is still alive. */
    void kill() {
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

    /** Ends the run: a script still running now (the client went away, say) is killed with its group. */
    @Override
    public void close() {
        outputFinished();
        if (process.isAlive()) kill();
        try {
            process.getInputStream().close();
        } catch (IOException e) {
            // nothing left to read anyway
        }
    }
}
