package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.ServerFixture;

/** {@link HttpServer#activeExchangeCount()} and {@link HttpServer#shutdownNow()}: what a second Ctrl-C needs. */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class WireShutdownNowTest {

    @Test
    void countsBusyConnectionsOnlyAndShutdownNowEndsAGracefulShutdownAtOnce() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        HttpServer server = ServerFixture.start(ServerFixture.loopback(), (req, res) -> {
            if (req.rawPath().equals("/slow")) {
                entered.countDown();
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    interrupted.countDown();
                    throw e;
                }
            }
            res.send("done");
        });
        int port = server.port();
        try (RawClient busy = new RawClient(port, 5_000); RawClient idle = new RawClient(port, 5_000)) {
            assertEquals("done", idle.send("GET /warm HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
            // the answer can reach the client a moment before its connection marks itself idle
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (server.activeExchangeCount() != 0 && System.nanoTime() < deadline) Thread.sleep(5);
            assertEquals(0, server.activeExchangeCount(), "a kept-alive connection between requests is not busy");
            busy.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
            assertTrue(entered.await(5, TimeUnit.SECONDS));
            assertEquals(1, server.activeExchangeCount());
            assertEquals(2, server.connectionCount());

            Thread graceful = Thread.ofVirtual().start(() -> server.shutdown(Duration.ofSeconds(10)));
            Thread.sleep(200);
            assertTrue(graceful.isAlive(), "the graceful shutdown waits for the exchange");
            long start = System.nanoTime();
            server.shutdownNow();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 1_500, "shutdownNow took " + millis + " ms");
            assertTrue(interrupted.await(1, TimeUnit.SECONDS), "the handler still running was interrupted");
            graceful.join(1_000);
            assertFalse(graceful.isAlive(), "the graceful shutdown under way ended with it");
            assertTrue(busy.readUntilClosed().isEmpty() || busy.closedByServer());
        } finally {
            server.close();
        }
    }

    @Test
    void shutdownNowWithoutAGracefulOneStops() throws Exception {
        HttpServer server = ServerFixture.start(ServerFixture.loopback(), (req, res) -> res.send("x"));
        server.shutdownNow();
        server.awaitTermination();
        server.shutdownNow(); // again: harmless
    }
}
