package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogRecord;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.sockeye.testsupport.LogCapture;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;
import io.sockeye.testsupport.ServerFixture;

/**
 * Requests the server must refuse: each gets its status with {@code Connection: close}, the connection is
 * then closed, the server logs one line about it, and it keeps serving other connections.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WireErrorsTest {

    static final int MAX_LINE = 64;
    static final int MAX_HEADER_BYTES = 512;
    static final int MAX_HEADER_COUNT = 10;
    static final int MAX_BODY = 1000;

    static LogCapture log;
    static HttpServer server;
    static final Queue<String> seen = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() throws Exception {
        log = LogCapture.of("io.sockeye");
        server = ServerFixture.start(ServerFixture.loopback()
                        .withMaxRequestLineBytes(MAX_LINE)
                        .withMaxHeaderBytes(MAX_HEADER_BYTES)
                        .withMaxHeaderCount(MAX_HEADER_COUNT)
                        .withMaxBodyBytes(MAX_BODY),
                (req, res) -> {
                    seen.add(req.method() + " " + req.target());
                    if (req.rawPath().startsWith("/ignore")) {
                        res.send("ignored");
                        return;
                    }
                    byte[] body = req.body().readAllBytes();
                    res.send("ok " + body.length);
                });
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (log != null) log.close();
    }

    @BeforeEach
    void clear() {
        seen.clear();
        log.clear();
    }

    static Stream<Arguments> refused() {
        String longTarget = "/" + "a".repeat(MAX_LINE);
        StringBuilder manyFields = new StringBuilder();
        for (int i = 0; i <= MAX_HEADER_COUNT; i++) manyFields.append("X-F").append(i).append(": v\r\n");
        String bigField = "X-Big: " + "b".repeat(MAX_HEADER_BYTES) + "\r\n";
        return Stream.of(
                Arguments.of("request-line without version", "GET /\r\nHost: a\r\n\r\n", 400),
                Arguments.of("two spaces in request-line", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("method not a token", "G@T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("garbage line", "\u0001\u0002\u0003\r\n\r\n", 400),
                Arguments.of("bare LF line endings", "GET / HTTP/1.1\nHost: a\n\n", 400),
                Arguments.of("missing Host in 1.1", "GET / HTTP/1.1\r\n\r\n", 400),
                Arguments.of("duplicate Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
                Arguments.of("Host with a space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
                Arguments.of("Content-Length not a number", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n", 400),
                Arguments.of("Content-Length negative", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400),
                Arguments.of("Content-Length with sign", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc", 400),
                Arguments.of("Content-Length list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc", 400),
                Arguments.of("Content-Length empty", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400),
                Arguments.of("two Content-Length fields", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400),
                Arguments.of("Content-Length and Transfer-Encoding",
                        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n  c\r\n\r\n", 400),
                Arguments.of("obs-fold with tab", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tc\r\n\r\n", 400),
                Arguments.of("CR inside a value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n", 400),
                Arguments.of("LF inside a value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\nc\r\n\r\n", 400),
                Arguments.of("NUL inside a value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u0000c\r\n\r\n", 400),
                Arguments.of("whitespace before colon", "GET / HTTP/1.1\r\nHost: a\r\nX-A : b\r\n\r\n", 400),
                Arguments.of("Transfer-Encoding in HTTP/1.0",
                        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("chunked not last", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("bad chunk size (handler reads)",
                        "POST /read HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", 400),
                Arguments.of("chunk data not followed by CRLF",
                        "POST /read HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhelloo\r\n0\r\n\r\n", 400),
                Arguments.of("Content-Length over maxBodyBytes",
                        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + (MAX_BODY + 1) + "\r\n\r\n", 413),
                Arguments.of("chunked body growing past maxBodyBytes",
                        "POST /read HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + "200\r\n" + "x".repeat(0x200) + "\r\n200\r\n" + "y".repeat(0x200) + "\r\n0\r\n\r\n", 413),
                Arguments.of("request-line too long", "GET " + longTarget + " HTTP/1.1\r\nHost: a\r\n\r\n", 414),
                Arguments.of("header bytes over the limit", "GET / HTTP/1.1\r\nHost: a\r\n" + bigField + "\r\n", 431),
                Arguments.of("header count over the limit", "GET / HTTP/1.1\r\nHost: a\r\n" + manyFields + "\r\n", 431),
                Arguments.of("Transfer-Encoding gzip (chunked not final: RFC 9112 §6.3)", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
                Arguments.of("Transfer-Encoding gzip, chunked",
                        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501),
                Arguments.of("HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
                Arguments.of("Expect other than 100-continue", "POST / HTTP/1.1\r\nHost: a\r\nExpect: foo\r\nContent-Length: 3\r\n\r\nabc", 417));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("refused")
    void refusedWithStatusCloseAndOneLogLine(String name, String request, int status) throws Exception {
        int port;
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            port = c.localPort();
            RawResponse r = c.send(request).read();
            assertEquals(status, r.status(), name + ": " + r.statusLine());
            assertTrue(r.statusLine().startsWith("HTTP/1.1 " + status + " "), r.statusLine());
            assertEquals("close", r.header("Connection"), name + ": Connection field");
            assertNotNull(r.header("Date"), "Date on an error response");
            assertEquals(Integer.parseInt(r.header("Content-Length")), r.body().length);
            assertTrue(c.closedByServer(), name + ": the server must close the connection after the error");
        }
        List<LogRecord> lines = ServerFixture.awaitServerLines(log, port);
        assertEquals(1, lines.size(), name + ": expected exactly one log line, got "
                + lines.stream().map(LogRecord::getMessage).toList());
        assertTrue(lines.get(0).getMessage().startsWith(status + " "), lines.get(0).getMessage());
        ServerFixture.assertStillServing(server, "/after");
        // a head refused by the parser never reaches the handler; a body refused while read does, once
        List<String> expected = request.startsWith("POST /read ") ? List.of("POST /read", "GET /after") : List.of("GET /after");
        assertEquals(expected, List.copyOf(seen), "requests the handler saw");
    }

    @Test
    void contentLengthWithTransferEncodingSmugglesNothing() throws Exception {
        String smuggle = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\n"
                + "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
        assertOneErrorAndNothingElse(smuggle, 400);
        // the same with the fields in the other order
        assertOneErrorAndNothingElse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
                + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n", 400);
        assertTrue(seen.isEmpty(), "the handler ran for " + seen);
    }

    @Test
    void transferEncodingObfuscationSmugglesNothing() throws Exception {
        for (String te : new String[] {"Transfer-Encoding : chunked", "Transfer-Encoding: chunked\r\nTransfer-Encoding: x",
                "Transfer-Encoding: xchunked", "Transfer-Encoding:\r\n chunked"}) {
            String request = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n" + te + "\r\n\r\n"
                    + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
            try (RawClient c = new RawClient(server.port(), 3_000)) {
                RawResponse r = c.send(request).read();
                assertTrue(r.status() == 400 || r.status() == 501, te + ": " + r.statusLine());
                assertEquals("close", r.header("Connection"), te);
                assertEquals("", c.readUntilClosed(), te + ": bytes after the error response");
            }
        }
        assertTrue(seen.isEmpty(), "the handler ran for " + seen);
    }

    static Stream<Arguments> bogusChunkSizes() {
        return Stream.of("5x", "0x5", " 5", "5 ", "-5", "+5", "5\n", "", "5;a=\u0001").flatMap(size ->
                Stream.of(Arguments.of("/read", size), Arguments.of("/ignore", size)));
    }

    @ParameterizedTest(name = "{0} with chunk-size line \"{1}\"")
    @MethodSource("bogusChunkSizes")
    void bogusChunkSizeDoesNotLetTheNextRequestThrough(String path, String size) throws Exception {
        String request = "POST " + path + " HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + size + "\r\nhello\r\n0\r\n\r\n"
                + "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            RawResponse first = c.send(request).read();
            // /ignore answers without reading the body; the body arrived with the head (one write), so its
            // framing is checked when the answer is committed and the answer is the 400 (as nginx gives)
            assertEquals(400, first.status(), path + ": a malformed chunked body: " + first.statusLine());
            assertEquals("close", first.header("Connection"));
            String rest = c.readUntilClosed();
            assertEquals("", rest, "nothing may follow the answer to the malformed body");
        }
        assertTrue(seen.stream().noneMatch(s -> s.contains("/smuggled")), "the smuggled request reached the handler: " + seen);
    }

    @Test
    void wellFormedChunkedBodyIsNotMistakenForSmuggling() throws Exception {
        // control for the two tests above: the same bytes with a valid size are two requests, both answered
        String request = "POST /read HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n"
                + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n";
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            c.send(request);
            assertEquals("ok 5", c.read().text());
            assertEquals("ok 0", c.read().text());
        }
        assertEquals(List.of("POST /read", "GET /next"), List.copyOf(seen));
    }

    @Test
    void errorToAHeadRequestHasNoContent() throws Exception {
        // RFC 9110 §9.3.2: the server MUST NOT send content in the response to HEAD; RFC 9112 §6.3: a
        // response to HEAD ends at the empty line after its fields. The request-line is valid, so the
        // server knows the method. Anything after the head is garbage to the client.
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            c.send("HEAD / HTTP/1.1\r\n\r\n");
            RawResponse r = c.read(true);
            assertEquals(400, r.status());
            String after = c.readUntilClosed();
            assertEquals("", after, "content sent in a response to HEAD: " + after.length() + " bytes");
        }
    }

    private void assertOneErrorAndNothingElse(String request, int status) throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            RawResponse r = c.send(request.getBytes(StandardCharsets.ISO_8859_1)).read();
            assertEquals(status, r.status(), r.statusLine());
            assertEquals("close", r.header("Connection"));
            String rest = c.readUntilClosed();
            assertEquals("", rest, "a second response came after the error");
        }
    }
}
