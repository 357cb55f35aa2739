package io.sockeye.cgi;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One script run: started directly (never through a shell, with no arguments: the query string is not
 * a command line, CVE-2019-0232), its stderr logged line by line, and killed, with every process it
 * started, if it runs past its time or the client goes away.
 */
final class CgiProcess implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("io.sockeye.cgi");
    private static final int MAX_LOG_LINE = 4096;

    private final Process process;
    private final String name;
    private volatile boolean timedOut;

    private CgiProcess(Process process, String name) {
        this.process = process;
        this.name = name;
    }

    /**
     * @param script    the executable
     * @param env       its whole environment
     * @param timeout   how long it may run
     * @param name      how log lines name it
     */
    static CgiProcess start(Path script, Map<String, String> env, Duration timeout, String name) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(script.toString());
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
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                timedOut = true;
                LOG.log(Level.WARNING, name + ": killed after running for " + timeout.toMillis() + " ms");
                kill();
            }
        } catch (InterruptedException e) {
            kill();
        }
    }

    /** Kills the script and everything it started; children are found first, before they are orphaned. */
    void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Ends the run: a script still running now (the client went away, say) is killed. */
    @Override
    public void close() {
        if (process.isAlive()) kill();
        try {
            process.getInputStream().close();
        } catch (IOException e) {
            // nothing left to read anyway
        }
    }
}
