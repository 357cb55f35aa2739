package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;
import io.sockeye.testsupport.ServerFixture;

/** How response bodies are delimited on the wire (RFC 9112 §6), from what the handler did. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WireFramingTest {

    static final Pattern IMF_FIXDATE = Pattern.compile(
            "(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} \\d{2}:\\d{2}:\\d{2} GMT");

    static HttpServer server;
    static java.nio.file.Path file;
    static final int FILE_SIZE = 3_000_000;

    /** Deterministic content of any length, so a misplaced or lost byte shows. */
    static byte[] content(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) ('a' + (i * 7 + i / 26) % 26);
        return b;
    }

    @BeforeAll
    static void start() throws Exception {
        file = java.nio.file.Files.createTempFile("sockeye-wire", ".bin");
        java.nio.file.Files.write(file, content(FILE_SIZE));
        server = ServerFixture.start(ServerFixture.loopback(), (req, res) -> {
            String q = req.rawQuery() == null ? "" : req.rawQuery();
            int n = q.startsWith("n=") ? Integer.parseInt(q.substring(2)) : 0;
            switch (req.rawPath()) {
                case "/send" -> res.send(content(n));
                case "/stream" -> {
                    // in pieces of 1000, as a template engine would
                    OutputStream out = res.body();
                    byte[] all = content(n);
                    for (int off = 0; off < n; off += 1000) out.write(all, off, Math.min(1000, n - off));
                }
                case "/stream-one-write" -> res.body().write(content(n));
                case "/flush" -> {
                    OutputStream out = res.body();
                    out.write("hello".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    out.write(" world".getBytes(StandardCharsets.US_ASCII));
                }
                case "/declared" -> {
                    res.header("Content-Length", Integer.toString(n));
                    OutputStream out = res.body();
                    byte[] all = content(n);
                    for (int off = 0; off < n; off += 1000) out.write(all, off, Math.min(1000, n - off));
                }
                case "/declared-flush" -> {
                    res.header("Content-Length", "11");
                    OutputStream out = res.body();
                    out.write("hello".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    out.write(" world".getBytes(StandardCharsets.US_ASCII));
                }
                case "/204" -> {
                    res.status(204);
                    res.body().write(content(n));
                }
                case "/304" -> {
                    res.status(304).header("ETag", "\"x\"");
                    res.body().write(content(n));
                }
                case "/204-send" -> res.status(204).send("must not be sent");
                case "/nothing" -> {
                }
                case "/file" -> {
                    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
                        res.header("Content-Type", "application/octet-stream");
                        res.sendFile(ch, n, ch.size() - n);
                    }
                }
                default -> res.status(404).send("no such test path");
            }
        });
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (file != null) java.nio.file.Files.deleteIfExists(file);
    }

    private static RawResponse exchange(RawClient c, String method, String target) throws Exception {
        c.send(method + " " + target + " HTTP/1.1\r\nHost: a\r\n\r\n");
        return c.read(method.equals("HEAD"));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 5000, 100_000})
    void sendGetsContentLength(int n) throws Exception {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            RawResponse r = exchange(c, "GET", "/send?n=" + n);
            assertEquals(200, r.status());
            assertEquals(Integer.toString(n), r.header("Content-Length"));
            assertNull(r.header("Transfer-Encoding"));
            assertArrayEquals(content(n), r.body());
            assertEquals(404, exchange(c, "GET", "/next").status(), "the next response on the connection");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 100, 8000})
    void smallStreamedBodyGetsContentLength(int n) throws Exception {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            RawResponse r = exchange(c, "GET", "/stream?n=" + n);
            assertEquals(Integer.toString(n), r.header("Content-Length"), "a streamed body that stays buffered");
            assertNull(r.header("Transfer-Encoding"));
            assertArrayEquals(content(n), r.body());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {8 * 1024 + 1, 20_000, 300_000})
    void largeStreamedBodyIsChunked(int n) throws Exception {
        for (String path : new String[] {"/stream", "/stream-one-write"}) {
            try (RawClient c = new RawClient(server.port(), 5_000)) {
                // the second request on the connection proves the chunked body ended exactly where it should
                c.send("GET " + path + "?n=" + n + " HTTP/1.1\r\nHost: a\r\n\r\nGET /send?n=3 HTTP/1.1\r\nHost: a\r\n\r\n");
                RawResponse r = c.read();
                assertEquals("chunked", r.header("Transfer-Encoding"), path);
                assertNull(r.header("Content-Length"), "Content-Length beside chunked");
                assertArrayEquals(content(n), r.body(), path);
                RawResponse next = c.read();
                assertArrayEquals(content(3), next.body());
            }
        }
    }

    @Test
    void chunksOnTheWireAreWellFormed() throws Exception {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            c.send("GET /stream?n=20000 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            String all = c.readUntilClosed();
            int bodyStart = all.indexOf("\r\n\r\n") + 4;
            String body = all.substring(bodyStart);
            // parse by hand: hex size CRLF data CRLF ... 0 CRLF CRLF, and nothing after
            int p = 0;
            int total = 0;
            List<Integer> sizes = new ArrayList<>();
            while (true) {
                int eol = body.indexOf("\r\n", p);
                String sizeLine = body.substring(p, eol);
                assertTrue(sizeLine.matches("[0-9a-fA-F]+"), "chunk size line: '" + sizeLine + "'");
                int size = Integer.parseInt(sizeLine, 16);
                sizes.add(size);
                p = eol + 2;
                if (size == 0) break;
                p += size;
                assertEquals("\r\n", body.substring(p, p + 2), "CRLF after chunk data");
                p += 2;
                total += size;
            }
            assertEquals("\r\n", body.substring(p), "the last chunk ends the message: " + sizes);
            assertEquals(20000, total);
        }
    }

    @Test
    void sendFileGetsContentLengthAndExactBytesEvenToASlowReader() throws Exception {
        byte[] all = content(FILE_SIZE);
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            c.socket().setReceiveBufferSize(16 * 1024);
            c.send("GET /file?n=0 HTTP/1.1\r\nHost: a\r\n\r\nGET /file?n=1000 HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "HEAD /file?n=0 HTTP/1.1\r\nHost: a\r\n\r\nGET /send?n=7 HTTP/1.1\r\nHost: a\r\n\r\n");
            Thread.sleep(300); // let the socket buffers fill so the server's writes must wait
            RawResponse whole = c.read();
            assertEquals(Integer.toString(FILE_SIZE), whole.header("Content-Length"));
            assertNull(whole.header("Transfer-Encoding"));
            assertArrayEquals(all, whole.body());
            RawResponse tail = c.read();
            assertEquals(Integer.toString(FILE_SIZE - 1000), tail.header("Content-Length"));
            assertArrayEquals(java.util.Arrays.copyOfRange(all, 1000, FILE_SIZE), tail.body());
            RawResponse head = c.read(true);
            assertEquals(Integer.toString(FILE_SIZE), head.header("Content-Length"));
            assertArrayEquals(content(7), c.read().body(), "bytes of the file after the HEAD response");
        }
    }

    @Test
    void flushBeforeTheEndCommitsChunked() throws Exception {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            RawResponse r = exchange(c, "GET", "/flush");
            assertEquals("chunked", r.header("Transfer-Encoding"));
            assertNull(r.header("Content-Length"));
            assertEquals("hello world", r.text());
            assertEquals(404, exchange(c, "GET", "/next").status());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 20_000})
    void contentLengthSetByTheHandlerIsHonoured(int n) throws Exception {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            RawResponse r = exchange(c, "GET", "/declared?n=" + n);
            assertEquals(Integer.toString(n), r.header("Content-Length"));
            assertNull(r.header("Transfer-Encoding"), "the handler declared a length; no chunking");
            assertEquals(1, r.headers("Content-Length").size());
            assertArrayEquals(content(n), r.body());
            assertEquals(404, exchange(c, "GET", "/next").status(), "connection still in step");
        }
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            RawResponse r = exchange(c, "GET", "/declared-flush");
            assertEquals("11", r.header("Content-Length"));
            assertNull(r.header("Transfer-Encoding"));
            assertEquals("hello world", r.text());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/send?n=1234", "/stream?n=1234", "/declared?n=1234", "/nothing"})
    void headHasTheHeadersOfGetAndNoBody(String target) throws Exception {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            RawResponse get = exchange(c, "GET", target);
            // HEAD then GET in one write: a stray body byte after the HEAD response would break the next one
            c.send("HEAD " + target + " HTTP/1.1\r\nHost: a\r\n\r\nGET /send?n=7 HTTP/1.1\r\nHost: a\r\n\r\n");
            RawResponse head = c.read(true);
            RawResponse next = c.read();
            assertEquals(get.status(), head.status());
            assertEquals(withoutDate(get), withoutDate(head), "HEAD fields differ from GET's");
            assertEquals(get.header("Content-Length"), head.header("Content-Length"));
            assertEquals(200, next.status(), "the response after HEAD: " + next.statusLine());
            assertArrayEquals(content(7), next.body());
        }
    }

    @Test
    void headOfALargeStreamedBodySendsNoBody() throws Exception {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            c.send("HEAD /stream?n=50000 HTTP/1.1\r\nHost: a\r\n\r\nGET /send?n=7 HTTP/1.1\r\nHost: a\r\n\r\n");
            RawResponse head = c.read(true);
            assertEquals(200, head.status());
            // if a length is given it must be the one GET would have had (RFC 9110 §8.6)
            if (head.header("Content-Length") != null) assertEquals("50000", head.header("Content-Length"));
            RawResponse next = c.read();
            assertArrayEquals(content(7), next.body(), "body bytes leaked after the HEAD response");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/204?n=10", "/204?n=50000", "/204-send", "/304?n=10", "/304?n=50000"})
    void noContentStatusesSendNoBody(String target) throws Exception {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            c.send("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\nGET /send?n=7 HTTP/1.1\r\nHost: a\r\n\r\n");
            RawResponse r = c.read();
            assertEquals(Integer.parseInt(target.substring(1, 4)), r.status());
            assertNull(r.header("Transfer-Encoding"), "chunked on a " + r.status());
            if (r.status() == 204) assertNull(r.header("Content-Length"), "Content-Length on a 204 (RFC 9110 §8.6)");
            RawResponse next = c.read();
            assertEquals(200, next.status(), "body bytes leaked after the " + r.status() + ": " + next.statusLine());
            assertArrayEquals(content(7), next.body());
        }
    }

    @Test
    void http10StreamedBodyIsDelimitedByClose() throws Exception {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            c.send("GET /stream?n=50000 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawResponse r = c.read();
            assertNull(r.header("Transfer-Encoding"), "chunked to an HTTP/1.0 client");
            assertNull(r.header("Content-Length"));
            assertEquals("close", r.header("Connection"));
            assertArrayEquals(content(50000), r.body(), "the body ends at close");
        }
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            c.send("GET /flush HTTP/1.0\r\n\r\n");
            RawResponse r = c.read();
            assertNull(r.header("Transfer-Encoding"), "chunked to an HTTP/1.0 client");
            assertEquals("hello world", r.text());
        }
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            c.send("GET /stream?n=100 HTTP/1.0\r\n\r\n");
            RawResponse r = c.read();
            assertEquals("100", r.header("Content-Length"), "a small streamed body to HTTP/1.0 still gets a length");
            assertArrayEquals(content(100), r.body());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void everyResponseHasDateAndServer() throws Exception {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            for (String target : new String[] {"/send?n=3", "/stream?n=20000", "/204", "/nothing", "/missing"}) {
                Instant before = Instant.now().minusSeconds(2);
                RawResponse r = exchange(c, "GET", target);
                assertEquals(1, r.headers("Date").size(), target);
                String date = r.header("Date");
                assertTrue(IMF_FIXDATE.matcher(date).matches(), "not IMF-fixdate: " + date);
                Instant sent = HttpDate.parse(date);
                assertTrue(!sent.isBefore(before) && !sent.isAfter(Instant.now().plusSeconds(2)), "Date is not now: " + date);
                assertEquals(ServerConfig.DEFAULT_SERVER_HEADER, r.header("Server"), target);
                assertEquals(1, r.headers("Server").size());
            }
        }
    }

    @Test
    void handlerThatSendsNothingGetsAnEmpty200() throws Exception {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            RawResponse r = exchange(c, "GET", "/nothing");
            assertEquals("HTTP/1.1 200 OK", r.statusLine());
            assertEquals("0", r.header("Content-Length"));
            assertNull(r.header("Transfer-Encoding"));
            assertEquals(0, r.body().length);
            assertEquals(404, exchange(c, "GET", "/next").status());
        }
    }

    @Test
    void normalClientReadsEveryFraming() throws Exception {
        HttpClient client = ServerFixture.httpClient();
        for (String target : new String[] {"/send?n=12345", "/stream?n=12", "/stream?n=123456", "/declared?n=23456", "/flush"}) {
            HttpResponse<byte[]> r = client.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + server.port() + target)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode(), target);
            byte[] expected = target.equals("/flush") ? "hello world".getBytes(StandardCharsets.US_ASCII)
                    : content(Integer.parseInt(target.substring(target.indexOf('=') + 1)));
            assertArrayEquals(expected, r.body(), target);
        }
    }

    private static List<String> withoutDate(RawResponse r) {
        return r.headers().stream().filter(h -> !h[0].equalsIgnoreCase("Date")).map(h -> h[0] + ": " + h[1]).toList();
    }
}
