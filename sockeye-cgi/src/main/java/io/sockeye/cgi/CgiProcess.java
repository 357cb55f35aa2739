package io.sockeye.cgi;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One script run: started directly (never through a shell, with no arguments: the query string is not
 * a command line, CVE-2019-0232) in a process group of its own; its stdin fed from the body already read
 * ({@link RequestBody}), its stdout pumped into an {@link OutputSpool}, its stderr logged
 * ({@link StderrLog}), each on a thread of its own, so that nothing here waits on the client and the
 * request's thread waits only on the spool.
 *
 * <p>The run ends when the script's output is over and the script has been reaped (its process group
 * killed first: nothing it started in the group outlives it, see {@link ScriptProcess#ended()}); then
 * its slot is given back ({@code onEnd}), whether or not the client has its answer yet. A run whose output
 * is not over within its time is killed with its group, its output cut short (the answer is then a
 * timeout), and it ends once reaped even if a process that left the group still holds its stdout. The
 * deadline covers the output, not just the script: a script that exits and leaves a child holding its
 * stdout open (a forgotten {@code &}) would otherwise hold the response.
 */
final class CgiProcess {

    private static final System.Logger LOG = System.getLogger("io.sockeye.cgi");

    private final ScriptProcess process;
    private final String name;
    private final OutputSpool spool;
    private final Runnable onEnd;
    private final ScheduledFuture<?> deadline;
    private final CompletableFuture<Integer> done = new CompletableFuture<>();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile boolean outputDone;
    private volatile boolean expired;
    private volatile boolean timedOut;
    private volatile Thread pump;

    private CgiProcess(ScriptProcess process, String name, Duration timeout, OutputSpool spool, Runnable onEnd) {
        this.process = process;
        this.name = name;
        this.spool = spool;
        this.onEnd = onEnd;
        this.deadline = CgiTimer.schedule(this::expire, timeout);
    }

    /**
     * Starts a script and the threads around it.
     *
     * @param body  its stdin, or {@code null} for none; read by the run until it ends, closed by the caller
     * @param spool where its output goes; the caller reads it, and closes it
     * @param onEnd what to do once, when the run has ended (give the script slot back)
     * @throws IOException if the script cannot be started (nothing was then started)
     */
    static CgiProcess start(Path script, Map<String, String> env, ScriptLimits limits, boolean jdkSpawn, Duration timeout,
                            String name, RequestBody body, OutputSpool spool, Runnable onEnd) throws IOException {
        ScriptProcess p = ScriptProcess.start(script, env, limits, jdkSpawn);
        CgiProcess run = new CgiProcess(p, name, timeout, spool, onEnd);
        Thread.ofVirtual().name("cgi-stderr").start(() -> new StderrLog(name).drain(p.stderr()));
        if (body != null && body.length() > 0) {
            Thread.ofVirtual().name("cgi-stdin").start(() -> body.feed(p.stdin()));
        } else {
            try {
                p.stdin().close(); // no body: the script reads end of input at once
            } catch (IOException ignored) {
                // the pipe is gone already
            }
        }
        Thread t = Thread.ofVirtual().name("cgi-stdout").unstarted(run::pump);
        run.pump = t;
        t.start();
        return run;
    }

    OutputSpool spool() {
        return spool;
    }

    /** @return whether the run was killed at its deadline before its output was over */
    boolean timedOut() {
        return timedOut;
    }

    /** @return what completes with the exit status once the run has ended (slot given back) */
    CompletableFuture<Integer> done() {
        return done;
    }

    /** @return the exit status once the run has ended, waiting up to {@code millis}; {@code null} if it has not */
    Integer awaitEnd(long millis) throws InterruptedException {
        try {
            return done.get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (ExecutionException e) {
            return -1;
        }
    }

    /** Nobody wants the output any more (the client went away, the server is stopping): kills the script. */
    void abort() {
        process.killAll();
    }

    private void pump() {
        IOException failure = null;
        InputStream stdout = process.stdout();
        try {
            while (spool.readFrom(stdout) >= 0) {
                // until the end of the output
            }
        } catch (IOException e) {
            failure = e;
        } catch (InterruptedException e) {
            failure = new InterruptedIOException("stopped at the deadline");
        } finally {
            try {
                stdout.close();
            } catch (IOException ignored) {
                // nothing left to read anyway
            }
            outputDone = true;
            spool.end(failure);
            process.ended().whenComplete((status, e) -> reaped(status == null ? -1 : status));
        }
    }

    private void expire() {
        if (!outputDone) {
            timedOut = true;
            LOG.log(Level.WARNING, name + ": killed after running past its time");
            spool.end(new IOException(name + ": killed at its timeout"));
        }
        expired = true;
        process.killAll();
        Thread t = pump;
        // a process that left the group may still hold the pipe: on the posix_spawn path this stops the
        // read; the JDK's pipe cannot be interrupted, and its pump waits for that process to end
        if (t != null && !outputDone) t.interrupt();
        process.ended().whenComplete((status, e) -> reaped(status == null ? -1 : status));
    }

    private void reaped(int status) {
        if (!outputDone && !expired) return;
        if (!finished.compareAndSet(false, true)) return;
        deadline.cancel(false);
        try {
            onEnd.run();
        } finally {
            done.complete(status);
            Orphans.runEnded();
        }
    }
}
