package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;
import io.sockeye.testsupport.ServerFixture;

/**
 * A body must come at {@code minBodyRate} once it has kept the server waiting a head's time: a client
 * trickling a byte now and then gets 408 long before the I/O timeout; a fair pace, and a handler slow to
 * read, are not held against anyone.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WireBodyPaceTest {

    private static HttpServer start(int minBodyRate) throws IOException {
        return ServerFixture.start(ServerFixture.loopback()
                        .withRequestHeadTimeout(Duration.ofMillis(500))
                        .withIoTimeout(Duration.ofSeconds(8))
                        .withMinBodyRate(minBodyRate),
                (req, res) -> {
                    InputStream body = req.body();
                    byte[] piece = new byte[1024];
                    long total = 0;
                    for (int n; (n = body.read(piece)) > 0; total += n) {
                        if (req.rawPath().equals("/slow-reader")) Thread.sleep(50);
                    }
                    res.send("got " + total);
                });
    }

    private static RawResponse trickle(HttpServer server, int bytes, long gapMillis, int perGap) throws Exception {
        try (RawClient c = new RawClient(server.port(), 10_000)) {
            c.send("POST /t HTTP/1.1\r\nHost: a\r\nContent-Length: " + bytes + "\r\n\r\n");
            for (int sent = 0; sent < bytes; sent += perGap) {
                Thread.sleep(gapMillis);
                try {
                    c.send("x".repeat(Math.min(perGap, bytes - sent)));
                } catch (IOException closed) {
                    break; // answered and closed already
                }
            }
            return c.read();
        }
    }

    @Test
    void aTricklingBodyGets408LongBeforeTheIoTimeout() throws Exception {
        try (HttpServer server = start(1000)) {
            long t0 = System.nanoTime();
            RawResponse r = trickle(server, 100, 200, 1); // 5 bytes a second, against 1000
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(408, r.status(), r.statusLine());
            assertTrue(ms < 4000, "answered after " + ms + " ms; the I/O timeout is 8 s");
        }
    }

    @Test
    void aFairPaceIsServed() throws Exception {
        try (HttpServer server = start(1000)) {
            RawResponse r = trickle(server, 4000, 100, 200); // 2000 bytes a second for 2 s
            assertEquals(200, r.status(), r.statusLine());
            assertEquals("got 4000", r.text());
        }
    }

    @Test
    void aHandlerSlowToReadIsNotHeldAgainstTheClient() throws Exception {
        try (HttpServer server = start(1000);
             RawClient c = new RawClient(server.port(), 10_000)) {
            byte[] body = "y".repeat(40 * 1024).getBytes(StandardCharsets.US_ASCII);
            // 40 reads with 50 ms between them: 2 s of the handler's own time, the client all sent at once
            c.send("POST /slow-reader HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length + "\r\n\r\n");
            c.send(body);
            RawResponse r = c.read();
            assertEquals(200, r.status(), r.statusLine());
            assertEquals("got " + body.length, r.text());
        }
    }

    @Test
    void noFloorWithZero() throws Exception {
        try (HttpServer server = start(0)) {
            RawResponse r = trickle(server, 8, 250, 1); // 2 s for 8 bytes: only the I/O timeout applies
            assertEquals(200, r.status(), r.statusLine());
        }
    }
}
