package io.sockeye.tls;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import javax.net.ssl.SSLException;

/**
 * A server's platform threads, one per core, that run the costly step of each
 * TLS handshake: answering the client's first flight, which takes a key exchange and, unless a session is
 * resumed, a signature (1 to 3 ms of CPU in the JDK's Java code on this project's machine, against tens of
 * microseconds for a keep-alive request).
 *
 * <p>Why not on the connection's own virtual thread: virtual threads run in first-come order, and the
 * JDK's I/O poller, which notices that an established connection has a request waiting, is itself a
 * virtual thread in the same queue. Fifty clients connecting at once then held every established
 * connection's next request, and the poller, behind fifty such steps: measured on one core, no request
 * answered for 60 to 100 ms, and each new connection's handshake finished only after every other
 * newcomer's first step (so its first request waited as long). Here the steps share the CPU with the
 * virtual threads' carriers through the operating system's scheduler instead, and the steps that finish
 * a handshake (the client's Finished: a MAC) stay on the connection's thread: established connections
 * keep being served while a burst of handshakes is worked off, and a connection whose first step is done
 * completes without waiting for later arrivals. Measured with 50 new connections at once: p99 6 ms
 * against 59 ms, the slowest request 15 ms against 150 ms.
 *
 * <p>A step whose connection gave up (its deadline passed while the step waited for a worker) is not run:
 * under a flood, work for clients that are gone would only delay those still waiting.
 */
final class HandshakeWorkers implements AutoCloseable {

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ThreadPoolExecutor pool;

    /** Workers for one server, started when first needed, one per core; idle ones end after a minute. */
    HandshakeWorkers() {
        int cores = Runtime.getRuntime().availableProcessors();
        String name = "sockeye-tls-handshake-" + POOLS.incrementAndGet() + "-";
        AtomicInteger threads = new AtomicInteger();
        // unbounded queue: what waits in it is bounded by the connections in a handshake, which the
        // server's connection cap and the handshake deadline bound
        pool = new ThreadPoolExecutor(cores, cores, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, name + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
    }

    /**
     * Runs {@code step} on a worker and waits for it (parking a virtual thread, not its carrier). The wait
     * is not interruptible: the engine is the step's until it ends, and the step is short; a connection
     * closed meanwhile has its step skipped through {@code abandoned}.
     *
     * @param step      the engine's delegated tasks
     * @param abandoned says, when the step's turn comes, whether its connection has given up (its deadline
     *                  passed, or it was closed)
     * @throws SSLException if the connection gave up before the step ran, or the server is stopping
     */
    void run(Runnable step, BooleanSupplier abandoned) throws SSLException {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        try {
            pool.execute(() -> {
                try {
                    if (abandoned.getAsBoolean()) {
                        done.complete(false);
                    } else {
                        step.run();
                        done.complete(true);
                    }
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            throw new SSLException("the server is stopping");
        }
        boolean ran;
        try {
            ran = done.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error r) throw r;
            throw e;
        }
        if (!ran) throw new SSLException("the handshake was given up while it waited for a handshake worker");
    }

    /**
     * Lets the steps already queued run (or be skipped, their connections closed by then) and the workers
     * end; a step handed over afterwards fails the handshake.
     */
    @Override
    public void close() {
        pool.shutdown();
    }
}
