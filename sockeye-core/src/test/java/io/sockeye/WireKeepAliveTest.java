package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Timeout;

import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;
import io.sockeye.testsupport.ServerFixture;

/** Persistent connections (RFC 9112 §9.3), pipelining (§9.3.2) and draining of unread bodies. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WireKeepAliveTest {

    static final int MAX_DRAIN = 1024;

    static HttpServer server;
    static final Queue<String> seen = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() throws Exception {
        server = ServerFixture.start(ServerFixture.loopback().withMaxDrainBytes(MAX_DRAIN), (req, res) -> {
            seen.add(req.method() + " " + req.target());
            switch (req.rawPath()) {
                case "/ignore" -> res.send("ignored");
                case "/partial" -> res.send("read " + req.body().readNBytes(10).length);
                case "/close" -> res.header("Connection", "close").send("bye");
                case "/port" -> res.send(Integer.toString(req.remoteAddress().getPort()));
                case "/stream" -> {
                    try (var out = res.body()) {
                        out.write(("streamed " + req.target()).getBytes(StandardCharsets.US_ASCII));
                    }
                }
                default -> {
                    byte[] body = req.body().readAllBytes();
                    res.send(req.method() + " " + req.target() + " " + req.version() + " [" + new String(body, StandardCharsets.UTF_8) + "]");
                }
            }
        });
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @BeforeEach
    void clear() {
        seen.clear();
    }

    @Test
    void http11KeepsTheConnectionByDefault() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            List<String> ports = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                RawResponse r = c.send("GET /port HTTP/1.1\r\nHost: a\r\n\r\n").read();
                assertEquals(200, r.status());
                assertNull(r.header("Connection"), "an HTTP/1.1 response that persists needs no Connection field");
                ports.add(r.text());
            }
            assertEquals(List.of(ports.get(0), ports.get(0), ports.get(0), ports.get(0), ports.get(0)), ports);
            assertEquals(Integer.toString(c.localPort()), ports.get(0), "all five requests came over this socket");
            assertTrue(c.quietFor(200), "the server closed a kept-alive connection");
        }
    }

    @Test
    void clientConnectionCloseIsHonoured() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            RawResponse r = c.send("GET /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer(), "the server must close after Connection: close");
        }
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            RawResponse r = c.send("GET /a HTTP/1.1\r\nHost: a\r\nConnection: foo, Close\r\n\r\n").read();
            assertEquals("close", r.header("Connection"), "close among other connection options");
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void handlerConnectionCloseClosesTheConnection() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            c.send("GET /close HTTP/1.1\r\nHost: a\r\n\r\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n");
            RawResponse r = c.read();
            assertEquals("bye", r.text());
            assertEquals(List.of("close"), r.headers("Connection"), "exactly one Connection: close");
            assertEquals("", c.readUntilClosed(), "nothing may follow on a connection the handler closed");
        }
        assertEquals(List.of("GET /close"), List.copyOf(seen));
    }

    @Test
    void http10ClosesByDefault() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            RawResponse r = c.send("GET /a HTTP/1.0\r\n\r\n").read();
            assertEquals("GET /a HTTP/1.0 []", r.text());
            assertTrue(r.header("Connection") == null || r.header("Connection").equalsIgnoreCase("close"),
                    "a 1.0 response must not announce keep-alive unasked: " + r.header("Connection"));
            assertTrue(c.closedByServer(), "HTTP/1.0 without keep-alive must be closed");
        }
    }

    @Test
    void http10KeepAliveIsHonouredAndAnnounced() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            for (int i = 0; i < 3; i++) {
                RawResponse r = c.send("GET /k" + i + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
                assertEquals("GET /k" + i + " HTTP/1.0 []", r.text());
                assertEquals("keep-alive", r.header("Connection"), "request " + i);
                assertTrue(r.header("Content-Length") != null, "a kept 1.0 response must be delimited by length");
            }
            RawResponse last = c.send("GET /last HTTP/1.0\r\n\r\n").read();
            assertEquals("GET /last HTTP/1.0 []", last.text());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        String pipeline = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
                + "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world"
                + "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\nX-T: 1\r\n\r\n"
                + "HEAD /4 HTTP/1.1\r\nHost: a\r\n\r\n"
                + "PUT /5 HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"
                + "DELETE /6 HTTP/1.1\r\nHost: a\r\n\r\n";
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            c.send(pipeline);
            assertEquals("GET /1 HTTP/1.1 []", c.read().text());
            assertEquals("POST /2 HTTP/1.1 [hello world]", c.read().text());
            assertEquals("POST /3 HTTP/1.1 [abcdefg]", c.read().text());
            RawResponse head = c.read(true);
            assertEquals(Integer.toString("HEAD /4 HTTP/1.1 []".length()), head.header("Content-Length"));
            assertEquals("PUT /5 HTTP/1.1 []", c.read().text());
            assertEquals("DELETE /6 HTTP/1.1 []", c.read().text());
            assertTrue(c.quietFor(200), "no extra bytes after the last response");
        }
    }

    @Test
    void answersToPipelinedRequestsLeaveTogether() throws Exception {
        // 16 requests in one write: their 16 answers go out in one write too (one TCP segment over
        // loopback), not one each. Counted on the client's socket by the kernel (ss: data_segs_in).
        org.junit.jupiter.api.Assumptions.assumeTrue(ServerFixture.commandWorks("ss", "-V"), "needs ss (iproute2)");
        StringBuilder pipeline = new StringBuilder();
        for (int i = 0; i < 16; i++) pipeline.append("GET /").append(i % 2 == 0 ? "stream?" : "n").append(i).append(" HTTP/1.1\r\nHost: a\r\n\r\n");
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            assertEquals("GET /warm HTTP/1.1 []", c.send("GET /warm HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
            Thread.sleep(50); // the first answer's segment is counted before we look
            long before = dataSegmentsIn(c.localPort());
            c.send(pipeline.toString());
            for (int i = 0; i < 16; i++) {
                String expected = i % 2 == 0 ? "streamed /stream?" + i : "GET /n" + i + " HTTP/1.1 []";
                assertEquals(expected, c.read().text());
            }
            long segments = dataSegmentsIn(c.localPort()) - before;
            assertTrue(segments >= 1 && segments <= 2, "16 pipelined answers came in " + segments + " segments");
        }
    }

    /** The data segments a local socket has received, from the kernel's TCP_INFO as {@code ss -ti} shows it. */
    private static long dataSegmentsIn(int localPort) throws Exception {
        Process ss = new ProcessBuilder("ss", "-tinH", "src", "127.0.0.1:" + localPort).redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        ss.waitFor();
        var m = java.util.regex.Pattern.compile("data_segs_in:(\\d+)").matcher(out);
        if (!m.find()) throw new AssertionError("no data_segs_in in: " + out);
        return Long.parseLong(m.group(1));
    }

    @Test
    void anAnswerGoesOutBeforeTheServerWaitsForTheRestOfAPipelinedRequest() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            c.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /stream?2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHo");
            assertEquals("GET /1 HTTP/1.1 []", c.read().text(), "the first answer, while the third request is incomplete");
            assertEquals("streamed /stream?2", c.read().text());
            c.send("st: a\r\n\r\n");
            assertEquals("GET /3 HTTP/1.1 []", c.read().text());
        }
    }

    @Test
    void pipelinedAnswersBeforeACloseOrARefusalAllArrive() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            c.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /close HTTP/1.1\r\nHost: a\r\n\r\nGET /never HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("GET /1 HTTP/1.1 []", c.read().text());
            assertEquals("bye", c.read().text());
            assertEquals("", c.readUntilClosed(), "nothing after the answer that closed the connection");
        }
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            c.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /stream?2 HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nBad Field: x\r\n\r\n");
            assertEquals("GET /1 HTTP/1.1 []", c.read().text());
            assertEquals("streamed /stream?2", c.read().text());
            assertEquals(400, c.read().status(), "the refusal follows the answers gathered before it");
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void pipelinedRequestsSentByteByByte() throws Exception {
        String pipeline = "POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
                + "POST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nyo"
                + "GET /c HTTP/1.1\r\nHost: a\r\n\r\n";
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            for (byte b : pipeline.getBytes(StandardCharsets.US_ASCII)) c.send(new byte[] {b});
            assertEquals("POST /a HTTP/1.1 [hi]", c.read().text());
            assertEquals("POST /b HTTP/1.1 [yo]", c.read().text());
            assertEquals("GET /c HTTP/1.1 []", c.read().text());
        }
    }

    @Test
    void unreadContentLengthBodyBetweenPipelinedRequestsIsSkipped() throws Exception {
        // a body that looks like a request: if framing slipped, /fake would reach the handler
        String fake = "GET /fake HTTP/1.1\r\nHost: a\r\n\r\n";
        String pipeline = "POST /ignore HTTP/1.1\r\nHost: a\r\nContent-Length: " + fake.length() + "\r\n\r\n" + fake
                + "GET /real HTTP/1.1\r\nHost: a\r\n\r\n";
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            c.send(pipeline);
            assertEquals("ignored", c.read().text());
            assertEquals("GET /real HTTP/1.1 []", c.read().text());
            assertTrue(c.quietFor(200));
        }
        assertEquals(List.of("POST /ignore", "GET /real"), List.copyOf(seen), "body bytes were taken for a request");
    }

    @Test
    void unreadChunkedBodyBetweenPipelinedRequestsIsSkipped() throws Exception {
        String fake = "GET /fake HTTP/1.1\r\nHost: a\r\n\r\n";
        String pipeline = "POST /ignore HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(fake.length()) + "\r\n" + fake + "\r\n0\r\n\r\n"
                + "GET /real HTTP/1.1\r\nHost: a\r\n\r\n";
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            c.send(pipeline);
            RawResponse first = c.read();
            assertEquals("ignored", first.text());
            assertNull(first.header("Connection"), "the server announced it would keep the connection");
            assertEquals("GET /real HTTP/1.1 []", readOrFail(c, "the pipelined request after a 31-byte unread chunked body").text());
        }
        assertEquals(List.of("POST /ignore", "GET /real"), List.copyOf(seen), "body bytes were taken for a request");
    }

    @Test
    void smallUnreadBodyIsDrainedAndTheConnectionReused() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            String body = "x".repeat(MAX_DRAIN);
            RawResponse r = c.send("POST /ignore HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).read();
            assertEquals("ignored", r.text());
            assertNull(r.header("Connection"));
            RawResponse next = c.send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals("GET /next HTTP/1.1 []", next.text());
        }
    }

    @Test
    void smallUnreadChunkedBodyIsDrainedAndTheConnectionReused() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            RawResponse r = c.send("POST /ignore HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n0\r\n\r\n").read();
            assertEquals("ignored", r.text());
            assertNull(r.header("Connection"), "the server announced it would keep the connection");
            // sent only after the response: the server has had every chance to drain the 5-byte body
            c.send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("GET /next HTTP/1.1 []", readOrFail(c, "the request after an unread 5-byte chunked body").text());
        }
    }

    /**
     * A body larger than the drain limit, left unread whole ("/ignore") or read in part ("/partial"): the
     * server knows it will not drain the rest, so it says the connection closes, and closes it.
     */
    @ParameterizedTest
    @CsvSource({"/ignore, ignored", "/partial, read 10"})
    void largeUnreadBodyClosesTheConnection(String path, String answer) throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            String body = "x".repeat(MAX_DRAIN * 5);
            c.send("POST " + path + " HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length() + "\r\n\r\n" + body
                    + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
            RawResponse r = c.read();
            assertEquals(answer, r.text());
            assertEquals("close", r.header("Connection"), "more is left unread than the server will drain");
            assertEquals("", c.readUntilClosed(), "nothing after the response: the connection is closed");
        }
        assertEquals(List.of("POST " + path), List.copyOf(seen));
    }

    @Test
    void clientStillSendingABodyTheHandlerIgnoredGetsTheAnswer() throws Exception {
        // the client sends the whole body before it reads the answer: closing on the unread rest would reset
        // the connection under it, so the server discards what keeps coming until it stops (or a deadline)
        java.net.http.HttpClient client = ServerFixture.httpClient();
        for (String path : List.of("/partial", "/ignore")) {
            var r = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.port() + path))
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(new byte[3 << 20])).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), path);
            assertEquals(Optional.of("close"), r.headers().firstValue("Connection"), path);
        }
    }

    @Test
    void largeUnreadChunkedBodyClosesTheConnection() throws Exception {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 10; i++) body.append("200\r\n").append("z".repeat(0x200)).append("\r\n");
        body.append("0\r\n\r\n");
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            c.send("POST /ignore HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + body
                    + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
            RawResponse r = c.read();
            assertEquals("ignored", r.text());
            assertEquals("", c.readUntilClosed(), "a 5 KiB chunked body over a 1 KiB drain limit");
        }
        assertEquals(List.of("POST /ignore"), List.copyOf(seen));
    }

    @Test
    void normalClientReusesTheConnectionAndSendsBodies() throws Exception {
        java.net.http.HttpClient client = ServerFixture.httpClient();
        String base = "http://127.0.0.1:" + server.port();
        String first = ServerFixture.get(client, server, "/port").body();
        for (int i = 0; i < 5; i++) {
            assertEquals(first, ServerFixture.get(client, server, "/port").body(), "a new connection for request " + i);
        }
        var fixed = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/fixed"))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("x".repeat(50_000))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals("POST /fixed HTTP/1.1 [" + "x".repeat(50_000) + "]", fixed.body());
        // a publisher of unknown length makes the client send the body chunked
        var chunked = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/chunked"))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                                () -> new java.io.ByteArrayInputStream("y".repeat(70_000).getBytes(StandardCharsets.US_ASCII))))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals("POST /chunked HTTP/1.1 [" + "y".repeat(70_000) + "]", chunked.body());
        assertEquals(first, ServerFixture.get(client, server, "/port").body(), "the connection survived both bodies");
    }

    /** Reads a response, turning "the server closed instead" into an assertion failure that says what was expected. */
    private static RawResponse readOrFail(RawClient c, String what) {
        try {
            return c.read();
        } catch (java.io.IOException e) {
            throw new AssertionError(what + ": no response, the server closed the connection (" + e.getMessage() + ")", e);
        }
    }

    @Test
    void eachConnectionGetsItsOwnAnswers() throws Exception {
        try (RawClient a = new RawClient(server.port(), 3_000); RawClient b = new RawClient(server.port(), 3_000)) {
            a.send("GET /from-a HTTP/1.1\r\nHost: a\r\n\r\n");
            b.send("GET /from-b HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("GET /from-b HTTP/1.1 []", b.read().text());
            assertEquals("GET /from-a HTTP/1.1 []", a.read().text());
            assertNotEquals(a.localPort(), b.localPort());
        }
    }
}
