package io.sockeye.cli;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ctrl-C, twice if need be: the first stops gracefully, saying how many requests it lets finish (for up
 * to the grace period); the second ends them at once. The JVM's own handling of SIGINT cannot do this:
 * once its shutdown has begun, a second SIGINT waits for the first's shutdown hooks.
 */
final class Interrupts {

    private final Main.Launch launch;
    private final PrintStream err;
    private final AtomicInteger presses = new AtomicInteger();

    Interrupts(Main.Launch launch, PrintStream err) {
        this.launch = launch;
        this.err = err;
    }

    /** Handles SIGINT from now on (Ctrl-C in a terminal, {@code kill -INT}). */
    void install() {
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> press());
    }

    /** @return whether Ctrl-C has been pressed */
    boolean pressed() {
        return presses.get() > 0;
    }

    /** One Ctrl-C: returns at once, the stopping done on a thread of its own. */
    void press() {
        int n = presses.incrementAndGet();
        if (n == 1) {
            int busy = launch.server().activeExchangeCount();
            err.println(busy == 0 ? "Stopping..."
                    : "Finishing " + busy + (busy == 1 ? " request" : " requests") + " (Ctrl-C again to stop now)");
            err.flush();
            Thread.ofPlatform().name("sockeye-stop").start(launch::stop);
        } else if (n == 2) {
            err.println("Stopping now");
            err.flush();
            Thread.ofPlatform().name("sockeye-stop-now").start(launch::stopNow);
        }
    }
}
