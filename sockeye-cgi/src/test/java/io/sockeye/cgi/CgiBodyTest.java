package io.sockeye.cgi;

import static io.sockeye.cgi.CgiTesting.content;
import static io.sockeye.cgi.CgiTesting.script;
import static io.sockeye.cgi.CgiTesting.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sockeye.HttpServer;
import io.sockeye.Router;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;
import io.sockeye.testsupport.ServerFixture;

/** The request body on the script's stdin: fixed length, chunked, too large, after 100-continue. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class CgiBodyTest {

    static final long MAX_BODY = 256 * 1024;

    @TempDir
    static Path tmp;
    static Path cgiBin;
    static Path marks;
    static HttpServer server;
    /** The same scripts behind a server with a small body limit. */
    static HttpServer small;

    /** Answers with CONTENT_LENGTH, how many bytes stdin held (to its end) and their SHA-256. */
    static final String SHA_SCRIPT = """
            #!/usr/bin/env python3
            import hashlib, os, sys
            data = sys.stdin.buffer.read()
            sys.stdout.write("Content-Type: text/plain\\n\\n")
            sys.stdout.write("%s %d %s\\n" % (os.environ.get("CONTENT_LENGTH", "-"), len(data), hashlib.sha256(data).hexdigest()))
            """;

    @BeforeAll
    static void start() throws Exception {
        cgiBin = tmp.resolve("cgi-bin");
        marks = tmp.resolve("marks");
        Files.createDirectories(marks);
        script(cgiBin, "sha.py", SHA_SCRIPT);
        // records that it ran: a request refused before the script starts must leave no mark
        script(cgiBin, "mark.sh", "#!/bin/sh\n: > \"$MARKS/mark-ran\"\nprintf 'Content-Type: text/plain\\n\\nran\\n'\n");
        Router router = Router.create().mount("/cgi-bin/",
                CgiHandler.builder(cgiBin).environment("MARKS", marks.toString()).build());
        server = CgiTesting.start(router);
        small = ServerFixture.start(ServerFixture.loopback().withMaxBodyBytes(MAX_BODY), router);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (small != null) small.close();
        CgiTesting.assertNoProcessesUnder(tmp);
    }

    /**
     * Spool files: named ones in the spool directories ({@code sockeye-cgi-*} under the temporary
     * directory), and unlinked ones this JVM still holds open (they use the disk until closed).
     */
    static Set<Path> spoolFiles() throws IOException {
        Set<Path> found = new java.util.HashSet<>();
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            for (Path dir : s.filter(p -> p.getFileName().toString().startsWith("sockeye-cgi-")).toList()) {
                if (!Files.isDirectory(dir)) {
                    found.add(dir);
                    continue;
                }
                try (Stream<Path> files = Files.list(dir)) {
                    files.forEach(found::add);
                } catch (IOException gone) {
                    // removed meanwhile
                }
            }
        }
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (target.toString().contains("/sockeye-cgi-") && target.toString().contains(".spool")) found.add(target);
                } catch (IOException closedMeanwhile) {
                    // not a link any more
                }
            }
        }
        return found;
    }

    /**
     * The spool files are deleted when the handler returns, which may be just after the client has its
     * answer. Only files that appeared since {@code before} count: other runs may share the directory.
     */
    static void assertSpoolFilesBack(Set<Path> before, String message) throws Exception {
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (!newSince(before).isEmpty() && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(Set.of(), newSince(before), message);
    }

    private static Set<Path> newSince(Set<Path> before) throws IOException {
        Set<Path> now = spoolFiles();
        now.removeAll(before);
        return now;
    }

    static String expected(byte[] body, String contentLength) throws Exception {
        return contentLength + " " + body.length + " " + sha256(body);
    }

    @Test
    void largeBodyWithContentLengthArrivesIntact() throws Exception {
        byte[] body = content(6 * 1024 * 1024 + 7);
        HttpResponse<byte[]> r = CgiTesting.post(server, "/cgi-bin/sha.py", "application/octet-stream", body);
        assertEquals(200, r.statusCode());
        assertEquals(expected(body, Integer.toString(body.length)), CgiTesting.text(r).strip());
    }

    @Test
    void emptyPostHasContentLengthZeroAndAnEmptyStdin() throws Exception {
        HttpResponse<byte[]> r = CgiTesting.post(server, "/cgi-bin/sha.py", "text/plain", new byte[0]);
        assertEquals(expected(new byte[0], "0"), CgiTesting.text(r).strip());
    }

    @Test
    void getHasNoContentLengthAndAnEmptyStdin() throws Exception {
        HttpResponse<byte[]> r = CgiTesting.get(server, "/cgi-bin/sha.py");
        assertEquals(expected(new byte[0], "-"), CgiTesting.text(r).strip());
    }

    @Test
    void chunkedBodyArrivesWhole() throws Exception {
        byte[] body = content(300_000);
        Set<Path> before = spoolFiles();
        try (RawClient c = new RawClient(server.port())) {
            c.send("POST /cgi-bin/sha.py HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                    + "Content-Type: application/octet-stream\r\n\r\n");
            c.send(chunked(body, 70_001, 1, 12_345));
            RawResponse r = c.read();
            assertEquals(200, r.status(), r.statusLine());
            assertEquals(expected(body, Integer.toString(body.length)), r.text().strip(),
                    "CONTENT_LENGTH is the chunked body's total, and stdin holds it all");
            // the connection is still usable: the body was consumed exactly
            RawResponse again = c.send("GET /cgi-bin/sha.py HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(200, again.status());
        }
        assertSpoolFilesBack(before, "the temporary copy of the chunked body is deleted");
    }

    @Test
    void emptyChunkedBodyIsContentLengthZero() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            RawResponse r = c.send("POST /cgi-bin/sha.py HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").read();
            assertEquals(expected(new byte[0], "0"), r.text().strip());
        }
    }

    @Test
    void chunkedBodyOverTheLimitIs413AndTheScriptNeverRuns() throws Exception {
        Set<Path> before = spoolFiles();
        Files.deleteIfExists(marks.resolve("mark-ran"));
        try (RawClient c = new RawClient(small.port())) {
            c.send("POST /cgi-bin/mark.sh HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
            try {
                c.send(chunked(content((int) MAX_BODY + 50_000), 16_384, 16_384, 16_384));
            } catch (IOException e) {
                // the server may stop reading once it has refused the body
            }
            RawResponse r = c.read();
            assertEquals(413, r.status(), r.statusLine());
        }
        assertFalse(Files.exists(marks.resolve("mark-ran")), "a refused body must not run the script");
        assertSpoolFilesBack(before, "the partial temporary copy is deleted");
    }

    @Test
    void chunkedBodyJustUnderTheLimitIsAccepted() throws Exception {
        byte[] body = content((int) MAX_BODY);
        try (RawClient c = new RawClient(small.port())) {
            c.send("POST /cgi-bin/sha.py HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
            c.send(chunked(body, 10_000, 10_000, 10_000));
            RawResponse r = c.read();
            assertEquals(200, r.status(), r.statusLine());
            assertEquals(expected(body, Long.toString(MAX_BODY)), r.text().strip());
        }
    }

    @Test
    void expect100ContinueSendsContinueThenTheBodyReachesTheScript() throws Exception {
        byte[] body = "firstname=Vamei&x=1".getBytes(StandardCharsets.US_ASCII);
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            c.send("POST /cgi-bin/sha.py HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: " + body.length + "\r\nExpect: 100-continue\r\n\r\n");
            RawResponse interim = c.read();
            assertEquals(100, interim.status(), "the client waits for 100 before sending the body: " + interim.statusLine());
            c.send(body);
            RawResponse r = c.read();
            assertEquals(200, r.status());
            assertEquals(expected(body, Integer.toString(body.length)), r.text().strip());
        }
    }

    @Test
    void expect100ContinueWithAChunkedBody() throws Exception {
        byte[] body = content(50_000);
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            c.send("POST /cgi-bin/sha.py HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n");
            assertEquals(100, c.read().status());
            c.send(chunked(body, 20_000, 20_000, 20_000));
            RawResponse r = c.read();
            assertEquals(expected(body, "50000"), r.text().strip());
        }
    }

    @Test
    void scriptThatIgnoresALargeBodyStillAnswers() throws Exception {
        // mark.sh never reads stdin: the server must not deadlock feeding it
        byte[] body = content(3 * 1024 * 1024);
        HttpResponse<byte[]> r = CgiTesting.post(server, "/cgi-bin/mark.sh", "application/octet-stream", body);
        assertEquals(200, r.statusCode());
        assertEquals("ran", CgiTesting.text(r).strip());
        // the body was read whole before the script ran, so the connection is still in step and kept
        assertEquals(java.util.Optional.empty(), r.headers().firstValue("Connection"));
    }

    /** The body as chunks of the given sizes, repeating the last, then the last-chunk. */
    static byte[] chunked(byte[] body, int... sizes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int off = 0;
        int i = 0;
        while (off < body.length) {
            int n = Math.min(sizes[Math.min(i++, sizes.length - 1)], body.length - off);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, off, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            off += n;
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    @Test
    void bodiesOfConcurrentRequestsDoNotMix() throws Exception {
        int n = 6;
        List<byte[]> bodies = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] b = content(200_000 + i * 1_001);
            b[0] = (byte) i;
            bodies.add(b);
        }
        var futures = new java.util.ArrayList<java.util.concurrent.CompletableFuture<HttpResponse<byte[]>>>();
        for (byte[] b : bodies) {
            futures.add(CgiTesting.CLIENT.sendAsync(java.net.http.HttpRequest.newBuilder(CgiTesting.uri(server, "/cgi-bin/sha.py"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(b)).build(), HttpResponse.BodyHandlers.ofByteArray()));
        }
        for (int i = 0; i < n; i++) {
            HttpResponse<byte[]> r = futures.get(i).get(15, TimeUnit.SECONDS);
            assertEquals(expected(bodies.get(i), Integer.toString(bodies.get(i).length)), CgiTesting.text(r).strip());
        }
    }

    @Test
    void aClientThatStopsMidBodyLosesItsConnectionAtTheIoTimeoutAndNeverHoldsAScriptSlot(@TempDir Path dir) throws Exception {
        // The body is read whole before a script slot is taken: a client that stops mid-body is dropped at
        // the I/O timeout (408) without its script ever running, and the only slot stays free meanwhile
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path ran = dir.resolve("ran");
        script(bin, "quick.sh", "#!/bin/sh\n: > '" + ran + "'\nprintf 'Content-Type: text/plain\\n\\nquick\\n'\n");
        Router router = Router.create();
        router.mount("/bin/", io.sockeye.cgi.CgiHandler.builder(bin).maxConcurrent(1)
                .queueTimeout(java.time.Duration.ofMillis(100)).timeout(java.time.Duration.ofSeconds(30)).build());
        try (HttpServer s = ServerFixture.start(ServerFixture.loopback().withIoTimeout(java.time.Duration.ofMillis(500)), router);
             RawClient c = new RawClient(s.port(), 8_000)) {
            c.send("POST /bin/quick.sh HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(100));
            long start = System.nanoTime();
            HttpResponse<byte[]> meanwhile = CgiTesting.get(s, "/bin/quick.sh");
            assertEquals(200, meanwhile.statusCode(), "the stalled body holds no slot");
            Files.delete(ran);
            RawResponse r = c.read();
            assertEquals(408, r.status(), r.statusLine());
            c.readUntilClosed(); // throws if the server still holds the connection after 8 s
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            org.junit.jupiter.api.Assertions.assertTrue(elapsed < 4_000, "closed after " + elapsed + " ms");
            assertFalse(Files.exists(ran), "the script of the stalled request never ran");
        }
    }
}
