package io.sockeye.cgi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;

/**
 * One script run: started directly (never through a shell, with no arguments: the query string is not
 * a command line, CVE-2019-0232) in a process group of its own, its stderr logged line by line (bounded, see {@link StderrLog}), and killed,
 * with every process it started, if its output is not over within its time or the client goes away.
 *
 * <p>The deadline covers the output, not just the script: a script that exits and leaves a child holding
 * its stdout open (a forgotten {@code &}) would otherwise hold the response; the child is found through
 * the script's process group and killed with it.
 */
final class CgiProcess implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("io.sockeye.cgi");

    private final ScriptProcess process;
    private final String name;
    private final ScheduledFuture<?> deadline;
    private volatile boolean timedOut;
    private volatile boolean outputDone;

    private CgiProcess(ScriptProcess process, String name, Duration timeout) {
        this.process = process;
        this.name = name;
        this.deadline = CgiTimer.schedule(this::expire, timeout);
    }

    /**
     * @param script  the executable
     * @param env     its whole environment
     * @param timeout how long it (and its output) may take
     * @param name    how log lines name it
     */
    static CgiProcess start(Path script, Map<String, String> env, Duration timeout, String name) throws IOException {
        CgiProcess run = new CgiProcess(ScriptProcess.start(script, env), name, timeout);
        Thread.ofVirtual().name("cgi-stderr").start(run::logErrors);
        return run;
    }

    InputStream stdout() {
        return process.stdout();
    }

    /** @return whether the script has ended, or ends within the time given */
    boolean endsWithin(long millis) {
        try {
            return process.waitFor(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    boolean timedOut() {
        return timedOut;
    }

    /**
     * The script's output is over (read to its end, or abandoned): its deadline no longer makes the answer a
     * timeout, but it still ends whatever is left of the run, such as a child holding the script's stdin
     * while its body is being fed.
     */
    void outputFinished() {
        outputDone = true;
    }

    /**
     * @param millis how long to wait for the script to end
     * @return its exit status, or -1 if it is still running (it is then killed)
     */
    int exitStatus(long millis) throws InterruptedException {
        if (process.waitFor(millis)) return process.exitValue();
        kill();
        return -1;
    }

    /** Waits for the script to end (it is killed at its deadline anyway). @return its exit status */
    int waitFor() throws InterruptedException {
        while (!process.waitFor(1000)) {
            // the deadline kills it if it outstays its time
        }
        return process.exitValue();
    }

    /**
     * Copies the request body to the script's stdin, then closes it. A script that stops reading (it may
     * not want the body at all) ends the copy quietly: what it read is what it gets.
     *
     * @throws IOException if reading the body fails (the client went away or broke the framing)
     */
    void feed(InputStream body) throws IOException {
        OutputStream stdin = process.stdin();
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
        new StderrLog(name).drain(process.stderr());
    }

    private void expire() {
        if (!outputDone) {
            timedOut = true;
            LOG.log(Level.WARNING, name + ": killed after running past its time");
        }
        kill();
    }

    /** Kills the script and everything it started. */
    void kill() {
        process.killAll();
    }

    /** Ends the run: a script still running now (the client went away, say) is killed with its group. */
    @Override
    public void close() {
        outputFinished();
        deadline.cancel(false);
        if (process.isAlive()) kill();
        try {
            process.stdout().close();
        } catch (IOException e) {
            // nothing left to read anyway
        }
    }
}
