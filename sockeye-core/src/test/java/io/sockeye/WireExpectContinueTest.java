package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;
import io.sockeye.testsupport.ServerFixture;

/** {@code Expect: 100-continue} (RFC 9110 §10.1.1): the interim response goes out only when the handler reads. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WireExpectContinueTest {

    static HttpServer server;
    static volatile CountDownLatch entered;
    static volatile CountDownLatch mayRead;

    @BeforeAll
    static void start() throws Exception {
        server = ServerFixture.start(ServerFixture.loopback(), (req, res) -> {
            switch (req.rawPath()) {
                case "/read" -> {
                    entered.countDown();
                    assertTrue(mayRead.await(5, TimeUnit.SECONDS));
                    byte[] body = req.body().readAllBytes();
                    res.send("got " + new String(body, StandardCharsets.UTF_8));
                }
                case "/deny" -> {
                    entered.countDown();
                    res.status(401).header("WWW-Authenticate", "Basic realm=\"x\"").send("no");
                }
                case "/elsewhere" -> {
                    // the body is read on another thread while this one answers at once
                    Thread reader = Thread.ofVirtual().start(() -> {
                        try {
                            req.body().readAllBytes();
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
                    res.send("answered");
                    reader.join();
                }
                default -> res.send("plain " + new String(req.body().readAllBytes(), StandardCharsets.UTF_8));
            }
        });
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @BeforeEach
    void latches() {
        entered = new CountDownLatch(1);
        mayRead = new CountDownLatch(1);
    }

    @Test
    void continueIsSentOnlyWhenTheHandlerReads() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            c.send("POST /read HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            assertTrue(entered.await(3, TimeUnit.SECONDS), "the handler was not called");
            assertTrue(c.quietFor(300), "100 Continue (or anything) before the handler read the body");
            mayRead.countDown();
            RawResponse interim = c.read();
            assertEquals(100, interim.status(), interim.statusLine());
            assertEquals("HTTP/1.1 100 Continue", interim.statusLine());
            c.send("hello");
            RawResponse r = c.read();
            assertEquals(200, r.status());
            assertEquals("got hello", r.text());
            assertTrue(r.header("Connection") == null, "the exchange completed; the connection persists");
            assertEquals("plain ", c.send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
        }
    }

    @Test
    void aBodyReadOnAnotherThreadNeverInterleavesTheContinueWithTheAnswer() throws Exception {
        // The reader's 100 Continue and the handler's final head race: either the interim response goes
        // out whole before the final one, or not at all; never inside it, never after it. Without the
        // interim response the client cannot know whether to send the body, so the connection then closes,
        // unless the other thread had read the whole body by then.
        for (int i = 0; i < 200; i++) {
            try (RawClient c = new RawClient(server.port(), 3_000)) {
                c.send("POST /elsewhere HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello");
                RawResponse r = c.read();
                boolean interim = r.status() == 100;
                if (interim) {
                    assertEquals("HTTP/1.1 100 Continue", r.statusLine());
                    r = c.read();
                }
                assertEquals(200, r.status(), r.statusLine());
                assertEquals("answered", r.text());
                if (interim) {
                    assertTrue(r.header("Connection") == null, "the body was sent after 100 Continue: keep-alive");
                }
                if ("close".equals(r.header("Connection"))) {
                    assertEquals(0, c.readToEnd().length, "bytes after the final response of request " + i);
                } else {
                    assertTrue(c.quietFor(2), "bytes after the final response of request " + i);
                }
            }
        }
    }

    @Test
    void continueWithAChunkedBody() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            c.send("POST /read HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n");
            assertTrue(entered.await(3, TimeUnit.SECONDS));
            assertTrue(c.quietFor(200));
            mayRead.countDown();
            assertEquals(100, c.read().status());
            c.send("3\r\nabc\r\n0\r\n\r\n");
            assertEquals("got abc", c.read().text());
        }
    }

    @Test
    void noContinueWhenTheHandlerAnswersWithoutReading() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            c.send("PUT /deny HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n");
            RawResponse r = c.read();
            assertEquals(401, r.status(), "the first thing on the wire must be the final response, got " + r.statusLine());
            assertEquals("no", r.text());
            assertEquals("close", r.header("Connection"),
                    "the client may or may not send the body now; the connection cannot be reused");
            assertTrue(c.closedByServer(), "the server must close the connection");
        }
        ServerFixture.assertStillServing(server, "/after");
    }

    @Test
    void clientThatSendsTheBodyAnywayKeepsTheConnectionInStep() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            mayRead.countDown();
            c.send("POST /read HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello"
                    + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
            RawResponse r = c.read();
            if (r.status() == 100) r = c.read(); // allowed: the handler read, so 100 may go out
            assertEquals("got hello", r.text());
            assertEquals("plain ", c.read().text());
        }
    }

    @Test
    void http10ExpectationIsIgnored() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            mayRead.countDown();
            c.send("POST /read HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello");
            RawResponse r = c.read();
            assertEquals(200, r.status(), "RFC 9110 §10.1.1: a 100-continue expectation in HTTP/1.0 MUST be ignored; got "
                    + r.statusLine());
            assertEquals("got hello", r.text());
        }
    }

    @Test
    void noContinueWithoutABody() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            mayRead.countDown();
            RawResponse r = c.send("POST /read HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n").read();
            if (r.status() == 100) r = c.read(); // pointless but allowed
            assertEquals(200, r.status(), r.statusLine());
            assertEquals("got ", r.text());
            assertEquals("plain ", c.send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
        }
    }
}
