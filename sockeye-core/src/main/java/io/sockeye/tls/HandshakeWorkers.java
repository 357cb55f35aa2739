package io.sockeye.tls;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import javax.net.ssl.SSLException;

/**
 * A server's platform threads, one per core, that run the costly steps of its TLS handshakes: the JDK
 * engine's delegated tasks, above all answering a ClientHello, which takes a key exchange and, unless a
 * session is resumed, a signature (1 to 3 ms of CPU in the JDK's Java code on this project's machine,
 * against tens of microseconds for a keep-alive request); in TLS 1.2 also the client's key exchange, and
 * checking a client certificate.
 *
 * <p>Why not on the connection's own virtual thread: virtual threads run in first-come order, and the
 * JDK's I/O poller, which notices that an established connection has a request waiting, is itself a
 * virtual thread in the same queue. Fifty clients connecting at once then held every established
 * connection's next request, and the poller, behind fifty such steps: measured on one core, no request
 * answered for 60 to 100 ms, and each newcomer's handshake finished only after every other newcomer's
 * first step (so its first request waited as long). Here the steps share the CPU with the virtual
 * threads' carriers through the operating system's scheduler instead, so established connections keep
 * being served while a burst of handshakes is worked off; and a handshake's later steps go before any
 * handshake's first, so a handshake once begun is not held up by those that arrived after it (a client
 * that forces a second ClientHello with a HelloRetryRequest gets no better place than that). Measured
 * with 50 new connections at once: p99 6 ms against 59 ms, the slowest request 15 ms against 150 ms.
 *
 * <p>Steps should only compute. One that blocks (a key manager that signs on a remote service, say) holds
 * a worker, and with every worker held no handshake moves; a connection waits for its step no longer than
 * its handshake deadline, though, and a step whose connection gave up while it waited (deadline passed,
 * or closed) is not run: under a flood, work for clients that are gone would only delay those still there.
 */
final class HandshakeWorkers implements AutoCloseable {

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ThreadPoolExecutor pool;
    /** Order of arrival, within each class of steps. */
    private final AtomicLong arrivals = new AtomicLong();

    /** Workers for one server, one per core, started when first needed; idle ones end after a minute. */
    HandshakeWorkers() {
        int cores = Runtime.getRuntime().availableProcessors();
        // unbounded queue: each connection has at most one step in it, and connections are capped
        pool = new ThreadPoolExecutor(cores, cores, 60, TimeUnit.SECONDS, new PriorityBlockingQueue<>(),
                Thread.ofPlatform().daemon().name("sockeye-tls-handshake-" + POOLS.incrementAndGet() + "-", 1)
                        .inheritInheritableThreadLocals(false).factory());
        pool.allowCoreThreadTimeOut(true);
    }

    /**
     * Runs {@code step} on a worker and waits for it, parking a virtual thread, not its carrier; what the
     * step throws is thrown here.
     *
     * @param step      the engine's delegated tasks
     * @param followUp  whether the handshake has had a step before: it goes before every first step
     * @param abandoned says, when the step's turn comes, whether its connection has given up (its deadline
     *                  passed, or it was closed)
     * @param deadline  the {@link System#nanoTime()} after which the caller waits no more
     * @throws StepNotDone if the connection gave up before the step ran, the step was not done by the
     *                     deadline (it may still be running: the engine is not to be used again), or the
     *                     server is stopping
     */
    void run(Runnable step, boolean followUp, BooleanSupplier abandoned, long deadline) throws StepNotDone {
        Step s = new Step(step, followUp, arrivals.getAndIncrement(), abandoned);
        try {
            pool.execute(s);
        } catch (RejectedExecutionException e) {
            throw new StepNotDone("the server is stopping", false);
        }
        boolean ran;
        try {
            ran = s.done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new StepNotDone("the handshake's step was not done by its deadline", true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StepNotDone("interrupted while the handshake's step waited", true);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error r) throw r;
            throw new IllegalStateException(e.getCause());
        }
        if (!ran) throw new StepNotDone("the handshake was given up while it waited for a handshake worker", false);
    }

    /**
     * Lets the steps already queued run (or be skipped: their connections are closed by then) and waits
     * up to two seconds for the workers to end; a step still running after that is interrupted. A step
     * handed over afterwards fails its handshake.
     */
    @Override
    public void close() {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(2, TimeUnit.SECONDS)) pool.shutdownNow();
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** A step that did not run to its end here: the handshake fails. */
    static final class StepNotDone extends SSLException {

        private static final long serialVersionUID = 1L;

        private final boolean engineMayBeBusy;

        StepNotDone(String message, boolean engineMayBeBusy) {
            super(message);
            this.engineMayBeBusy = engineMayBeBusy;
        }

        /** @return whether the step may still be running on a worker, so that the engine is not to be touched */
        boolean engineMayBeBusy() {
            return engineMayBeBusy;
        }
    }

    /** A queued step: follow-ups first, then by arrival. */
    private static final class Step implements Runnable, Comparable<Step> {

        final CompletableFuture<Boolean> done = new CompletableFuture<>();
        private final Runnable work;
        private final boolean followUp;
        private final long arrival;
        private final BooleanSupplier abandoned;

        Step(Runnable work, boolean followUp, long arrival, BooleanSupplier abandoned) {
            this.work = work;
            this.followUp = followUp;
            this.arrival = arrival;
            this.abandoned = abandoned;
        }

        @Override
        public void run() {
            try {
                if (abandoned.getAsBoolean()) {
                    done.complete(false);
                } else {
                    work.run();
                    done.complete(true);
                }
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }

        @Override
        public int compareTo(Step other) {
            if (followUp != other.followUp) return followUp ? -1 : 1;
            return Long.compare(arrival, other.arrival);
        }
    }
}
