package io.sockeye.files;

import static io.sockeye.files.FilesTestSupport.get;
import static io.sockeye.files.FilesTestSupport.raw;
import static io.sockeye.files.FilesTestSupport.text;
import static io.sockeye.files.FilesTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.sockeye.HttpServer;
import io.sockeye.testsupport.RawResponse;

/** Symbolic links, hidden and unreadable files, FIFOs, shrinking files, excluded directories, error pages. */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class FileSafetyTest {

    @TempDir
    static Path tmp;
    static Path www;
    static HttpServer server;
    static HttpServer following;
    static HttpServer dotfiles;
    static boolean fifo;
    static final String OUTSIDE = "OUTSIDE-SECRET";
    static final String SCRIPT = "#!/bin/sh\necho script-source-must-not-be-sent\n";

    @BeforeAll
    static void start() throws Exception {
        www = Files.createDirectory(tmp.resolve("www"));
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        write(outside.resolve("secret.txt"), OUTSIDE);
        write(www.resolve("sub/page.txt"), "page");
        Files.createSymbolicLink(www.resolve("link-out.txt"), Path.of("../outside/secret.txt"));
        Files.createSymbolicLink(www.resolve("link-out-abs.txt"), outside.resolve("secret.txt").toAbsolutePath());
        Files.createSymbolicLink(www.resolve("link-out-dir"), Path.of("../outside"));
        Files.createSymbolicLink(www.resolve("sub/up-and-out.txt"), Path.of("../../outside/secret.txt"));
        Files.createSymbolicLink(www.resolve("link-in.txt"), Path.of("sub/page.txt"));
        Files.createSymbolicLink(www.resolve("link-in-abs.txt"), www.resolve("sub/page.txt").toAbsolutePath());
        Files.createSymbolicLink(www.resolve("link-in-dir"), Path.of("sub"));
        Files.createSymbolicLink(www.resolve("dangling.txt"), Path.of("nowhere.txt"));
        Files.createSymbolicLink(www.resolve("loop"), Path.of("loop"));
        Files.createSymbolicLink(www.resolve("loop-a"), Path.of("loop-b"));
        Files.createSymbolicLink(www.resolve("loop-b"), Path.of("loop-a"));
        write(www.resolve(".env"), "DB_PASSWORD=hunter2");
        write(www.resolve(".git/config"), "[core]\n\trepositoryformatversion = 0\n");
        write(www.resolve("sub/.hidden.txt"), "hidden");
        write(www.resolve("cgi-bin/script.sh"), SCRIPT);
        Files.createSymbolicLink(www.resolve("link-to-cgi"), Path.of("cgi-bin"));
        Files.createSymbolicLink(www.resolve("link-to-script.txt"), Path.of("cgi-bin/script.sh"));
        write(www.resolve("sibling.txt"), "x".repeat(3000));
        try {
            fifo = new ProcessBuilder("mkfifo", www.resolve("pipe.txt").toString(), www.resolve("sibling.txt.gz").toString())
                    .inheritIO().start().waitFor() == 0;
        } catch (Exception e) {
            fifo = false;
        }
        server = FilesTestSupport.start(FileHandler.builder(www).exclude(www.resolve("cgi-bin"))
                .exclude(www.resolve("later")).build());
        following = FilesTestSupport.start(FileHandler.builder(www).followSymlinks(true).exclude(www.resolve("cgi-bin")).build());
        dotfiles = FilesTestSupport.start(FileHandler.builder(www).dotfiles(true).build());
    }

    @AfterAll
    static void stop() {
        for (HttpServer s : new HttpServer[] {server, following, dotfiles}) if (s != null) s.close();
    }

    static void assertRefused(HttpResponse<byte[]> r, String what, String mustNotContain) {
        assertTrue(r.statusCode() == 403 || r.statusCode() == 404, what + " refused, not " + r.statusCode());
        assertFalse(text(r).contains(mustNotContain), what + " sent the content");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/link-out.txt", "/link-out-abs.txt", "/link-out-dir/secret.txt", "/sub/up-and-out.txt",
        "/link-out-dir/", "/link-out-dir"})
    void linksOutOfTheRootAreRefused(String path) throws Exception {
        assertRefused(get(server, path), path, OUTSIDE);
    }

    @Test
    void linksOutOfTheRootAreNotListed() throws Exception {
        String listing = text(get(server, "/"));
        assertTrue(listing.contains("link-in.txt"), listing);
        assertFalse(listing.contains("link-out"), "outward links are left out of the listing");
        assertFalse(listing.contains("dangling"), "dangling links are left out of the listing");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/link-out.txt", "/link-out-abs.txt", "/link-out-dir/secret.txt", "/sub/up-and-out.txt"})
    void followSymlinksServesThem(String path) throws Exception {
        HttpResponse<byte[]> r = get(following, path);
        assertEquals(200, r.statusCode(), path);
        assertEquals(OUTSIDE, text(r));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/link-in.txt", "/link-in-abs.txt", "/link-in-dir/page.txt"})
    void linksInsideTheRootAreServed(String path) throws Exception {
        HttpResponse<byte[]> r = get(server, path);
        assertEquals(200, r.statusCode(), path);
        assertEquals("page", text(r));
    }

    @Test
    void aDanglingLinkIsNotFound() throws Exception {
        assertEquals(404, get(server, "/dangling.txt").statusCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/loop", "/loop/", "/loop/x.txt", "/loop-a", "/loop-b/x"})
    void symlinkLoopsAreNotFound(String path) throws Exception {
        HttpResponse<byte[]> r = get(server, path);
        assertTrue(r.statusCode() == 403 || r.statusCode() == 404, path + ": " + r.statusCode());
        assertEquals(200, get(server, "/").statusCode(), "the listing survives the loops");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/.env", "/.git/config", "/.git/", "/sub/.hidden.txt", "/%2eenv", "/%2Egit/config", "/sub/%2ehidden.txt"})
    void hiddenFilesAreNotFoundUnlessAllowed(String path) throws Exception {
        HttpResponse<byte[]> r = get(server, path);
        assertEquals(404, r.statusCode(), path);
        assertFalse(text(r).contains("hunter2") || text(r).contains("repositoryformatversion") || text(r).contains("hidden"));
        if (!path.endsWith("/")) assertEquals(200, get(dotfiles, path).statusCode(), "dotfiles(true) serves " + path);
    }

    @Test
    void missingIsNotFound() throws Exception {
        assertEquals(404, get(server, "/no-such-file.txt").statusCode());
        assertEquals(404, get(server, "/no-such-dir/x.txt").statusCode());
        assertEquals(404, get(server, "/sub/page.txt/x").statusCode());
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 300 * 1024})
    void anUnreadableFileIsForbidden(int size) throws Exception {
        Path f = write(www.resolve("unreadable-" + size + ".txt"), "u".repeat(size));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(f), "running as root: every file is readable");
        HttpResponse<byte[]> r = get(server, "/" + f.getFileName());
        assertEquals(403, r.statusCode());
        assertFalse(text(r).contains("uuuu"));
    }

    @Test
    void errorPagesShowNoPathOrStackTrace() throws Exception {
        String[][] requests = {
            {"GET", "/no-such-file.txt"}, {"GET", "/link-out.txt"}, {"GET", "/.env"}, {"GET", "/../secret.txt"},
            {"GET", "/%zz"}, {"GET", "/%c0%ae"}, {"GET", "/a%00b"}, {"POST", "/sub/page.txt"}, {"GET", "/cgi-bin/script.sh"},
            {"GET", "/sub/page.txt/"}, {"GET", "/link-out-dir/"},
        };
        for (String[] req : requests) {
            RawResponse r = raw(server, req[0], req[1], req[0].equals("POST") ? "Content-Length: 0" : "X-No: body");
            String body = r.text();
            String what = req[0] + " " + req[1] + " -> " + r.statusLine();
            assertTrue(r.status() >= 400 && r.status() < 500, what);
            assertFalse(body.contains(tmp.toString()) || body.contains(www.toRealPath().toString()), "a machine path in " + what);
            assertFalse(body.contains("Exception") || body.contains("\tat ") || body.contains("io.sockeye."), "a stack trace in " + what);
        }
        RawResponse unsatisfiable = raw(server, "GET", "/sub/page.txt", "Range: bytes=100-");
        assertEquals(416, unsatisfiable.status());
        assertFalse(unsatisfiable.text().contains(tmp.toString()));
    }

    @Test
    void aFifoDoesNotHangTheServer() throws Exception {
        assumeTrue(fifo, "mkfifo is not available");
        long start = System.nanoTime();
        HttpResponse<byte[]> r = get(server, "/pipe.txt");
        assertTrue(r.statusCode() == 403 || r.statusCode() == 404, "a FIFO is not served: " + r.statusCode());
        // a FIFO named as a file's precompressed sibling is not opened either
        HttpResponse<byte[]> sibling = get(server, "/sibling.txt", "Accept-Encoding", "gzip");
        assertEquals(200, sibling.statusCode());
        byte[] body = "gzip".equals(sibling.headers().firstValue("Content-Encoding").orElse(null))
                ? FilesTestSupport.gunzip(sibling.body()) : sibling.body();
        assertEquals("x".repeat(3000), new String(body, StandardCharsets.US_ASCII));
        assertEquals(200, get(server, "/").statusCode(), "the listing skips or survives the FIFO");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3), "answered quickly");
    }

    @Test
    void aFileThatShrinksWhileBeingSentEndsTheConnection() throws Exception {
        long size = 64L << 20;
        Path f = www.resolve("shrinking.bin");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(size); // sparse: no disk used
        }
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(16 * 1024);
            s.connect(new InetSocketAddress("127.0.0.1", server.port()));
            s.setSoTimeout(8_000);
            OutputStream out = s.getOutputStream();
            out.write("GET /shrinking.bin HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            long received = 0;
            while (received < 256 * 1024) {
                int n = in.read(buf);
                assertTrue(n > 0, "the response started");
                received += n;
            }
            try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
                raf.setLength(1 << 20);
            }
            try {
                int n;
                while ((n = in.read(buf)) >= 0) received += n;
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the connection hangs after the file shrank (" + received + " bytes received)");
            } catch (java.io.IOException e) {
                // reset: closed too
            }
            assertTrue(received < size, "the connection ended short of the promised length: " + received);
        }
        assertEquals("page", text(get(server, "/sub/page.txt")), "the server still serves");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/cgi-bin/script.sh", "/link-to-cgi/script.sh", "/link-to-script.txt", "/cgi-bin/", "/link-to-cgi/"})
    void excludedDirectoriesAreRefusedEvenThroughLinks(String path) throws Exception {
        assertRefused(get(server, path), path, "script-source");
        assertRefused(get(following, path), "with followSymlinks: " + path, "script-source");
    }

    @Test
    void anExcludedDirectoryCreatedAfterTheHandlerIsRefusedToo() throws Exception {
        // Builder.exclude: "a directory (under the root or not); it need not exist yet"
        write(www.resolve("later/script.sh"), SCRIPT);
        Files.createSymbolicLink(www.resolve("link-to-later"), Path.of("later"));
        assertRefused(get(server, "/later/script.sh"), "/later/script.sh", "script-source");
        assertRefused(get(server, "/link-to-later/script.sh"), "/link-to-later/script.sh", "script-source");
    }
}
