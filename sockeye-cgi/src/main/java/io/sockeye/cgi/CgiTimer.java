package io.sockeye.cgi;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The CGI module's one timer thread, for every script's deadline and every wait for a script slot: a
 * task on a timer rather than a waiting thread (or a timed park) for each.
 */
final class CgiTimer {

    private static final ScheduledThreadPoolExecutor TIMER = create();

    private CgiTimer() {
    }

    private static ScheduledThreadPoolExecutor create() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "sockeye-cgi-timer");
            t.setDaemon(true);
            return t;
        });
        // A cancelled task leaves the queue at once. Almost every task is cancelled (a script ends before
        // its deadline); kept for the whole delay, thousands of them would hold their scripts' objects.
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /**
     * Runs {@code task} on the timer thread after {@code delay}, unless cancelled first; it must be quick.
     * A delay too long for nanoseconds (a "forever" such as {@code Long.MAX_VALUE} milliseconds) is
     * taken as the longest there is rather than refused.
     */
    static ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        return TIMER.schedule(task, TimeUnit.NANOSECONDS.convert(delay), TimeUnit.NANOSECONDS);
    }
}
