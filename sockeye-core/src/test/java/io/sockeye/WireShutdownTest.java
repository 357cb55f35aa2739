package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;
import io.sockeye.testsupport.ServerFixture;

/** Graceful shutdown ({@link HttpServer#shutdown(Duration)}) and the connection cap, seen from the wire. */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class WireShutdownTest {

    @Test
    void shutdownClosesIdleConnectionsAndLetsTheExchangeInFlightFinish() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = ServerFixture.start(ServerFixture.loopback(), (req, res) -> {
            if (req.rawPath().equals("/slow")) {
                entered.countDown();
                release.await(10, TimeUnit.SECONDS);
            }
            res.send("done " + req.rawPath());
        });
        int port = server.port();
        try (RawClient busy = new RawClient(port, 5_000); RawClient idle = new RawClient(port, 5_000)) {
            assertEquals("done /warm", idle.send("GET /warm HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
            busy.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
            assertTrue(entered.await(5, TimeUnit.SECONDS));

            Thread closer = Thread.ofVirtual().start(() -> server.shutdown(Duration.ofSeconds(5)));
            assertEquals("", idle.readUntilClosed(), "an idle connection is closed at once, silently");
            assertRefused(port);
            assertTrue(closer.isAlive(), "shutdown returned while an exchange was in flight");

            release.countDown();
            RawResponse r = busy.read();
            assertEquals("done /slow", r.text(), "the exchange in flight finishes");
            assertEquals("close", r.header("Connection"), "the last response on a stopping server says so");
            assertTrue(busy.closedByServer());
            closer.join(3_000);
            assertTrue(!closer.isAlive(), "shutdown did not return after the last exchange ended");
        } finally {
            release.countDown();
            server.close();
        }
    }

    @Test
    void exchangeStillRunningAfterTheGraceIsCut() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = ServerFixture.start(ServerFixture.loopback(), (req, res) -> {
            entered.countDown();
            release.await(10, TimeUnit.SECONDS);
            res.send("too late");
        });
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            assertTrue(entered.await(5, TimeUnit.SECONDS));
            // the handler wakes up (too late) after the grace, so that the server's wait for its thread is short
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(600);
                } catch (InterruptedException e) {
                    // ends the wait early; fine
                }
                release.countDown();
            });
            long start = System.nanoTime();
            server.shutdown(Duration.ofMillis(300));
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(elapsed >= 250 && elapsed < 2_000, "shutdown took " + elapsed + " ms with a 300 ms grace");
            assertEquals("", c.readUntilClosed(), "the connection is closed without a response");
        } finally {
            release.countDown();
        }
    }

    @Test
    void connectionsOverTheCapWaitWhileEveryConnectionIsInTheMiddleOfARequest() throws Exception {
        CountDownLatch bodiesBegun = new CountDownLatch(2);
        try (HttpServer server = ServerFixture.start(ServerFixture.loopback().withMaxConnections(2), (req, res) -> {
                 if (req.contentLength() > 0) {
                     bodiesBegun.countDown();
                     req.body().readAllBytes();
                 }
                 res.send("hi " + req.rawPath());
             });
             RawClient b = new RawClient(server.port(), 5_000)) {
            RawClient a = new RawClient(server.port(), 5_000);
            // both slots hold a request whose body is still arriving: neither may be closed to make room
            a.send("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nx");
            b.send("POST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nx");
            assertTrue(bodiesBegun.await(5, TimeUnit.SECONDS), "both requests reached their handler");
            RawClient third = new RawClient(server.port(), 5_000);
            third.send("GET /third HTTP/1.1\r\nHost: a\r\n\r\n");
            assertTrue(third.quietFor(300), "a third connection was served while two requests were under way with a cap of 2");
            a.close();
            try (third) {
                RawResponse r = third.read();
                assertEquals("hi /third", r.text(), "served once a slot freed");
            }
            assertEquals("hi /b", b.send("y").read().text(), "the other request was left alone");
        }
    }


    private static void assertRefused(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < deadline) {
            try (RawClient c = new RawClient(port, 1_000)) {
                // connected before the listener closed: nobody may answer it
                c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                assertTrue(c.closedByServer(), "a connection made after shutdown began was served");
            } catch (ConnectException e) {
                return;
            } catch (IOException e) {
                // reset: the listener went away under it; try again
            }
            Thread.sleep(20);
        }
        throw new AssertionError("still accepting connections 2 s after shutdown began");
    }
}
