package io.sockeye.cgi;

import static io.sockeye.cgi.CgiTesting.awaitFile;
import static io.sockeye.cgi.CgiTesting.awaitPid;
import static io.sockeye.cgi.CgiTesting.script;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sockeye.HttpServer;
import io.sockeye.Router;
import io.sockeye.cgi.CgiTesting.RecordedPid;
import io.sockeye.testsupport.LogCapture;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;

/** Timeouts, kills, clients that leave, and the cap on scripts running at once. */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class CgiLifecycleTest {

    @TempDir
    static Path tmp;
    static Path cgiBin;
    /** Where scripts write their PIDs (every *.pid file there is checked at the end) and marks. */
    static Path pids;
    static HttpServer server;

    @BeforeAll
    static void start() throws Exception {
        cgiBin = tmp.resolve("cgi-bin");
        pids = tmp.resolve("pids");
        Files.createDirectories(pids);
        // sleeps past its timeout, having started a child that would outlive it
        script(cgiBin, "slow.sh", """
                #!/bin/sh
                sleep 60 &
                echo $! > "$PIDS/slow-child.pid"
                echo $$ > "$PIDS/slow.pid"
                sleep 30
                printf 'Content-Type: text/plain\\n\\ntoo late\\n'
                """);
        // answers its head at once, then hangs before the body
        script(cgiBin, "head-then-hang.sh", """
                #!/bin/sh
                echo $$ > "$PIDS/head-then-hang.pid"
                printf 'Content-Type: text/plain\\n\\n'
                sleep 30
                """);
        // streams, then hangs mid-body
        script(cgiBin, "stream-then-hang.sh", """
                #!/bin/sh
                echo $$ > "$PIDS/stream-then-hang.pid"
                printf 'Content-Type: text/plain\\n\\npart one\\n'
                sleep 30
                """);
        // streams for ever
        script(cgiBin, "forever.sh", """
                #!/bin/sh
                echo $$ > "$PIDS/forever.pid"
                printf 'Content-Type: text/plain\\n\\n'
                while :; do echo tick; sleep 0.05; done
                """);
        // holds its slot a while
        script(cgiBin, "hold.sh", """
                #!/bin/sh
                echo $$ > "$PIDS/hold.pid"
                : > "$PIDS/hold.started"
                sleep 1.5
                printf 'Content-Type: text/plain\\n\\nheld\\n'
                """);
        // answers, exits soon after, and leaves a child behind that still holds its stdout
        script(cgiBin, "daemon.sh", """
                #!/bin/sh
                sleep 30 &
                echo $! > "$PIDS/daemon-child.pid"
                printf 'Content-Type: text/plain\\n\\nhello\\n'
                sleep 0.2
                """);
        // answers and exits, leaving a child that holds its stdin but never reads it (and holds no output);
        // through fd 3, since sh gives a background command /dev/null for stdin
        script(cgiBin, "stdin-orphan.sh", """
                #!/bin/sh
                exec 3<&0
                (exec <&3 3<&- >&- 2>&-; sleep 30) &
                echo $! > "$PIDS/stdin-orphan.pid"
                printf 'Content-Type: text/plain\\n\\nanswered\\n'
                """);
        script(cgiBin, "brief.sh", "#!/bin/sh\n: > \"$PIDS/brief.started\"\nsleep 0.05\nprintf 'Content-Type: text/plain\\n\\nbrief\\n'\n");
        script(cgiBin, "quick.sh", "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nquick\\n'\n");
        script(cgiBin, "to-quick.sh", "#!/bin/sh\nprintf 'Location: /one-bin/quick.sh\\n\\n'\n");

        Router router = Router.create();
        router.mount("/cgi-bin/", CgiHandler.builder(cgiBin).timeout(Duration.ofMillis(700))
                .environment("PIDS", pids.toString()).build());
        router.mount("/long-bin/", CgiHandler.builder(cgiBin).timeout(Duration.ofSeconds(20))
                .environment("PIDS", pids.toString()).build());
        router.mount("/one-bin/", CgiHandler.builder(cgiBin).maxConcurrent(1).queueTimeout(Duration.ofMillis(200))
                .environment("PIDS", pids.toString()).localRedirects(router).build());
        // one slot too, but a queue wait long enough that a loaded machine still frees the slot in time
        router.mount("/queue-bin/", CgiHandler.builder(cgiBin).maxConcurrent(1).queueTimeout(Duration.ofSeconds(5))
                .environment("PIDS", pids.toString()).build());
        server = CgiTesting.start(router);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        CgiTesting.assertRecordedPidsGone(pids);
        CgiTesting.assertNoProcessesUnder(tmp);
    }

    @Test
    void scriptPastItsTimeoutIs504AndKilledWithItsChild() throws Exception {
        Files.deleteIfExists(pids.resolve("slow.pid"));
        Files.deleteIfExists(pids.resolve("slow-child.pid"));
        try (LogCapture log = LogCapture.of("io.sockeye.cgi")) {
            long t0 = System.nanoTime();
            RawResponse r;
            try (RawClient c = new RawClient(server.port())) {
                r = c.send("GET /cgi-bin/slow.sh HTTP/1.1\r\nHost: a\r\n\r\n").read();
            }
            long took = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(504, r.status(), r.statusLine());
            assertFalse(r.text().contains("too late"));
            assertTrue(took >= 600 && took < 4_000, "answered after " + took + " ms with a 700 ms timeout");
            RecordedPid script = awaitPid(pids.resolve("slow.pid"));
            RecordedPid child = awaitPid(pids.resolve("slow-child.pid"));
            CgiTesting.assertGoneWithin(script, Duration.ofSeconds(2), "the timed-out script");
            CgiTesting.assertGoneWithin(child, Duration.ofSeconds(2), "the child the timed-out script started");
            assertNotNull(log.await("/cgi-bin/slow.sh: killed after"));
        }
    }

    /**
     * The script wrote its header section and then hung: nothing had gone to the client when it was
     * killed. Whatever the status, the request must end near the timeout, the script must be gone, and
     * the client must not get a 200 with an empty body as if the script had finished.
     */
    @Test
    void scriptThatHangsAfterItsHeadIsKilledAtItsTimeout() throws Exception {
        long t0 = System.nanoTime();
        String status;
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            c.send("GET /cgi-bin/head-then-hang.sh HTTP/1.1\r\nHost: a\r\n\r\n");
            try {
                RawResponse r = c.read();
                status = r.statusLine();
                assertTrue(r.status() >= 500, "a complete " + r.statusLine() + " for a script that was killed");
            } catch (java.io.IOException cutShort) {
                status = "(connection closed mid-response: " + cutShort.getMessage() + ")";
            }
        }
        long took = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(took < 4_000, "ended after " + took + " ms with a 700 ms timeout (" + status + ")");
        CgiTesting.assertGoneWithin(awaitPid(pids.resolve("head-then-hang.pid")), Duration.ofSeconds(2), "the script");
    }

    /**
     * Javadoc: "504 if it had not answered yet". A script that printed only its header section has not
     * sent anything to the client when it is killed (the head is still buffered), so the client can
     * still be told the truth: 504, not a 500 "internal error" of the server.
     */
    @Test
    void scriptThatHangsAfterItsHeadIs504NotA500() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            RawResponse r = c.send("GET /cgi-bin/head-then-hang.sh HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(504, r.status(), r.statusLine());
        }
    }

    @Test
    void scriptKilledMidBodyEndsTheResponseIncomplete() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.send("GET /cgi-bin/stream-then-hang.sh HTTP/1.1\r\nHost: a\r\n\r\n");
            String all = c.readUntilClosed();
            assertTrue(all.startsWith("HTTP/1.1 200"), all);
            assertTrue(all.contains("part one"), all);
            assertFalse(all.endsWith("\r\n0\r\n\r\n"), "a killed script's chunked body must not be terminated as if complete: " + all);
        }
        CgiTesting.assertGoneWithin(awaitPid(pids.resolve("stream-then-hang.pid")), Duration.ofSeconds(2), "the script");
    }

    /**
     * The script answers and exits 200 ms later, but a child it started in the background still holds
     * its stdout, so the pipe does not reach end of stream for 30 s. The script's 700 ms timeout must
     * still bound the request (Javadoc: a script that runs past its timeout is killed with everything it
     * started) rather than leave the client, and a script slot, waiting for the child.
     */
    @Test
    void backgroundChildHoldingStdoutDoesNotHoldTheResponse() throws Exception {
        Files.deleteIfExists(pids.resolve("daemon-child.pid"));
        long t0 = System.nanoTime();
        try (RawClient c = new RawClient(server.port(), 4_000)) {
            c.send("GET /cgi-bin/daemon.sh HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            String got;
            try {
                got = c.readUntilClosed();
            } catch (java.net.SocketTimeoutException e) {
                got = null;
            }
            long took = (System.nanoTime() - t0) / 1_000_000;
            assertNotNull(got, "the response was still open after " + took + " ms, with a 700 ms timeout");
            assertTrue(got.startsWith("HTTP/1.1 "), got);
        } finally {
            CgiTesting.killIfOurs(awaitPid(pids.resolve("daemon-child.pid")));
        }
    }

    /**
     * Javadoc: "A script that runs past its timeout is killed with everything it started". Here the
     * script itself exits at once, but the child it started in the background keeps running past the
     * 700 ms timeout: nothing ever kills it (it is an orphan by then, no longer among the script's
     * descendants), so every such request leaves a process behind.
     */
    @Test
    void backgroundChildOfAScriptThatExitedIsKilledAtTheTimeout() throws Exception {
        Files.deleteIfExists(pids.resolve("daemon-child.pid"));
        try (RawClient c = new RawClient(server.port(), 1_500)) {
            c.send("GET /cgi-bin/daemon.sh HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            try {
                c.readUntilClosed();
            } catch (java.net.SocketTimeoutException e) {
                // the other test says whether the response ends; this one is about the child
            }
        }
        RecordedPid child = awaitPid(pids.resolve("daemon-child.pid"));
        try {
            // the timeout is 700 ms; allow it and two seconds more
            CgiTesting.assertGoneWithin(child, Duration.ofMillis(2_700), "the background child of a script, past the script's timeout");
        } finally {
            CgiTesting.killIfOurs(child);
        }
    }

    /**
     * The script's answer is complete, but a child it left holds the pipe to its stdin without reading:
     * feeding it a body larger than the pipe holds would block for ever, holding the connection's thread
     * and a script slot, unless the script's timeout still applies until the body is fed.
     */
    @Test
    void childHoldingStdinIsKilledAtTheTimeoutSoFeedingTheBodyEnds() throws Exception {
        Files.deleteIfExists(pids.resolve("stdin-orphan.pid"));
        RecordedPid child = null;
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            byte[] body = new byte[1 << 20];
            c.send("POST /cgi-bin/stdin-orphan.sh HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length + "\r\n\r\n");
            // the body goes from another thread: it stalls once the pipe and the socket buffers are full
            Thread.ofVirtual().start(() -> {
                try {
                    c.socket().getOutputStream().write(body);
                } catch (IOException serverClosed) {
                    // the server may stop reading once the script is gone; the checks below say what matters
                }
            });
            child = awaitPid(pids.resolve("stdin-orphan.pid"));
            CgiTesting.assertGoneWithin(child, Duration.ofMillis(2_700), "the child holding stdin, past the 700 ms timeout");
            assertEquals("answered", c.read().text().strip());
        } finally {
            if (child != null) CgiTesting.killIfOurs(child);
        }
    }

    @Test
    void clientThatDisconnectsEndsTheScript() throws Exception {
        Files.deleteIfExists(pids.resolve("forever.pid"));
        RawClient c = new RawClient(server.port());
        try {
            c.send("GET /long-bin/forever.sh HTTP/1.1\r\nHost: a\r\n\r\n");
            InputStream in = c.socket().getInputStream();
            StringBuilder seen = new StringBuilder();
            byte[] b = new byte[1024];
            while (!seen.toString().contains("tick")) {
                int n = in.read(b);
                if (n < 0) throw new AssertionError("closed: " + seen);
                seen.append(new String(b, 0, n, StandardCharsets.ISO_8859_1));
            }
        } finally {
            c.close();
        }
        RecordedPid script = awaitPid(pids.resolve("forever.pid"));
        // well before its 20 s timeout
        CgiTesting.assertGoneWithin(script, Duration.ofSeconds(4), "the script whose client went away");
    }

    @Test
    void concurrencyCapGives503WithRetryAfter() throws Exception {
        Files.deleteIfExists(pids.resolve("hold.started"));
        CompletableFuture<HttpResponse<String>> first = CgiTesting.CLIENT.sendAsync(
                HttpRequest.newBuilder(CgiTesting.uri(server, "/one-bin/hold.sh")).build(), HttpResponse.BodyHandlers.ofString());
        awaitFile(pids.resolve("hold.started"));
        long t0 = System.nanoTime();
        try (RawClient c = new RawClient(server.port())) {
            RawResponse second = c.send("GET /one-bin/quick.sh HTTP/1.1\r\nHost: a\r\n\r\n").read();
            long waited = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(503, second.status(), second.statusLine());
            assertNotNull(second.header("Retry-After"), "503 says when to retry");
            assertTrue(second.header("Retry-After").matches("\\d+"), second.header("Retry-After"));
            assertTrue(waited >= 150, "waited " + waited + " ms for a slot, with a 200 ms queue timeout");
        }
        HttpResponse<String> r = first.get(10, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode());
        assertEquals("held\n", r.body());
        // the slot is free again, once the handler is past its finally block: the client may get there first
        HttpResponse<byte[]> again = CgiTesting.get(server, "/one-bin/quick.sh");
        for (long until = System.nanoTime() + 2_000_000_000L; again.statusCode() == 503 && System.nanoTime() < until; ) {
            Thread.sleep(20);
            again = CgiTesting.get(server, "/one-bin/quick.sh");
        }
        assertEquals("quick\n", CgiTesting.text(again));
    }

    @Test
    void requestThatGetsASlotWithinTheQueueTimeoutRuns() throws Exception {
        // a short script (50 ms) holds the only slot: the next request waits for it and runs
        Files.deleteIfExists(pids.resolve("brief.started"));
        CompletableFuture<HttpResponse<String>> a = CgiTesting.CLIENT.sendAsync(
                HttpRequest.newBuilder(CgiTesting.uri(server, "/queue-bin/brief.sh")).build(), HttpResponse.BodyHandlers.ofString());
        awaitFile(pids.resolve("brief.started"));
        HttpResponse<byte[]> b = CgiTesting.get(server, "/queue-bin/quick.sh");
        assertEquals(200, b.statusCode(), "waited for the slot");
        assertEquals("quick\n", CgiTesting.text(b));
        assertEquals("brief\n", a.get(5, TimeUnit.SECONDS).body());
    }

    /**
     * At most maxConcurrent scripts run at once: when a script answers with a local redirect to another,
     * the first has been stopped before the second starts, so the second needs no second slot. With
     * maxConcurrent(1), "/one-bin/to-quick.sh" (Location: /one-bin/quick.sh) must be answered by quick.sh.
     */
    @Test
    void localRedirectToAnotherScriptWorksUnderACapOfOne() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            RawResponse r = c.send("GET /one-bin/to-quick.sh HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(200, r.status(), r.statusLine() + " " + r.text());
            assertEquals("quick\n", r.text());
        }
    }
}
