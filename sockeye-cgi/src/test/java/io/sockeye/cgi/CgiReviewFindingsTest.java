package io.sockeye.cgi;

import static io.sockeye.cgi.CgiTesting.content;
import static io.sockeye.cgi.CgiTesting.script;
import static io.sockeye.cgi.CgiTesting.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sockeye.HttpServer;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;

/**
 * What a hostile review of the spooling found: a chunked body spooled a byte per system call (a few
 * 10 MB uploads pinned the CPU); a body reserved the spool room it declared before a byte came (a hundred
 * trickling clients took the whole spool); a script that closed its output and ran on held its client's
 * connection until it ended.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CgiReviewFindingsTest {

    @TempDir
    Path site;

    private static final String SHA = "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\nsha256sum | cut -d' ' -f1\n";

    @Test
    void aLargeChunkedBodyIsSpooledInLargePieces() throws Exception {
        Path scripts = site.resolve("cgi-bin");
        script(scripts, "sha.sh", SHA);
        byte[] body = content(8 << 20);
        try (HttpServer server = CgiTesting.start(CgiHandler.of(scripts))) {
            // a publisher of unknown length: the JDK client sends it chunked
            HttpRequest request = HttpRequest.newBuilder(CgiTesting.uri(server, "/sha.sh")).timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofByteArray(body))).build();
            long t0 = System.nanoTime();
            HttpResponse<String> r = CgiTesting.CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(sha256(body), r.body().strip(), "the script got the body whole");
            // one byte per write took about 20 s for this; in pieces it is well under a second here
            assertTrue(ms < 5000, "an 8 MiB chunked body took " + ms + " ms");
        }
    }

    @Test
    void aDeclaredBodyHoldsOnlyTheSpoolRoomOfWhatHasArrived() throws Exception {
        Path scripts = site.resolve("cgi-bin");
        script(scripts, "sha.sh", SHA);
        // room for 2 MiB on disk in all: with the declared length reserved up front, one client declaring
        // 2 MiB and sending nothing took all of it, and everyone else's upload got 503
        CgiHandler cgi = CgiHandler.builder(scripts).spoolLimits(2 << 20, 8).build();
        try (HttpServer server = CgiTesting.start(cgi);
             RawClient squatter = new RawClient(server.port(), 10_000)) {
            squatter.send("POST /sha.sh HTTP/1.1\r\nHost: a\r\nContent-Length: 2000000\r\n\r\n" + "x".repeat(1000));
            Thread.sleep(300);
            byte[] body = content(1 << 20);
            HttpResponse<byte[]> r = CgiTesting.post(server, "/sha.sh", "application/octet-stream", body);
            assertEquals(200, r.statusCode(), "another client's 1 MiB upload, while one declared 2 MB");
            assertEquals(sha256(body), new String(r.body()).strip());
        }
    }

    @Test
    void aScriptThatClosesItsOutputAndRunsOnDoesNotHoldTheConnection() throws Exception {
        Path scripts = site.resolve("cgi-bin");
        script(scripts, "closeout.sh", "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\ndone\\n'\nexec >&-\nsleep 10\n");
        script(scripts, "hello.sh", "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nhello\\n'\n");
        try (HttpServer server = CgiTesting.start(CgiHandler.builder(scripts).timeout(Duration.ofSeconds(20)).build());
             RawClient c = new RawClient(server.port(), 15_000)) {
            long t0 = System.nanoTime();
            RawResponse first = c.send("GET /closeout.sh HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals("done\n", first.text());
            RawResponse second = c.send("GET /hello.sh HTTP/1.1\r\nHost: a\r\n\r\n").read();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals("hello\n", second.text());
            assertTrue(ms < 3000, "the next request on the connection waited " + ms + " ms for a script that closed its output");
        }
    }
}
