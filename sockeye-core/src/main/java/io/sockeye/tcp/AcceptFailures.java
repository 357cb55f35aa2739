package io.sockeye.tcp;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What the accept loop does when {@code accept} fails (out of file descriptors, {@code EMFILE}, most
 * often): back off from 5 ms to 1 s, as Go's {@code Server.Serve} does, so that the loop never spins
 * while the condition lasts; and log the episode once when it starts and once when it ends, not once per
 * retry.
 */
final class AcceptFailures {

    private final System.Logger log;
    private final int port;
    private long backoffMillis;
    private long failures;

    AcceptFailures(System.Logger log, int port) {
        this.log = log;
        this.port = port;
    }

    /** Called after each failure: logs the first of a run, then waits before the next try. */
    void failed(IOException e) {
        failures++;
        backoffMillis = backoffMillis == 0 ? 5 : Math.min(backoffMillis * 2, 1000);
        if (failures == 1) {
            log.log(Level.WARNING, "accept failed on port " + port + ": " + e.getMessage()
                    + "; retrying with a back-off of up to 1 s (new clients wait meanwhile)");
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMillis));
    }

    /** Called after each success: ends a run of failures. */
    void recovered() {
        if (failures == 0) return;
        log.log(Level.WARNING, "accepting again on port " + port + " after " + failures + " failed attempt(s)");
        failures = 0;
        backoffMillis = 0;
    }
}
