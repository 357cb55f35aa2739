package io.sockeye.cgi;

import static io.sockeye.cgi.CgiTesting.script;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sockeye.HttpServer;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;

/** Spool files: where they go, that they are unlinked, and the caps on them (bytes, files) for bodies and output. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CgiSpoolTest {

    static final String SIZE_SCRIPT = "#!/bin/sh\nn=$(wc -c)\nprintf 'Content-Type: text/plain\\n\\n%s %s\\n' \"$CONTENT_LENGTH\" $n\n";

    /** Starts a POST whose body (of the declared length) is sent only in part: it holds its spool room. */
    static Socket partialPost(HttpServer server, int declared) throws IOException {
        return partialPost(server, declared, 2000);
    }

    /** Starts a POST that sends {@code sent} bytes of the {@code declared} and waits. */
    static Socket partialPost(HttpServer server, int declared, int sent) throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        s.getOutputStream().write(("POST /size.sh HTTP/1.1\r\nHost: a\r\nContent-Length: " + declared + "\r\n\r\n"
                + "x".repeat(sent)).getBytes(StandardCharsets.US_ASCII));
        return s;
    }

    static RawResponse post(HttpServer server, int length) throws IOException {
        try (RawClient c = new RawClient(server.port(), 10_000)) {
            c.send("POST /size.sh HTTP/1.1\r\nHost: a\r\nContent-Length: " + length + "\r\n\r\n");
            try {
                c.send("y".repeat(length));
            } catch (IOException refusedEarly) {
                // the server may answer and stop reading before the whole body is sent
            }
            return c.read();
        }
    }

    static long openSpoolFiles() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().contains(".spool");
                } catch (IOException gone) {
                    return false;
                }
            }).count();
        }
    }

    static void awaitSpoolBytes(CgiHandler handler, long atLeast) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (handler.spoolUsage()[1] < atLeast && System.nanoTime() < until) Thread.sleep(10);
        assertTrue(handler.spoolUsage()[1] >= atLeast, "spooled so far: " + handler.spoolUsage()[1]);
    }

    @Test
    void bodiesPastTheSpoolCapsAre503WithRetryAfterAndOneLargerThanTheCapIs413(@TempDir Path tmp) throws Exception {
        Path bin = tmp.resolve("bin");
        script(bin, "size.sh", SIZE_SCRIPT);
        Path spool = tmp.resolve("spool");
        CgiHandler handler = CgiHandler.builder(bin).spoolDirectory(spool).bufferLimits(1024, 1 << 20)
                .spoolLimits(250_000, 3).build();
        List<Socket> holding = new ArrayList<>();
        try (HttpServer server = CgiTesting.start(handler)) {
            assertEquals("200 500 500\n", status(post(server, 500)), "a small body stays in memory");
            assertEquals(413, post(server, 300_000).status(), "larger than all the spool room");

            // a body holds the room of what has arrived, not of what it declares: two clients declaring
            // 100,000 bytes and sending 2,000 leave room for a third's 100,000
            holding.add(partialPost(server, 100_000, 2000));
            holding.add(partialPost(server, 100_000, 2000));
            awaitSpoolBytes(handler, 4000);
            assertEquals("200 100000 100000\n", status(post(server, 100_000)), "room for what was declared and not sent");
            // what has arrived does count: 200,000 bytes held leave too little for another 100,000
            holding.add(partialPost(server, 220_000, 200_000));
            awaitSpoolBytes(handler, 200_000);
            RawResponse full = post(server, 100_000);
            assertEquals(503, full.status(), full.statusLine());
            assertNotNull(full.header("Retry-After"));
            assertEquals(503, post(server, 20_000).status(), "fits in bytes, but all three spool files are taken");

            // spool files are unlinked while in use: the private directory holds no name
            assertTrue(Files.isDirectory(spool));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(spool)));
            try (Stream<Path> names = Files.list(spool)) {
                assertEquals(List.of(), names.toList());
            }
            assertEquals(3, openSpoolFiles(), "the three bodies in progress, open and unlinked");

            for (Socket s : holding) s.close();
            holding.clear();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while ((openSpoolFiles() > 0 || handler.spoolUsage()[1] > 0) && System.nanoTime() < until) Thread.sleep(20);
            assertEquals(0, openSpoolFiles(), "clients that went away gave their spool files back");
            assertEquals("200 100000 100000\n", status(post(server, 100_000)), "the room is back");
        } finally {
            for (Socket s : holding) s.close();
        }
        assertEquals(0, handler.spoolUsage()[1]);
        assertEquals(0, handler.spoolUsage()[2]);
    }

    static String status(RawResponse r) {
        return r.status() + " " + r.text();
    }

    @Test
    void outputPastItsSpoolLimitWaitsForTheClientAndArrivesWhole(@TempDir Path tmp) throws Exception {
        Path bin = tmp.resolve("bin");
        Path done = tmp.resolve("done");
        // 3 MB of output, then a mark once it is all written
        script(bin, "big.sh", "#!/bin/sh\nprintf 'Content-Type: application/octet-stream\\n\\n'\nhead -c 3000000 /dev/zero\n: > '" + done + "'\n");
        CgiHandler handler = CgiHandler.builder(bin).spoolDirectory(tmp.resolve("spool")).outputSpoolLimit(256 * 1024).build();
        try (HttpServer server = CgiTesting.start(handler); Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
            s.getOutputStream().write("GET /big.sh HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(500);
            assertFalse(Files.exists(done), "3 MB cannot all wait in a 256 KiB spool (plus socket buffers): the script waits");
            assertTrue(handler.spoolUsage()[1] <= 256 * 1024, "on disk: " + handler.spoolUsage()[1]);
            InputStream in = s.getInputStream();
            long total = 0;
            byte[] b = new byte[65536];
            int n;
            while ((n = in.read(b)) > 0) total += n;
            assertTrue(total > 3_000_000, "the whole output, head included: " + total);
            assertTrue(Files.exists(done));
        }
    }

    @Test
    void aClientThatReadsNothingIsDroppedAtTheIoTimeoutAndItsSpoolGivenBack(@TempDir Path tmp) throws Exception {
        Path bin = tmp.resolve("bin");
        script(bin, "big.sh", "#!/bin/sh\nprintf 'Content-Type: application/octet-stream\\n\\n'\nhead -c 8000000 /dev/zero\n");
        CgiHandler handler = CgiHandler.builder(bin).spoolDirectory(tmp.resolve("spool")).build();
        try (HttpServer server = io.sockeye.testsupport.ServerFixture.start(io.sockeye.testsupport.ServerFixture.loopback()
                .withIoTimeout(java.time.Duration.ofMillis(500)), handler); Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
            s.getOutputStream().write("GET /big.sh HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            awaitSpoolBytes(handler, 1);
            // reads nothing; the server's write deadline (the I/O timeout) must drop it and free the spool
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
            while ((handler.spoolUsage()[1] > 0 || handler.spoolUsage()[2] > 0) && System.nanoTime() < until) Thread.sleep(20);
            assertEquals(0, handler.spoolUsage()[1], "spooled output of a dropped client");
            assertEquals(0, handler.spoolUsage()[2], "spool files of a dropped client");
        }
    }
}
