package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;
import io.sockeye.testsupport.ServerFixture;

/** Idle, head and body timeouts, slow handlers, and half-closed clients. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WireTimeoutTest {

    static final int IDLE_MS = 300;
    static final int HEAD_MS = 400;
    static final int IO_MS = 300;

    static HttpServer server;
    static final BlockingQueue<Throwable> bodyFailures = new ArrayBlockingQueue<>(10);
    static final BlockingQueue<Throwable> elsewhereOutcomes = new ArrayBlockingQueue<>(10);

    @BeforeAll
    static void start() throws Exception {
        server = ServerFixture.start(ServerFixture.loopback()
                        .withIdleTimeout(Duration.ofMillis(IDLE_MS))
                        .withRequestHeadTimeout(Duration.ofMillis(HEAD_MS))
                        .withIoTimeout(Duration.ofMillis(IO_MS)),
                (req, res) -> {
                    switch (req.rawPath()) {
                        case "/slow" -> {
                            Thread.sleep(2L * Math.max(IDLE_MS, HEAD_MS));
                            res.send("slow but fine");
                        }
                        case "/body" -> {
                            try {
                                byte[] body = req.body().readAllBytes();
                                res.send("got " + new String(body, StandardCharsets.UTF_8));
                            } catch (IOException e) {
                                bodyFailures.add(e);
                                throw e;
                            }
                        }
                        case "/elsewhere" -> {
                            // the body is read on another thread while this one streams the response
                            java.util.concurrent.CompletableFuture<Throwable> read = new java.util.concurrent.CompletableFuture<>();
                            Thread reader = Thread.ofVirtual().start(() -> {
                                try {
                                    req.body().readAllBytes();
                                    read.complete(new AssertionError("the whole body came"));
                                } catch (Throwable e) {
                                    read.complete(e);
                                }
                            });
                            Thread.sleep(100); // by now the reader waits for the rest of the body
                            java.io.OutputStream out = res.body();
                            out.write("partial".getBytes(StandardCharsets.UTF_8));
                            out.flush(); // a write, under its deadline, while the reader waits
                            reader.join();
                            elsewhereOutcomes.add(read.get());
                        }
                        default -> res.send("hi " + req.target());
                    }
                });
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void idleKeepAliveConnectionIsClosedSilently() throws Exception {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            // timed from before the request: the server's idle timer starts when it has answered, which a
            // client slow to wake up may only see later
            long start = System.nanoTime();
            assertEquals("hi /1", c.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
            assertTrue(c.quietFor(IDLE_MS / 3), "closed long before the idle timeout");
            String after = c.readUntilClosed();
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals("", after, "an idle timeout sends nothing (no 408 between requests)");
            // deadlines are set from the sweeper's clock, which may lag by a sweep: a little early is allowed
            assertTrue(elapsed >= IDLE_MS - 100, "closed after " + elapsed + " ms");
            assertTrue(elapsed < IDLE_MS + 1500, "still open after " + elapsed + " ms");
        }
    }

    @Test
    void connectionThatNeverSpeaksIsClosedSilently() throws Exception {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            long start = System.nanoTime();
            assertEquals("", c.readUntilClosed());
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(elapsed >= IDLE_MS - 100 && elapsed < IDLE_MS + 1500, "closed after " + elapsed + " ms");
        }
    }

    @Test
    void activityResetsTheIdleTimer() throws Exception {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            for (int i = 0; i < 4; i++) {
                Thread.sleep(IDLE_MS / 3);
                assertEquals("hi /" + i, c.send("GET /" + i + " HTTP/1.1\r\nHost: a\r\n\r\n").read().text(),
                        "request " + i + ", total time over the idle timeout but no single gap is");
            }
        }
    }

    @Test
    void aBodyReadOnAnotherThreadStillTimesOutWhileTheResponseIsWritten() throws Exception {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            c.send("POST /elsewhere HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n0123456789");
            long start = System.nanoTime();
            String all = c.readUntilClosed(); // throws if the server holds the connection past 5 s
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(all.contains("partial"), all);
            assertTrue(elapsed < IO_MS + 2500, "closed after " + elapsed + " ms");
        }
        Throwable outcome = elsewhereOutcomes.poll(3, TimeUnit.SECONDS);
        assertTrue(outcome instanceof IOException, "the stalled body read failed: " + outcome);
    }

    @Test
    void stalledHeadGets408ThenClose() throws Exception {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            c.send("GET / HTTP/1.1\r\nHost: a\r\n");
            long start = System.nanoTime();
            RawResponse r = c.read();
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(408, r.status(), r.statusLine());
            assertEquals("close", r.header("Connection"));
            assertTrue(elapsed >= HEAD_MS - 50 && elapsed < HEAD_MS + 1500, "408 after " + elapsed + " ms");
            assertTrue(c.closedByServer());
        }
        ServerFixture.assertStillServing(server, "/after");
    }

    @Test
    void slowlorisTrickleIsCutOffAtTheHeadTimeout() throws Exception {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            AtomicBoolean stop = new AtomicBoolean();
            // one byte every 40 ms keeps every single read well inside any per-read timeout
            byte[] head = ("GET / HTTP/1.1\r\nHost: a\r\nX-Pad: " + "p".repeat(200) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    for (byte b : head) {
                        if (stop.get()) return;
                        c.send(new byte[] {b});
                        Thread.sleep(40);
                    }
                } catch (IOException | InterruptedException e) {
                    // the server closed on us: expected
                }
            });
            long start = System.nanoTime();
            RawResponse r = c.read();
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            stop.set(true);
            writer.join(2_000);
            assertEquals(408, r.status(), r.statusLine());
            assertEquals("close", r.header("Connection"));
            assertTrue(elapsed < HEAD_MS + 1500, "slowloris held the connection for " + elapsed + " ms");
        }
    }

    @Test
    void slowHandlerIsNotCutOffByHeadOrIdleTimeouts() throws Exception {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            RawResponse r = c.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("slow but fine", r.text());
            assertEquals("hi /next", c.send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
        }
    }

    @Test
    void stalledBodyFailsTheReadAfterTheIoTimeout() throws Exception {
        bodyFailures.clear();
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            c.send("POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
            long start = System.nanoTime();
            Throwable failure = bodyFailures.poll(IO_MS + 2_000, TimeUnit.MILLISECONDS);
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertNotNull(failure, "the handler's read never failed");
            assertTrue(elapsed >= IO_MS - 50, "the read failed after only " + elapsed + " ms");
            RawResponse r = c.read();
            assertEquals(408, r.status(), r.statusLine());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void halfClosedClientStillGetsItsResponse() throws Exception {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            c.send("GET /half HTTP/1.1\r\nHost: a\r\n\r\n");
            c.shutdownOutput();
            RawResponse r = c.read();
            assertEquals("hi /half", r.text());
            assertTrue(c.closedByServer(), "after the response the server sees the end of input and closes");
        }
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            c.send("POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                    + "GET /second HTTP/1.1\r\nHost: a\r\n\r\n");
            c.shutdownOutput();
            assertEquals("got hello", c.read().text());
            assertEquals("hi /second", c.read().text(), "pipelined requests before the half-close are all answered");
            assertTrue(c.closedByServer());
        }
    }
}
