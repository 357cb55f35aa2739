package io.sockeye.cgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The script slots: a cap, a first-come first-served queue, a bounded wait, interrupts. */
@Timeout(30)
class ScriptSlotsTest {

    private static final Duration LONG = Duration.ofSeconds(20);

    @Test
    void slotsAreTakenAtOnceWhileThereAreAny() throws Exception {
        ScriptSlots slots = new ScriptSlots(2);
        assertTrue(slots.acquire(Duration.ZERO));
        assertTrue(slots.acquire(Duration.ZERO));
        assertFalse(slots.acquire(Duration.ZERO), "no wait allowed, none free");
        slots.release();
        assertEquals(1, slots.available());
        assertTrue(slots.acquire(Duration.ZERO));
    }

    @Test
    void aWaitEndsInFalseAtItsDeadline() throws Exception {
        ScriptSlots slots = new ScriptSlots(1);
        assertTrue(slots.acquire(Duration.ZERO));
        long start = System.nanoTime();
        assertFalse(slots.acquire(Duration.ofMillis(200)));
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(waited >= 150, "waited " + waited + " ms");
        // the waiter that gave up is not handed the slot: it goes back to the free ones
        slots.release();
        assertEquals(1, slots.available());
    }

    @Test
    void aWaitOfForeverIsAWaitNotAnError() throws Exception {
        ScriptSlots slots = new ScriptSlots(1);
        assertTrue(slots.acquire(Duration.ZERO));
        Waiter waiter = Waiter.start(slots, Duration.ofMillis(Long.MAX_VALUE));
        slots.release();
        assertTrue(waiter.outcome.get(5, TimeUnit.SECONDS));
        slots.release();
        assertEquals(1, slots.available());
    }

    @Test
    void waitersAreServedInTheOrderTheyCame() throws Exception {
        ScriptSlots slots = new ScriptSlots(1);
        assertTrue(slots.acquire(Duration.ZERO));
        List<Integer> order = new ArrayList<>();
        List<Thread> waiters = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    assertTrue(slots.acquire(LONG));
                    synchronized (order) {
                        order.add(n);
                    }
                    slots.release();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            waiters.add(t);
            awaitParked(t); // queued before the next one starts
        }
        slots.release();
        for (Thread t : waiters) t.join();
        assertEquals(List.of(0, 1, 2, 3, 4), order);
        assertEquals(1, slots.available());
    }

    @Test
    void aNewcomerDoesNotJumpTheQueue() throws Exception {
        ScriptSlots slots = new ScriptSlots(1);
        assertTrue(slots.acquire(Duration.ZERO));
        Waiter first = Waiter.start(slots, LONG);
        slots.release(); // handed to the waiter, not freed
        assertFalse(slots.acquire(Duration.ZERO), "the slot went to the one waiting");
        assertTrue(first.outcome.get(5, TimeUnit.SECONDS));
        slots.release();
        assertEquals(1, slots.available());
    }

    @Test
    void anInterruptedWaiterHoldsNoSlot() throws Exception {
        ScriptSlots slots = new ScriptSlots(1);
        assertTrue(slots.acquire(Duration.ZERO));
        Waiter waiter = Waiter.start(slots, LONG);
        waiter.thread.interrupt();
        ExecutionException e = assertThrows(ExecutionException.class, () -> waiter.outcome.get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof InterruptedException, String.valueOf(e.getCause()));
        slots.release();
        assertEquals(1, slots.available(), "the slot was not handed to the waiter that left");
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> slots.acquire(Duration.ZERO));
    }

    @Test
    void neverMoreHoldersThanSlots() throws Exception {
        ScriptSlots slots = new ScriptSlots(3);
        AtomicInteger holding = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(40);
        for (int i = 0; i < 40; i++) {
            Thread.ofVirtual().start(() -> {
                try {
                    for (int k = 0; k < 50; k++) {
                        // short waits, so some time out while others are handed slots
                        if (!slots.acquire(Duration.ofMillis(k % 2 == 0 ? 1 : 200))) {
                            refused.incrementAndGet();
                            continue;
                        }
                        most.accumulateAndGet(holding.incrementAndGet(), Math::max);
                        Thread.onSpinWait();
                        holding.decrementAndGet();
                        slots.release();
                    }
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                } finally {
                    done.countDown();
                }
            });
        }
        assertTrue(done.await(25, TimeUnit.SECONDS));
        assertTrue(most.get() <= 3, "at most 3 at once, saw " + most.get());
        assertEquals(3, slots.available(), "every slot came back (" + refused.get() + " waits timed out)");
    }

    /** A thread waiting in {@link ScriptSlots#acquire}, and what the wait gave. */
    private record Waiter(Thread thread, CompletableFuture<Boolean> outcome) {
        /** Starts one, and returns once it is queued. */
        static Waiter start(ScriptSlots slots, Duration wait) throws InterruptedException {
            CompletableFuture<Boolean> outcome = new CompletableFuture<>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    outcome.complete(slots.acquire(wait));
                } catch (Throwable e) {
                    outcome.completeExceptionally(e);
                }
            });
            awaitParked(t);
            return new Waiter(t, outcome);
        }
    }

    /** Waits until the thread is parked (queued in acquire). */
    private static void awaitParked(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (t.getState() != Thread.State.WAITING) {
            if (System.nanoTime() > deadline) throw new AssertionError("thread never parked: " + t.getState());
            Thread.sleep(1);
        }
    }
}
