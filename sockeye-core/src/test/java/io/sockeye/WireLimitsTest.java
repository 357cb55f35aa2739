package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;
import io.sockeye.testsupport.ServerFixture;

/** Limits at their edges, heads that need the input buffer to grow, and what may surround a request-line. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WireLimitsTest {

    static final int MAX_LINE = 100;
    static final int MAX_COUNT = 10;

    static HttpServer limited;
    static HttpServer roomy;

    @BeforeAll
    static void start() throws Exception {
        Handler handler = (req, res) -> {
            if (req.rawPath().equals("/inject")) {
                // a value taken from user input, as a careless handler would
                res.header("X-Echo", req.query().first("v").orElse(""));
                res.send("should not get here");
                return;
            }
            res.send(req.method() + " " + req.rawPath() + " fields=" + req.headers().size()
                    + " body=" + req.body().readAllBytes().length);
        };
        limited = ServerFixture.start(ServerFixture.loopback().withMaxRequestLineBytes(MAX_LINE).withMaxHeaderCount(MAX_COUNT), handler);
        roomy = ServerFixture.start(ServerFixture.loopback(), handler);
    }

    @AfterAll
    static void stop() {
        if (limited != null) limited.close();
        if (roomy != null) roomy.close();
    }

    /** @return a request-line of exactly {@code length} bytes (without its CRLF) */
    private static String requestLine(int length) {
        String fixed = "GET / HTTP/1.1";
        return "GET /" + "a".repeat(length - fixed.length()) + " HTTP/1.1";
    }

    @Test
    void requestLineAtTheLimitIsAcceptedAndOneMoreIsRefused() throws Exception {
        String atLimit = requestLine(MAX_LINE);
        assertEquals(MAX_LINE, atLimit.length());
        try (RawClient c = new RawClient(limited.port(), 3_000)) {
            RawResponse r = c.send(atLimit + "\r\nHost: a\r\n\r\n").read();
            assertEquals(200, r.status(), "a request-line of exactly maxRequestLineBytes: " + r.statusLine());
        }
        try (RawClient c = new RawClient(limited.port(), 3_000)) {
            RawResponse r = c.send(requestLine(MAX_LINE + 1) + "\r\nHost: a\r\n\r\n").read();
            assertEquals(414, r.status());
        }
        // the same, arriving a byte at a time: the limit must not depend on how the bytes arrive
        try (RawClient c = new RawClient(limited.port(), 3_000)) {
            for (byte b : (atLimit + "\r\nHost: a\r\n\r\n").getBytes(StandardCharsets.US_ASCII)) c.send(new byte[] {b});
            assertEquals(200, c.read().status());
        }
        try (RawClient c = new RawClient(limited.port(), 3_000)) {
            byte[] over = (requestLine(MAX_LINE + 1) + "\r\nHost: a\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            try {
                for (byte b : over) c.send(new byte[] {b});
            } catch (java.io.IOException e) {
                // refused before we finished: fine
            }
            assertEquals(414, c.read().status());
        }
    }

    @Test
    void headerCountAtTheLimitIsAcceptedAndOneMoreIsRefused() throws Exception {
        StringBuilder fields = new StringBuilder("Host: a\r\n");
        for (int i = 1; i < MAX_COUNT; i++) fields.append("X-F").append(i).append(": v\r\n");
        try (RawClient c = new RawClient(limited.port(), 3_000)) {
            RawResponse r = c.send("GET / HTTP/1.1\r\n" + fields + "\r\n").read();
            assertEquals(200, r.status(), r.statusLine());
            assertEquals("GET / fields=" + MAX_COUNT + " body=0", r.text());
        }
        try (RawClient c = new RawClient(limited.port(), 3_000)) {
            RawResponse r = c.send("GET / HTTP/1.1\r\n" + fields + "X-One-More: v\r\n\r\n").read();
            assertEquals(431, r.status());
        }
    }

    @Test
    void largeHeadWithinTheDefaultsIsServedAndTheNextRequestFollows() throws Exception {
        String cookie = "Cookie: " + "c=".repeat(1) + "x".repeat(20_000) + "\r\n";
        String big = "GET /big HTTP/1.1\r\nHost: a\r\n" + cookie + "X-Other: " + "y".repeat(5_000) + "\r\n\r\n";
        try (RawClient c = new RawClient(roomy.port(), 3_000)) {
            c.send(big + "POST /next HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc" + big);
            assertEquals("GET /big fields=3 body=0", c.read().text());
            assertEquals("POST /next fields=2 body=3", c.read().text());
            assertEquals("GET /big fields=3 body=0", c.read().text());
        }
        try (RawClient c = new RawClient(roomy.port(), 3_000)) {
            // in small pieces, so the input buffer grows and compacts while the head arrives
            byte[] bytes = (big + big).getBytes(StandardCharsets.US_ASCII);
            for (int off = 0; off < bytes.length; off += 777) {
                c.send(java.util.Arrays.copyOfRange(bytes, off, Math.min(bytes.length, off + 777)));
            }
            assertEquals("GET /big fields=3 body=0", c.read().text());
            assertEquals("GET /big fields=3 body=0", c.read().text());
        }
    }

    @Test
    void headOverTheDefaultFieldLimitIsRefused() throws Exception {
        try (RawClient c = new RawClient(roomy.port(), 3_000)) {
            RawResponse r = c.send("GET / HTTP/1.1\r\nHost: a\r\nCookie: " + "x".repeat(40 * 1024) + "\r\n\r\n").read();
            assertEquals(431, r.status());
            assertEquals("close", r.header("Connection"));
        }
    }

    @Test
    void anEmptyLineBeforeTheRequestLineIsIgnored() throws Exception {
        // RFC 9112 §2.2: a server SHOULD ignore at least one empty line received before the request-line
        try (RawClient c = new RawClient(roomy.port(), 3_000)) {
            assertEquals(200, c.send("\r\nGET /first HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
            // the classic case: a client that ends a POST body with an extra CRLF
            c.send("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi\r\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("POST /p fields=2 body=2", c.read().text());
            assertEquals("GET /after fields=1 body=0", c.read().text());
        }
    }

    @Test
    void earlierPipelinedResponsesSurviveALaterMalformedRequest() throws Exception {
        try (RawClient c = new RawClient(roomy.port(), 3_000)) {
            c.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\n\r\nGET /4 HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("GET /1 fields=1 body=0", c.read().text());
            assertEquals("GET /2 fields=1 body=0", c.read().text());
            RawResponse bad = c.read();
            assertEquals(400, bad.status());
            assertEquals("close", bad.header("Connection"));
            assertEquals("", c.readUntilClosed(), "nothing is answered after the malformed request");
        }
    }

    @Test
    void headerValueWithCrLfFromTheHandlerCannotSplitTheResponse() throws Exception {
        try (RawClient c = new RawClient(roomy.port(), 3_000)) {
            RawResponse r = c.send("GET /inject?v=a%0d%0aSet-Cookie:%20evil=1 HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(500, r.status(), "the handler's IllegalArgumentException: " + r.statusLine());
            assertNull(r.header("Set-Cookie"), "response splitting");
            assertNull(r.header("X-Echo"));
            assertTrue(!r.text().contains("should not get here"));
        }
    }
}
