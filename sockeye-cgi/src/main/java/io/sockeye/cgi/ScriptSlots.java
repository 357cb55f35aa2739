package io.sockeye.cgi;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The cap on scripts running at once: a slot per script, and a first-come first-served queue of requests
 * waiting for one, each for a bounded time.
 *
 * <p>Why not {@link java.util.concurrent.Semaphore#tryAcquire(long, java.util.concurrent.TimeUnit)}: a
 * timed wait parks the virtual thread with a timeout, and the JDK's scheduler arms and then disarms a
 * timer on a thread of its own for each one. Under a CGI load where requests queue (more connections than
 * slots) that was about three thread wake-ups per request, 5 % of the server's core. Here a waiter parks
 * without a timeout, and its deadline is a task on {@link CgiTimer}, whose thread wakes only when the
 * earliest deadline changes.
 */
final class ScriptSlots {

    private static final int WAITING = 0;
    private static final int GRANTED = 1;
    private static final int GONE = 2; // timed out or interrupted

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    // Invariant: while a slot is free nobody is WAITING, as release() hands a slot to a waiter before it
    // frees one; so the fast path below never jumps the queue.
    private int free;

    ScriptSlots(int slots) {
        if (slots < 1) throw new IllegalArgumentException("slots must be at least 1");
        this.free = slots;
    }

    /**
     * Takes a slot, waiting up to {@code wait} for one behind the requests already waiting.
     *
     * @return whether a slot was taken (then {@link #release()} must follow)
     * @throws InterruptedException if interrupted while waiting (no slot is then held)
     */
    boolean acquire(Duration wait) throws InterruptedException {
        if (Thread.interrupted()) throw new InterruptedException();
        Waiter waiter;
        lock.lock();
        try {
            if (free > 0) {
                free--;
                return true;
            }
            if (wait.isZero() || wait.isNegative()) return false;
            waiter = new Waiter(Thread.currentThread());
            queue.addLast(waiter);
        } finally {
            lock.unlock();
        }
        ScheduledFuture<?> deadline;
        try {
            deadline = CgiTimer.schedule(() -> leave(waiter, false), wait);
        } catch (RuntimeException | Error e) {
            // never queued for good: a waiter left behind would be handed the next free slot, and keep it
            if (!leave(waiter, true)) release();
            throw e;
        }
        try {
            while (waiter.state.get() == WAITING) {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    if (leave(waiter, true)) throw new InterruptedException();
                    // a slot was handed over just as the interrupt came: keep it, and the interrupt
                    Thread.currentThread().interrupt();
                }
            }
        } finally {
            deadline.cancel(false);
        }
        return waiter.state.get() == GRANTED;
    }

    /** Gives a slot back: to the longest waiting request if there is one, else to the free ones. */
    void release() {
        Waiter next;
        lock.lock();
        try {
            do {
                next = queue.pollFirst();
            } while (next != null && !next.state.compareAndSet(WAITING, GRANTED)); // skips waiters gone
            if (next == null) {
                free++;
                return;
            }
        } finally {
            lock.unlock();
        }
        LockSupport.unpark(next.thread);
    }

    /** @return slots free now (for tests and diagnostics) */
    int available() {
        lock.lock();
        try {
            return free;
        } finally {
            lock.unlock();
        }
    }

    /** Takes a waiter out of the queue, unless it was granted a slot first. @return whether it left */
    private boolean leave(Waiter waiter, boolean self) {
        if (!waiter.state.compareAndSet(WAITING, GONE)) return false;
        lock.lock();
        try {
            queue.remove(waiter);
        } finally {
            lock.unlock();
        }
        if (!self) LockSupport.unpark(waiter.thread);
        return true;
    }

    private static final class Waiter {
        final Thread thread;
        final AtomicInteger state = new AtomicInteger(WAITING);

        Waiter(Thread thread) {
            this.thread = thread;
        }
    }
}
