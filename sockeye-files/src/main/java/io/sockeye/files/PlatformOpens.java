package io.sockeye.files;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.sockeye.HttpException;
import io.sockeye.Status;

/**
 * Runs file-system work that may block in {@code open} (see {@link JdkFileSystemAccess}) on platform
 * threads, so that a FIFO swapped in under a name never holds a virtual thread's carrier: with two
 * carriers, two such opens would stop every connection of the server. The caller, a virtual thread, waits
 * parked. {@link #THREADS} threads work at once; more work waits its turn in a queue (a busy server
 * with many large files to open must not get 503s for it). An open still waiting after
 * {@link #PATIENCE_MILLIS} is released (a FIFO is given a writer), and if even that does not free it (the
 * FIFO was renamed away: nothing can reach it now), the request gets 503 and the thread is given up for
 * stuck and replaced by a new one, so that the server keeps its {@link #THREADS} working threads; at most
 * {@link #MAX_STUCK} are ever replaced, after which stuck threads are not replaced and the pool shrinks.
 * Shared by all handlers.
 */
final class PlatformOpens {

    /** Threads that work at once. */
    static final int THREADS = 16;
    /** Most threads given up for stuck and replaced. */
    static final int MAX_STUCK = 64;
    /** Most work waiting for a thread; past it, 503. */
    static final int MAX_QUEUED = 4096;
    /** How long a walk may take before it is taken to be waiting on a FIFO. */
    static final long PATIENCE_MILLIS = 2_000;

    private static final System.Logger LOG = System.getLogger("io.sockeye.files");
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final ThreadPoolExecutor POOL = pool();
    private static int stuck; // guarded by POOL

    private static ThreadPoolExecutor pool() {
        ThreadPoolExecutor p = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(MAX_QUEUED), r -> {
                    Thread t = new Thread(r, "sockeye-files-open-" + NEXT.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        p.allowCoreThreadTimeOut(true);
        return p;
    }

    /** A thread is stuck in an open nothing can release: one more thread takes its place (up to {@link #MAX_STUCK}). */
    private static void replaceStuck() {
        synchronized (POOL) {
            if (stuck == MAX_STUCK) return;
            stuck++;
            POOL.setMaximumPoolSize(THREADS + stuck);
            POOL.setCorePoolSize(THREADS + stuck);
        }
    }

    private PlatformOpens() {
    }

    /**
     * @param work what to run
     * @return its result
     * @throws IOException   what the work threw
     * @throws HttpException 503 if no thread is free or the work is stuck
     */
    static <T> T call(Callable<T> work) throws IOException {
        AtomicReference<Thread> runner = new AtomicReference<>();
        Future<T> f;
        try {
            f = POOL.submit(() -> {
                runner.set(Thread.currentThread());
                try {
                    return work.call();
                } finally {
                    runner.set(null);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.log(Level.WARNING, "too many files waiting to be opened: 503");
            throw new HttpException(Status.SERVICE_UNAVAILABLE, "busy", e);
        }
        try {
            try {
                return f.get(PATIENCE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                Thread t = runner.get();
                if (t != null) JdkFileSystemAccess.release(t);
                try {
                    return f.get(200, TimeUnit.MILLISECONDS);
                } catch (TimeoutException stuckOpen) {
                    if (runner.get() != null) replaceStuck(); // not merely queued: a thread is held
                    else f.cancel(false);
                    LOG.log(Level.WARNING, "an open is still waiting (a FIFO swapped in under a file's name?): 503");
                    throw new HttpException(Status.SERVICE_UNAVAILABLE, "the file cannot be opened now", stuckOpen);
                }
            }
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) throw io;
            if (c instanceof UncheckedIOException u) throw u.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw new IOException(c);
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while opening a file");
        }
    }
}
