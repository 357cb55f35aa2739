package io.sockeye.cli;

import io.sockeye.cgi.CgiHandler;
import io.sockeye.files.FileHandler;

/**
 * The one-time work of the site's first requests, done in the background once the server is listening:
 * linking the native calls that open files and start scripts (the JVM generates their stubs at run time,
 * a tenth of a second or more). Done before listening it would delay every start, first answer included;
 * done by the first request alone it would delay that request when the client comes a moment later.
 * A request that comes while it runs waits for the part it needs rather than doing it again.
 */
final class WarmUp {

    private WarmUp() {
    }

    /** Starts the warm-up for what these options serve; returns at once. */
    static void start(Options options) {
        boolean cgi = !Site.cgiDirectories(options).isEmpty();
        // A platform thread: linking runs for a while without blocking, and on a virtual thread it would
        // hold a carrier that the first connections need (a server on one core has one).
        Thread t = new Thread(() -> {
            FileHandler.warmUp();
            if (cgi) CgiHandler.warmUp();
        }, "sockeye-warm-up");
        t.setDaemon(true);
        t.start();
    }
}
