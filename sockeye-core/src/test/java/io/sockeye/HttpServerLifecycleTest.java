package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;

/** Starting, counting and stopping an {@link HttpServer}. */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class HttpServerLifecycleTest {

    private static final InetAddress LOOPBACK = loopback();
    private final List<HttpServer> servers = new ArrayList<>();
    private final List<CountDownLatch> releases = new ArrayList<>();

    @AfterEach
    void stop() {
        for (CountDownLatch l : releases) l.countDown();
        for (HttpServer s : servers) s.shutdown(Duration.ZERO);
    }

    @Test
    void startTwiceThrowsAndTheServerKeepsServing() throws Exception {
        HttpServer server = create((req, res) -> res.send("up"));
        assertEquals(server, server.start(), "start() returns the server");
        int port = server.port();
        assertThrows(IllegalStateException.class, server::start);
        assertEquals(port, server.port());
        try (RawClient c = new RawClient(port)) {
            RawResponse r = c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("up", r.text());
        }
    }

    @Test
    void portBeforeStartThrows() {
        HttpServer server = create((req, res) -> res.send("up"));
        assertThrows(IllegalStateException.class, server::port);
    }

    @Test
    void portAndAddressAfterStartAreTheRealOnes() throws Exception {
        HttpServer server = create((req, res) -> res.send("up")).start();
        assertTrue(server.port() > 0);
        assertEquals(new InetSocketAddress(LOOPBACK, server.port()), server.address());
        assertEquals(0, server.config().port(), "the configuration still says 0");
    }

    @Test
    void closeLetsAnInFlightRequestFinishAndRefusesNewConnections() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = latch();
        byte[] body = new byte[200_000];
        Arrays.fill(body, (byte) 'z');
        HttpServer server = create((req, res) -> {
            entered.countDown();
            assertTrue(release.await(10, TimeUnit.SECONDS));
            res.send(body);
        }).start();
        int port = server.port();

        try (RawClient inFlight = new RawClient(port)) {
            inFlight.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(entered.await(5, TimeUnit.SECONDS));

            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);

            // while the request is still in its handler, the server no longer accepts connections
            awaitRefused(port);
            assertFalse(closing.isDone(), "close() waits for the request in flight");

            release.countDown();
            RawResponse r = inFlight.read();
            assertEquals(200, r.status());
            assertEquals(body.length, r.body().length, "the whole response arrives");
            assertTrue(Arrays.equals(body, r.body()));

            closing.get(5, TimeUnit.SECONDS);
            assertTrue(inFlight.closedByServer(), "the connection is closed once its exchange is done");
        }
        assertThrows(ConnectException.class, () -> {
            try (Socket s = new Socket(LOOPBACK, port)) {
                fail("connected after close()");
            }
        });
    }

    @Test
    void closeClosesIdleKeepAliveConnectionsWithoutWaitingForTheGrace() throws Exception {
        HttpServer server = HttpServer.create(config().withShutdownGrace(Duration.ofSeconds(5)), (req, res) -> res.send("ok")).start();
        servers.add(server);
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("ok", c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
            long t0 = System.nanoTime();
            server.close();
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(took < 2000, "an idle connection is closed at once, yet close() took " + took + " ms");
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void shutdownWithZeroGraceCutsAHangingRequest() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = latch();
        HttpServer server = create((req, res) -> {
            res.body().write("partial".getBytes(StandardCharsets.US_ASCII));
            res.body().flush(); // the response is under way...
            entered.countDown();
            release.await(10, TimeUnit.SECONDS); // ...and then hangs
            res.body().write("rest".getBytes(StandardCharsets.US_ASCII));
        }).start();

        try (RawClient c = new RawClient(server.port(), 5000)) {
            c.send("GET /hang HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(entered.await(5, TimeUnit.SECONDS));

            long t0 = System.nanoTime();
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> server.shutdown(Duration.ZERO));
            // the client sees the connection end (a timeout here would throw) before the body is complete
            String wire = c.readToEndText();
            long cutAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(wire.startsWith("HTTP/1.1 200 "), wire);
            assertTrue(wire.contains("partial"), wire);
            assertFalse(wire.contains("rest"), wire);
            assertFalse(wire.endsWith("0\r\n\r\n"), "the chunked body must not look complete: " + wire);
            assertTrue(cutAfter < 1500, "cut promptly, not after " + cutAfter + " ms");
            release.countDown();
            stopping.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void shutdownWithZeroGraceCutsARequestStuckReadingItsBody() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        HttpServer server = create((req, res) -> {
            entered.countDown();
            res.send("read " + req.body().readAllBytes().length); // the client never sends the whole body
        }).start();

        try (RawClient c = new RawClient(server.port(), 5000)) {
            c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nonly this");
            assertTrue(entered.await(5, TimeUnit.SECONDS));
            long t0 = System.nanoTime();
            server.shutdown(Duration.ZERO);
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(c.closedByServer(), "the connection was cut");
            assertTrue(took < 1500, "nothing to wait for once the connection is closed, yet shutdown took " + took + " ms");
        }
    }

    @Test
    void connectionCountCountsOpenConnectionsIdleOnesIncluded() throws Exception {
        HttpServer server = create((req, res) -> res.send("ok")).start();
        assertEquals(0, server.connectionCount());
        try (RawClient a = new RawClient(server.port()); RawClient b = new RawClient(server.port())) {
            assertEquals("ok", a.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
            assertEquals("ok", b.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
            awaitCount(server, 2); // both kept alive, idle
            a.close();
            awaitCount(server, 1);
        }
        awaitCount(server, 0);
    }

    @Test
    void closeAndShutdownMayBeCalledAgain() throws Exception {
        HttpServer server = create((req, res) -> res.send("x")).start();
        server.close();
        long t0 = System.nanoTime();
        server.close();
        server.shutdown(Duration.ofSeconds(3));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 500, "already stopped");
        server.awaitTermination(); // returns at once
    }

    @Test
    void awaitTerminationReturnsWhenAnotherThreadStopsTheServer() throws Exception {
        HttpServer server = create((req, res) -> res.send("x")).start();
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
            try {
                server.awaitTermination();
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(100);
        assertFalse(waiting.isDone(), "awaitTermination blocks while the server runs");
        server.close();
        waiting.get(3, TimeUnit.SECONDS);
    }

    // ---- helpers ----

    private static ServerConfig config() {
        return ServerConfig.defaults().withBindAddress(LOOPBACK).withPort(0);
    }

    private HttpServer create(Handler handler) {
        HttpServer s = HttpServer.create(config(), handler);
        servers.add(s);
        return s;
    }

    private CountDownLatch latch() {
        CountDownLatch l = new CountDownLatch(1);
        releases.add(l);
        return l;
    }

    private static void awaitRefused(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() - deadline < 0) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(LOOPBACK, port), 1000);
            } catch (ConnectException refused) {
                return;
            } catch (IOException other) {
                // keep trying
            }
            Thread.sleep(10);
        }
        fail("the server still accepts connections while closing");
    }

    private static void awaitCount(HttpServer server, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (server.connectionCount() != expected) {
            if (System.nanoTime() - deadline > 0) fail("connectionCount() is " + server.connectionCount() + ", expected " + expected);
            Thread.sleep(10);
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByName("127.0.0.1");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
