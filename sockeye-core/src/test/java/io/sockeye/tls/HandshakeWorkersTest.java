package io.sockeye.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HandshakeWorkersTest {

    private final HandshakeWorkers workers = new HandshakeWorkers();

    @AfterEach
    void close() {
        workers.close();
    }

    @Test
    void aStepRunsOnAPlatformWorkerWhileTheVirtualThreadWaits() throws Exception {
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            try {
                workers.run(() -> ranOn.set(Thread.currentThread()), () -> false);
            } catch (Throwable e) {
                failed.set(e);
            }
        }).join();
        assertEquals(null, failed.get());
        assertFalse(ranOn.get().isVirtual());
        assertTrue(ranOn.get().getName().startsWith("sockeye-tls-handshake-"), ranOn.get().getName());
    }

    @Test
    void aStepWhoseConnectionGaveUpIsNotRun() {
        AtomicBoolean ran = new AtomicBoolean();
        assertThrows(SSLException.class, () -> workers.run(() -> ran.set(true), () -> true));
        assertFalse(ran.get());
    }

    @Test
    void whatAStepThrowsReachesTheWaitingThread() {
        IllegalStateException thrown = new IllegalStateException("bad");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> workers.run(() -> {
            throw thrown;
        }, () -> false));
        assertSame(thrown, e);
    }

    @Test
    void afterCloseAStepFailsItsHandshakeAndTheWorkersEnd() throws Exception {
        workers.run(() -> { }, () -> false); // a worker started
        workers.close();
        assertThrows(SSLException.class, () -> workers.run(() -> { }, () -> false));
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (workerThreads() > 0 && System.nanoTime() < deadline) Thread.sleep(10);
        assertEquals(0, workerThreads());
    }

    private static long workerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("sockeye-tls-handshake-")).count();
    }
}
