package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sockeye.testsupport.LogCapture;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;
import io.sockeye.testsupport.ServerFixture;

/** What becomes of a handler's exceptions (see {@link Handler}): a 500, its own status, or a cut connection. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WireHandlerFailureTest {

    static LogCapture log;
    static HttpServer server;
    /** The exception each request's handler threw, by the client port it came from. */
    static final Map<Integer, Throwable> thrown = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        log = LogCapture.of("io.sockeye");
        server = ServerFixture.start(ServerFixture.loopback(), (req, res) -> {
            int port = req.remoteAddress().getPort();
            switch (req.rawPath()) {
                case "/boom" -> throw remember(port, new IllegalStateException("boom from " + port));
                case "/checked" -> throw remember(port, new Exception("checked from " + port));
                case "/boom-after-buffering" -> {
                    res.header("X-Secret", "s3cret");
                    res.body().write("secret-buffered-content".getBytes(StandardCharsets.US_ASCII));
                    throw remember(port, new IllegalStateException("boom after buffering"));
                }
                case "/404" -> throw new HttpException(404, "no such thing here");
                case "/403-after-buffering" -> {
                    res.body().write("secret-buffered-content".getBytes(StandardCharsets.US_ASCII));
                    throw new HttpException(403, "forbidden");
                }
                case "/late-chunked" -> {
                    OutputStream out = res.body();
                    out.write("partial".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    out.write("buffered".getBytes(StandardCharsets.US_ASCII));
                    throw remember(port, new IllegalStateException("late failure"));
                }
                case "/late-length" -> {
                    res.header("Content-Length", "100");
                    OutputStream out = res.body();
                    out.write("0123456789".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    throw remember(port, new IllegalStateException("late failure"));
                }
                case "/late-big" -> {
                    OutputStream out = res.body();
                    out.write(new byte[20_000]);
                    throw remember(port, new IllegalStateException("late failure"));
                }
                case "/error" -> throw new AssertionError("an Error, not an Exception");
                case "/recursion" -> res.send("depth " + recurse(0));
                default -> res.send("fine " + req.target());
            }
        });
    }

    private static <T extends Throwable> T remember(int port, T t) {
        thrown.put(port, t);
        return t;
    }

    /** Lines are found by client port, which the kernel reuses: start each test with none. */
    @BeforeEach
    void forgetEarlierLines() {
        log.clear();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (log != null) log.close();
    }

    @Test
    void runtimeExceptionBecomes500AndAStackTraceInTheLog() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            RawResponse r = c.send("GET /boom HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(500, r.status(), r.statusLine());
            assertFalse(r.text().contains("boom"), "the exception's message is not for the client: " + r.text());
            assertConnectionUsableOrClosed(c, r);
            List<LogRecord> lines = ServerFixture.awaitServerLines(log, c.localPort());
            assertEquals(1, lines.size(), lines.stream().map(LogRecord::getMessage).toList().toString());
            LogRecord line = lines.get(0);
            assertTrue(line.getLevel().intValue() >= Level.SEVERE.intValue(), "logged at " + line.getLevel());
            assertSame(thrown.get(c.localPort()), line.getThrown(), "the log record must carry the handler's exception");
        }
        ServerFixture.assertStillServing(server, "/after");
    }

    @Test
    void checkedExceptionBecomes500() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            RawResponse r = c.send("GET /checked HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(500, r.status());
            List<LogRecord> lines = ServerFixture.awaitServerLines(log, c.localPort());
            assertEquals(1, lines.size());
            assertSame(thrown.get(c.localPort()), lines.get(0).getThrown());
        }
    }

    @Test
    void bufferedContentIsDiscardedWhenTheHandlerFailsBeforeCommit() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            RawResponse r = c.send("GET /boom-after-buffering HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(500, r.status());
            assertFalse(r.text().contains("secret-buffered-content"), "half-made content leaked into the 500: " + r.text());
            assertConnectionUsableOrClosed(c, r);
        }
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            RawResponse r = c.send("GET /403-after-buffering HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(403, r.status());
            assertFalse(r.text().contains("secret-buffered-content"), r.text());
            assertEquals(Integer.parseInt(r.header("Content-Length")), r.body().length);
        }
    }

    @Test
    void httpExceptionBecomesItsStatus() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            RawResponse r = c.send("GET /404 HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(404, r.status());
            assertEquals("HTTP/1.1 404 Not Found", r.statusLine());
            assertTrue(r.text().contains("no such thing here"), "the message is sent to the client: " + r.text());
            assertEquals(Integer.parseInt(r.header("Content-Length")), r.body().length);
            // nothing is wrong with the connection: it carries the next request
            assertEquals("fine /next", c.send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
        }
        HttpResponse<String> r = ServerFixture.get(ServerFixture.httpClient(), server, "/404");
        assertEquals(404, r.statusCode());
    }

    @Test
    void httpExceptionBodyIsAnErrorPageShowingTheMessageAsDocumented() throws Exception {
        // HttpException's Javadoc: "a response with that status and a short error page showing the message"
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            RawResponse r = c.send("GET /404 HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(404, r.status());
            assertTrue(r.header("Content-Type").startsWith("text/html"), "Content-Type: " + r.header("Content-Type"));
            assertTrue(r.text().contains("404 Not Found"), r.text());
        }
    }

    @Test
    void httpExceptionToHeadSendsNoBody() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            c.send("HEAD /404 HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(404, c.read(true).status());
            RawResponse next = c.read();
            assertEquals("fine /next", next.text(), "a body went out after the HEAD response: " + next.statusLine());
        }
    }

    @Test
    void failureAfterAChunkedResponseBeganCutsTheConnection() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            c.send("GET /late-chunked HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n");
            String wire = c.readUntilClosed();
            assertTrue(wire.startsWith("HTTP/1.1 200 OK\r\n"), wire);
            assertTrue(wire.contains("\r\nTransfer-Encoding: chunked\r\n"), wire);
            assertTrue(wire.contains("\r\n\r\n7\r\npartial\r\n"), "the flushed chunk reached the client: " + wire);
            String body = wire.substring(wire.indexOf("\r\n\r\n") + 4);
            assertFalse(body.contains("0\r\n\r\n"), "the last chunk must not be sent: the client would take the body as complete: " + wire);
            assertFalse(wire.contains("fine /next"), "the connection must not carry on: " + wire);
            LogRecord line = awaitSevere(c.localPort());
            assertSame(thrown.get(c.localPort()), line.getThrown());
        }
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            c.send("GET /late-chunked HTTP/1.1\r\nHost: a\r\n\r\n");
            // RawClient reports the missing chunk-size line at end of stream as an NPE or an IOException
            assertThrows(Exception.class, c::read, "a strict client must see a truncated body");
        }
        ServerFixture.assertStillServing(server, "/after");
    }

    @Test
    void failureAfterALengthResponseBeganCutsTheConnection() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            c.send("GET /late-length HTTP/1.1\r\nHost: a\r\n\r\n");
            String wire = c.readUntilClosed();
            assertTrue(wire.contains("\r\nContent-Length: 100\r\n"), wire);
            String body = wire.substring(wire.indexOf("\r\n\r\n") + 4);
            assertEquals("0123456789", body, "10 of the 100 bytes, then the connection closes");
        }
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            c.send("GET /late-big HTTP/1.1\r\nHost: a\r\n\r\n");
            String wire = c.readUntilClosed();
            assertTrue(wire.contains("\r\nTransfer-Encoding: chunked\r\n"), wire.substring(0, Math.min(300, wire.length())));
            assertFalse(wire.endsWith("0\r\n\r\n"), "a complete chunked body after the handler failed");
        }
    }

    @Test
    void handlerBugsThatAreErrorsBecome500Too() throws Exception {
        // a failed assert and runaway recursion are Errors, not Exceptions; each is still that request's 500
        for (String path : List.of("/error", "/recursion")) {
            try (RawClient c = new RawClient(server.port(), 5_000)) {
                RawResponse r = c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
                assertEquals(500, r.status(), path + ": " + r.statusLine());
                assertConnectionUsableOrClosed(c, r);
                LogRecord severe = awaitSevere(c.localPort());
                assertTrue(severe.getThrown() instanceof Error, path + ": logged with " + severe.getThrown());
            }
        }
        for (int i = 0; i < 3; i++) ServerFixture.assertStillServing(server, "/after" + i);
    }

    private static int recurse(int depth) {
        return depth == Integer.MAX_VALUE ? depth : recurse(depth + 1) + 1;
    }

    @Test
    void normalClientSeesA500() throws Exception {
        HttpResponse<String> r = ServerFixture.get(ServerFixture.httpClient(), server, "/boom");
        assertEquals(500, r.statusCode());
        HttpResponse<String> ok = ServerFixture.get(ServerFixture.httpClient(), server, "/ok");
        assertEquals("fine /ok", ok.body());
    }

    /** After a 500 the connection may be kept or closed; if kept, it must work. */
    private static void assertConnectionUsableOrClosed(RawClient c, RawResponse r) throws IOException {
        if ("close".equalsIgnoreCase(r.header("Connection"))) {
            assertTrue(c.closedByServer());
            return;
        }
        assertEquals("fine /next", c.send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
    }

    private static LogRecord awaitSevere(int port) throws InterruptedException {
        List<LogRecord> lines = ServerFixture.awaitServerLines(log, port);
        assertEquals(1, lines.size(), lines.stream().map(LogRecord::getMessage).toList().toString());
        assertTrue(lines.get(0).getLevel().intValue() >= Level.SEVERE.intValue());
        assertNotNull(lines.get(0).getThrown());
        return lines.get(0);
    }
}
