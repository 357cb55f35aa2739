package io.sockeye.cgi;

import static io.sockeye.cgi.CgiTesting.script;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.sockeye.HttpServer;
import io.sockeye.Router;
import io.sockeye.testsupport.LogCapture;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;

/** What a script writes, turned into the response (RFC 3875 §6): status, fields, redirects, body. */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class CgiOutputTest {

    @TempDir
    static Path tmp;
    static Path cgiBin;
    /** Scripts mounted at /cgi-bin/ with local redirects served by the site; at /plain-bin/ without. */
    static HttpServer server;

    static String sh(String body) {
        return "#!/bin/sh\n" + body + "\n";
    }

    @BeforeAll
    static void start() throws Exception {
        cgiBin = tmp.resolve("cgi-bin");
        script(cgiBin, "type-only.sh", sh("printf 'Content-Type: text/plain\\n\\nhello\\n'"));
        script(cgiBin, "crlf.sh", sh("printf 'Content-Type: text/plain\\r\\nX-Eol: crlf\\r\\n\\r\\nhello crlf\\r\\n'"));
        script(cgiBin, "not-found.sh", sh("printf 'Status: 404 Not Found\\nContent-Type: text/plain\\n\\nno such thing\\n'"));
        script(cgiBin, "created.sh", sh("printf 'Status: 201\\nContent-Type: application/json\\nLocation: http://example.com/items/7\\n\\n{\"id\":7}'"));
        script(cgiBin, "away.sh", sh("printf 'Location: http://example.com/x\\n\\n'"));
        script(cgiBin, "local.sh", sh("printf 'Location: /other?from=cgi\\n\\n'"));
        script(cgiBin, "local-to-script.sh", sh("printf 'Location: /cgi-bin/type-only.sh\\n\\n'"));
        script(cgiBin, "loop-a.sh", sh("printf 'Location: /cgi-bin/loop-b.sh\\n\\n'"));
        script(cgiBin, "loop-b.sh", sh("printf 'Location: /cgi-bin/loop-a.sh\\n\\n'"));
        script(cgiBin, "self-loop.sh", sh("printf 'Location: /cgi-bin/self-loop.sh\\n\\n'"));
        script(cgiBin, "bad-location.sh", sh("printf 'Location: /a%%zz/b\\n\\n'"));
        script(cgiBin, "fields.sh", sh("printf 'Content-Type: text/plain\\nSet-Cookie: a=1; Path=/\\nX-Custom: custom value\\n"
                + "Set-Cookie: b=2; HttpOnly\\nCache-Control: no-store\\n\\nbody\\n'"));
        script(cgiBin, "hop.sh", sh("printf 'Content-Type: text/plain\\nConnection: close\\nTransfer-Encoding: gzip\\n"
                + "Keep-Alive: timeout=1\\nUpgrade: h2c\\nX-After: kept\\n\\nplain body\\n'"));
        script(cgiBin, "no-type.sh", sh("printf 'X-Only: 1\\n\\nleaked-body\\n'"));
        script(cgiBin, "malformed.sh", sh("printf 'Content-Type: text/plain\\nthis is not a header\\n\\nleaked-body\\n'"));
        script(cgiBin, "space-name.sh", sh("printf 'Content-Type: text/plain\\nBad Name: x\\n\\nleaked-body\\n'"));
        script(cgiBin, "status-line.sh", sh("printf 'HTTP/1.1 200 OK\\nContent-Type: text/plain\\n\\nleaked-body\\n'"));
        script(cgiBin, "huge-head.py", """
                #!/usr/bin/env python3
                import sys
                sys.stdout.write("Content-Type: text/plain\\n")
                sys.stdout.write("X-Big: " + "a" * 70000 + "\\n\\nleaked-body\\n")
                """);
        script(cgiBin, "status-999.sh", sh("printf 'Status: 999 Beyond\\nContent-Type: text/plain\\n\\nleaked-body\\n'"));
        script(cgiBin, "status-100.sh", sh("printf 'Status: 100 Continue\\nContent-Type: text/plain\\n\\nleaked-body\\n'"));
        script(cgiBin, "two-types.sh", sh("printf 'Content-Type: text/plain\\nContent-Type: text/html\\n\\n<b>leaked-body</b>\\n'"));
        script(cgiBin, "silent.sh", sh("exit 0"));
        script(cgiBin, "fails.sh", sh("echo 'something broke' >&2\nexit 3"));
        script(cgiBin, "fails-after.sh", sh("printf 'Content-Type: text/plain\\n\\npartial\\n'\nexit 4"));
        script(cgiBin, "stderr.sh", sh("echo 'first complaint' >&2\nprintf 'Content-Type: text/plain\\n\\nok\\n'\n"
                + "echo 'second complaint' >&2"));
        // 30 MB on stderr without a newline, then a line that would recolour an operator's terminal
        script(cgiBin, "stderr-flood.sh", sh("head -c 30000000 /dev/zero | tr '\\0' x >&2\nprintf '\\n\\033[31mALERT\\302\\233J\\n' >&2\n"
                + "printf 'Content-Type: text/plain\\n\\nstill answered\\n'"));
        script(cgiBin, "nph-hello.sh", sh("printf 'HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\nX-Nph: yes\\r\\n\\r\\nnph body\\n'"));
        script(cgiBin, "nph-teapot.sh", sh("printf 'HTTP/1.1 418 I am a teapot\\r\\nContent-Type: text/plain\\r\\n\\r\\nshort and stout\\n'"));
        script(cgiBin, "nph-bad.sh", sh("printf 'Content-Type: text/plain\\n\\nno status line\\n'"));
        script(cgiBin, "slow-lines.sh", sh("printf 'Content-Type: text/plain\\n\\n'\necho first\nsleep 2\necho second"));
        script(cgiBin, "binary.py", """
                #!/usr/bin/env python3
                import sys
                sys.stdout.buffer.write(b"Content-Type: application/octet-stream\\n\\n")
                sys.stdout.buffer.write(bytes(range(256)) * 4096)
                """);
        script(cgiBin, "with-length.sh", sh("printf 'Content-Type: text/plain\\nContent-Length: 5\\n\\nhello'"));
        script(cgiBin, "no-body.sh", sh("printf 'Status: 204 No Content\\n\\n'"));

        Router router = Router.create();
        router.get("/other", (req, res) -> {
            long read = req.body().readAllBytes().length;
            res.header("X-Seen-Method", req.method());
            res.send("text/plain", "method=" + req.method()
                    + " query=" + req.rawQuery()
                    + " x-test=" + req.header("X-Test")
                    + " content-length=" + req.header("Content-Length")
                    + " content-type=" + req.header("Content-Type")
                    + " body=" + read);
        });
        router.mount("/cgi-bin/", CgiHandler.builder(cgiBin).localRedirects(router).build());
        router.mount("/plain-bin/", CgiHandler.builder(cgiBin).build());
        server = CgiTesting.start(router);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        CgiTesting.assertNoProcessesUnder(tmp);
    }

    static RawResponse raw(String target) throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            return c.send("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
        }
    }

    // ---- document responses ------------------------------------------------------------------------

    @Test
    void contentTypeAloneIs200() throws Exception {
        RawResponse r = raw("/cgi-bin/type-only.sh");
        assertEquals(200, r.status());
        assertEquals("text/plain", r.header("Content-Type"));
        assertEquals("hello\n", r.text());
    }

    @Test
    void crlfLineEndingsAreAccepted() throws Exception {
        RawResponse r = raw("/cgi-bin/crlf.sh");
        assertEquals(200, r.status());
        assertEquals("crlf", r.header("X-Eol"));
        assertEquals("hello crlf\r\n", r.text());
    }

    @Test
    void statusNotFound() throws Exception {
        RawResponse r = raw("/cgi-bin/not-found.sh");
        assertEquals(404, r.status());
        assertEquals("no such thing\n", r.text(), "the script's own body, not an error page");
        assertNull(r.header("Status"), "Status is CGI's field, not HTTP's");
    }

    @Test
    void statusCreatedWithABody() throws Exception {
        RawResponse r = raw("/cgi-bin/created.sh");
        assertEquals(201, r.status());
        assertEquals("application/json", r.header("Content-Type"));
        assertEquals("http://example.com/items/7", r.header("Location"));
        assertEquals("{\"id\":7}", r.text());
    }

    @Test
    void statusWithoutBody() throws Exception {
        RawResponse r = raw("/cgi-bin/no-body.sh");
        assertEquals(204, r.status());
        assertEquals(0, r.body().length);
    }

    @Test
    void absoluteLocationIsA302ToIt() throws Exception {
        RawResponse r = raw("/cgi-bin/away.sh");
        assertEquals(302, r.status());
        assertEquals("http://example.com/x", r.header("Location"));
    }

    @Test
    void localRedirectIsServedByTheSiteAsAGetWithTheHeadersButNoBody() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            RawResponse r = c.send("POST /cgi-bin/local.sh HTTP/1.1\r\nHost: a\r\nX-Test: 42\r\n"
                    + "Content-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello there").read();
            assertEquals(200, r.status(), r.statusLine() + " " + r.text());
            assertNull(r.header("Location"), "served here, not sent to the client");
            assertEquals("GET", r.header("X-Seen-Method"));
            assertEquals("method=GET query=from=cgi x-test=42 content-length=null content-type=null body=0", r.text());
            // the connection is still in step: the POST's body did not leak into the next request
            RawResponse next = c.send("GET /cgi-bin/type-only.sh HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals("hello\n", next.text());
        }
    }

    @Test
    void localRedirectToAnotherScript() throws Exception {
        RawResponse r = raw("/cgi-bin/local-to-script.sh");
        assertEquals(200, r.status());
        assertEquals("hello\n", r.text());
    }

    @Test
    void localRedirectWithoutASiteIsA302() throws Exception {
        RawResponse r = raw("/plain-bin/local.sh");
        assertEquals(302, r.status());
        assertEquals("/other?from=cgi", r.header("Location"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/cgi-bin/loop-a.sh", "/cgi-bin/self-loop.sh"})
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void redirectLoopEndsIn502(String target) throws Exception {
        long t0 = System.nanoTime();
        RawResponse r = raw(target);
        assertEquals(502, r.status(), r.statusLine());
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "ended promptly");
    }

    @Test
    void localRedirectToAnUndecodablePathIsTheScriptsFault502() throws Exception {
        // the script wrote a malformed escape: a bad gateway, not a bad request from the client
        RawResponse r = raw("/cgi-bin/bad-location.sh");
        assertEquals(502, r.status(), r.statusLine());
    }

    @Test
    void otherFieldsArePassedThrough() throws Exception {
        RawResponse r = raw("/cgi-bin/fields.sh");
        assertEquals(200, r.status());
        assertEquals(List.of("a=1; Path=/", "b=2; HttpOnly"), r.headers("Set-Cookie"));
        assertEquals("custom value", r.header("X-Custom"));
        assertEquals("no-store", r.header("Cache-Control"));
        assertEquals("body\n", r.text());
    }

    @Test
    void hopByHopFieldsFromTheScriptAreDropped() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            RawResponse r = c.send("GET /cgi-bin/hop.sh HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("plain body\n", r.text(), "framed by the server, not by the script's Transfer-Encoding");
            String te = r.header("Transfer-Encoding");
            assertTrue(te == null || te.equalsIgnoreCase("chunked"), "Transfer-Encoding: " + te);
            assertNull(r.header("Keep-Alive"));
            assertNull(r.header("Upgrade"));
            assertEquals("kept", r.header("X-After"));
            for (String conn : r.headers("Connection")) assertFalse(conn.equalsIgnoreCase("close"), "the script's Connection: close");
            // the script's "Connection: close" did not close the connection
            RawResponse next = c.send("GET /cgi-bin/type-only.sh HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals("hello\n", next.text());
        }
    }

    // ---- failures: 502 ----------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"no-type.sh", "malformed.sh", "space-name.sh", "status-line.sh", "huge-head.py", "silent.sh", "nph-bad.sh",
            "status-999.sh", "status-100.sh", "two-types.sh"})
    void badOutputIs502AndNoneOfItLeaks(String name) throws Exception {
        RawResponse r = raw("/cgi-bin/" + name);
        assertEquals(502, r.status(), name + ": " + r.statusLine());
        assertFalse(r.text().contains("leaked-body"), "nothing of the script's output reaches the client");
        assertFalse(r.text().contains("aaaa"));
        assertNull(r.header("X-Only"));
    }

    @Test
    void nonZeroExitBeforeOutputIs502AndLogged() throws Exception {
        try (LogCapture log = LogCapture.of("io.sockeye.cgi")) {
            RawResponse r = raw("/cgi-bin/fails.sh");
            assertEquals(502, r.status());
            assertFalse(r.text().contains("something broke"), "stderr is for the log, not the client");
            LogRecord exit = log.await("exited with status 3");
            assertTrue(exit.getMessage().contains("/cgi-bin/fails.sh"), exit.getMessage());
            LogRecord err = log.await("something broke");
            assertTrue(err.getMessage().contains("/cgi-bin/fails.sh"), err.getMessage());
        }
    }

    @Test
    void nonZeroExitAfterAnsweringKeepsTheAnswer() throws Exception {
        try (LogCapture log = LogCapture.of("io.sockeye.cgi")) {
            RawResponse r = raw("/cgi-bin/fails-after.sh");
            assertEquals(200, r.status());
            assertEquals("partial\n", r.text());
            assertTrue(log.await("exited with status 4").getMessage().contains("fails-after.sh"));
        }
    }

    // ---- stderr -----------------------------------------------------------------------------------

    @Test
    void eachStderrLineIsLoggedWithTheScriptName() throws Exception {
        try (LogCapture log = LogCapture.of("io.sockeye.cgi")) {
            RawResponse r = raw("/cgi-bin/stderr.sh");
            assertEquals("ok\n", r.text());
            LogRecord first = log.await("first complaint");
            LogRecord second = log.await("second complaint");
            assertTrue(first.getMessage().contains("/cgi-bin/stderr.sh"), first.getMessage());
            assertTrue(second.getMessage().contains("/cgi-bin/stderr.sh"), second.getMessage());
            assertEquals("io.sockeye.cgi", first.getLoggerName());
            assertTrue(first != second, "one record per line");
            assertFalse(first.getMessage().contains("second complaint"));
        }
    }

    @Test
    void aHugeStderrLineIsLoggedCutShortAndEscapesAreEscaped() throws Exception {
        try (LogCapture log = LogCapture.of("io.sockeye.cgi")) {
            RawResponse r = raw("/cgi-bin/stderr-flood.sh");
            assertEquals(200, r.status());
            assertEquals("still answered\n", r.text());
            LogRecord flood = log.await("/cgi-bin/stderr-flood.sh: xxxx");
            assertTrue(flood.getMessage().length() < 4096 + 100, "a " + flood.getMessage().length() + "-char log line");
            LogRecord alert = log.await("ALERT");
            assertEquals("/cgi-bin/stderr-flood.sh: \\x1b[31mALERT\\x9bJ", alert.getMessage(),
                    "ESC and a C1 CSI from the script's stderr must not reach the log raw");
        }
    }

    // ---- NPH --------------------------------------------------------------------------------------

    @Test
    void nphScriptWritesItsOwnStatusAndFields() throws Exception {
        RawResponse r = raw("/cgi-bin/nph-hello.sh");
        assertEquals(200, r.status());
        assertEquals("yes", r.header("X-Nph"));
        assertEquals("text/plain", r.header("Content-Type"));
        assertEquals("nph body\n", r.text());
        RawResponse teapot = raw("/cgi-bin/nph-teapot.sh");
        assertEquals(418, teapot.status());
        assertEquals("short and stout\n", teapot.text());
    }

    // ---- body framing and streaming ---------------------------------------------------------------

    @Test
    void shortOutputGetsAContentLength() throws Exception {
        RawResponse r = raw("/cgi-bin/type-only.sh");
        assertEquals("6", r.header("Content-Length"));
        assertNull(r.header("Transfer-Encoding"));
    }

    @Test
    void scriptsOwnContentLengthIsKeptWhenTrue() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            RawResponse r = c.send("GET /cgi-bin/with-length.sh HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("hello", r.text());
            RawResponse next = c.send("GET /cgi-bin/type-only.sh HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals("hello\n", next.text());
        }
    }

    @Test
    void largeBinaryOutputArrivesIntact() throws Exception {
        HttpResponse<byte[]> r = CgiTesting.get(server, "/cgi-bin/binary.py");
        assertEquals(200, r.statusCode());
        byte[] expected = new byte[256 * 4096];
        for (int i = 0; i < expected.length; i++) expected[i] = (byte) i;
        assertEquals(expected.length, r.body().length);
        assertTrue(java.util.Arrays.equals(expected, r.body()), "the body, byte for byte");
    }

    @Test
    void outputIsStreamedAsTheScriptWritesIt() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            long t0 = System.nanoTime();
            c.send("GET /cgi-bin/slow-lines.sh HTTP/1.1\r\nHost: a\r\n\r\n");
            InputStream in = c.socket().getInputStream();
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            long firstAt = readUntil(in, seen, "first\n");
            String head = seen.toString(StandardCharsets.ISO_8859_1);
            assertFalse(head.contains("second"), "the first line arrived on its own");
            long secondAt = readUntil(in, seen, "second\n");
            String all = seen.toString(StandardCharsets.ISO_8859_1);
            assertTrue(all.startsWith("HTTP/1.1 200"), all);
            assertTrue(all.toLowerCase().contains("\r\ntransfer-encoding: chunked\r\n"), "streamed, so chunked: " + all);
            assertTrue(secondAt - firstAt >= 1_000_000_000L,
                    "the first line came " + (secondAt - firstAt) / 1_000_000 + " ms before the second (the script sleeps 2 s between)");
            assertTrue(firstAt - t0 < 1_800_000_000L, "the first line came after " + (firstAt - t0) / 1_000_000 + " ms");
            readUntil(in, seen, "\r\n0\r\n\r\n");
        }
    }

    /** Reads until the text has been seen; @return when it was. */
    static long readUntil(InputStream in, ByteArrayOutputStream seen, String text) throws Exception {
        byte[] b = new byte[8192];
        while (!seen.toString(StandardCharsets.ISO_8859_1).contains(text)) {
            int n = in.read(b);
            if (n < 0) throw new AssertionError("closed before '" + text + "': " + seen);
            seen.write(b, 0, n);
        }
        return System.nanoTime();
    }

    @Test
    void headRequestRunsTheScriptButSendsNoBody() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            RawResponse r = c.send("HEAD /cgi-bin/type-only.sh HTTP/1.1\r\nHost: a\r\n\r\n").read(true);
            assertEquals(200, r.status());
            assertEquals("text/plain", r.header("Content-Type"));
            RawResponse next = c.send("GET /cgi-bin/type-only.sh HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals("hello\n", next.text(), "no stray body bytes after the HEAD response");
        }
    }
}
