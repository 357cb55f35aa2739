package io.sockeye.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class HandshakeWorkersTest {

    private static final int WORKERS = Runtime.getRuntime().availableProcessors();

    private final HandshakeWorkers workers = new HandshakeWorkers();
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<Thread> waiting = new ArrayList<>();

    @AfterEach
    void close() throws InterruptedException {
        release.countDown();
        for (Thread t : waiting) t.join();
        workers.close();
    }

    private static long far() {
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    }

    /** Hands {@code step} over from a virtual thread of its own, as a connection does; what it threw goes to {@code failed}. */
    private void handOver(Runnable step, boolean followUp, AtomicBoolean abandoned, AtomicReference<Throwable> failed) {
        waiting.add(Thread.ofVirtual().start(() -> {
            try {
                workers.run(step, followUp, abandoned::get, far());
            } catch (Throwable e) {
                if (failed != null) failed.set(e);
            }
        }));
    }

    /** Keeps every worker busy until {@link #release} opens. */
    private void occupyAllWorkers() throws InterruptedException {
        occupy(WORKERS);
    }

    /** Keeps {@code count} workers busy until {@link #release} opens. */
    private void occupy(int count) throws InterruptedException {
        CountDownLatch busy = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            handOver(() -> {
                busy.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, false, new AtomicBoolean(), null);
        }
        assertTrue(busy.await(10, TimeUnit.SECONDS), "the workers did not all start");
    }

    @Test
    void aStepRunsOnAPlatformWorkerWhileTheVirtualThreadWaits() throws Exception {
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        handOver(() -> ranOn.set(Thread.currentThread()), false, new AtomicBoolean(), failed);
        waiting.get(0).join();
        assertNull(failed.get());
        assertFalse(ranOn.get().isVirtual());
        assertTrue(ranOn.get().getName().startsWith("sockeye-tls-handshake-"), ranOn.get().getName());
    }

    @Test
    void aStepWhoseConnectionGaveUpWhileItWaitedIsNotRun() throws Exception {
        occupyAllWorkers();
        AtomicBoolean abandoned = new AtomicBoolean(); // not yet when handed over
        AtomicBoolean ran = new AtomicBoolean();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        handOver(() -> ran.set(true), false, abandoned, failed);
        Thread.sleep(100);
        abandoned.set(true); // the connection's deadline passes while the step waits for a worker
        release.countDown();
        waiting.get(waiting.size() - 1).join();
        assertFalse(ran.get());
        HandshakeWorkers.StepNotDone e = assertInstanceOfStepNotDone(failed.get());
        assertFalse(e.engineMayBeBusy(), "a step that never ran leaves the engine to its connection");
    }

    @Test
    void aHandshakesLaterStepGoesBeforeEveryFirstStepQueuedBeforeIt() throws Exception {
        // one worker only takes from the queue, so that the order it takes the steps in shows
        CountDownLatch one = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        handOver(() -> {
            started.countDown();
            try {
                one.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, false, new AtomicBoolean(), null);
        assertTrue(started.await(10, TimeUnit.SECONDS));
        if (WORKERS > 1) occupy(WORKERS - 1);
        ConcurrentLinkedQueue<String> order = new ConcurrentLinkedQueue<>();
        handOver(() -> order.add("first A"), false, new AtomicBoolean(), null);
        Thread.sleep(50);
        handOver(() -> order.add("first B"), false, new AtomicBoolean(), null);
        Thread.sleep(50);
        handOver(() -> order.add("later C"), true, new AtomicBoolean(), null);
        Thread.sleep(100);
        one.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (order.size() < 3 && System.nanoTime() < deadline) Thread.sleep(5);
        assertEquals(List.of("later C", "first A", "first B"), List.copyOf(order));
    }

    @Test
    void aWaitEndsAtItsDeadlineAndSaysTheEngineMayStillBeInUse() throws Exception {
        occupyAllWorkers();
        long start = System.nanoTime();
        HandshakeWorkers.StepNotDone e = assertThrows(HandshakeWorkers.StepNotDone.class,
                () -> workers.run(() -> { }, false, () -> false, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100)));
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(waited >= 90 && waited < 5_000, "waited " + waited + " ms for a 100 ms deadline");
        assertTrue(e.engineMayBeBusy());
    }

    @Test
    void whatAStepThrowsReachesTheWaitingThread() {
        IllegalStateException thrown = new IllegalStateException("bad");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> workers.run(() -> {
            throw thrown;
        }, false, () -> false, far()));
        assertSame(thrown, e);
    }

    @Test
    void closeWaitsForTheWorkersToEndAndLaterStepsFail() throws Exception {
        AtomicReference<String> name = new AtomicReference<>();
        workers.run(() -> name.set(Thread.currentThread().getName()), false, () -> false, far());
        String pool = name.get().substring(0, name.get().lastIndexOf('-') + 1); // this pool's threads only
        workers.close();
        // close returns once the pool has terminated; its last worker may be a moment from its end
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        long alive;
        while ((alive = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(pool)).count()) > 0
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, alive, "workers of " + pool + " alive after close");
        assertThrows(HandshakeWorkers.StepNotDone.class, () -> workers.run(() -> { }, false, () -> false, far()));
    }

    private static HandshakeWorkers.StepNotDone assertInstanceOfStepNotDone(Throwable t) {
        assertTrue(t instanceof HandshakeWorkers.StepNotDone, "expected StepNotDone, got " + t);
        return (HandshakeWorkers.StepNotDone) t;
    }
}
