package io.sockeye.files;

import static io.sockeye.files.FilesTestSupport.get;
import static io.sockeye.files.FilesTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.sockeye.HttpServer;
import io.sockeye.testsupport.RawClient;

/**
 * Folder downloads obey the jail as single requests do, with both ways of opening files: hidden names,
 * the excluded {@code cgi-bin} (by its name or by a link), links out of the root (to a file or a folder)
 * and link loops are left out; a FIFO does not hang the download; past a bound the download is aborted,
 * never ended as if complete; a client that goes away stops the walk and every file is closed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FolderDownloadSafetyTest {

    static final String SECRET = "TOP-SECRET-outside-the-root";
    static final String SCRIPT = "SCRIPT-SOURCE-never-sent";

    @TempDir
    Path tmp;
    Path www;
    HttpServer server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) server.close();
        if (www != null && Files.exists(www.resolve("docs/pipe.txt"))) {
            FileChannel.open(www.resolve("docs/pipe.txt"), StandardOpenOption.READ, StandardOpenOption.WRITE).close();
        }
    }

    void start(FilesTestSupport.Access access, UnaryOperator<FileHandler.Builder> options) throws Exception {
        www = Files.createDirectory(tmp.resolve("www"));
        server = FilesTestSupport.start(options.apply(access.builder(www).archives(true).exclude(www.resolve("docs/cgi-bin"))).build());
    }

    /** The hostile tree, and what an archive of it must hold exactly. */
    Map<String, String> hostileTree() throws Exception {
        Path docs = www.resolve("docs");
        write(docs.resolve("readme.txt"), "read me");
        write(docs.resolve(".env"), SECRET);
        write(docs.resolve(".git/config"), SECRET);
        write(docs.resolve("cgi-bin/script.sh"), "#!/bin/sh\n# " + SCRIPT + "\n");
        Files.createSymbolicLink(docs.resolve("scripts"), Path.of("cgi-bin"));
        write(tmp.resolve("outside/secret.txt"), SECRET);
        Files.createSymbolicLink(docs.resolve("secret.txt"), tmp.resolve("outside/secret.txt"));
        Files.createSymbolicLink(docs.resolve("outside"), tmp.resolve("outside"));
        Files.createSymbolicLink(docs.resolve("relative-out"), Path.of("../../outside"));
        Files.createSymbolicLink(docs.resolve("loop"), Path.of("."));
        write(docs.resolve("sub/x.txt"), "x");
        Files.createSymbolicLink(docs.resolve("sub/up"), Path.of(".."));
        Files.createLink(docs.resolve("hardlink.sh"), docs.resolve("cgi-bin/script.sh")); // the script by another name
        Process p = new ProcessBuilder("mkfifo", docs.resolve("pipe.txt").toString()).inheritIO().start();
        assumeTrue(p.waitFor() == 0, "mkfifo is not available");
        Map<String, String> expected = new TreeMap<>();
        expected.put("docs/", ArchiveReading.DIRECTORY);
        expected.put("docs/readme.txt", "read me");
        expected.put("docs/sub/", ArchiveReading.DIRECTORY);
        expected.put("docs/sub/x.txt", "x");
        return expected;
    }

    @ParameterizedTest
    @EnumSource(FilesTestSupport.Access.class)
    void aZipHoldsOnlyWhatMayBeServed(FilesTestSupport.Access access) throws Exception {
        start(access, b -> b);
        Map<String, String> expected = hostileTree();
        HttpResponse<byte[]> r = get(server, "/docs/?download=zip");
        assertEquals(200, r.statusCode());
        TreeMap<String, String> got = ArchiveReading.unzip(r.body());
        assertEquals(expected, got);
        assertNothingSecret(r.body());
    }

    @ParameterizedTest
    @EnumSource(FilesTestSupport.Access.class)
    void aTarGzHoldsOnlyWhatMayBeServed(FilesTestSupport.Access access) throws Exception {
        start(access, b -> b);
        Map<String, String> expected = hostileTree();
        HttpResponse<byte[]> r = get(server, "/docs/?download=tar.gz");
        assertEquals(200, r.statusCode());
        assertEquals(expected, ArchiveReading.untar(r.body(), tmp));
        assertNothingSecret(FilesTestSupport.gunzip(r.body()));
    }

    @Test
    void hiddenFilesComeWhenTheyAreServed() throws Exception {
        start(FilesTestSupport.Access.JDK, b -> b.dotfiles(true));
        Map<String, String> expected = hostileTree();
        expected.put("docs/.env", SECRET);
        expected.put("docs/.git/", ArchiveReading.DIRECTORY);
        expected.put("docs/.git/config", SECRET);
        assertEquals(expected, ArchiveReading.unzip(get(server, "/docs/?download=zip").body()));
    }

    @Test
    void linksOutComeOnlyWhenTheyAreFollowed() throws Exception {
        start(FilesTestSupport.Access.JDK, b -> b.followSymlinks(true));
        Map<String, String> expected = hostileTree();
        expected.put("docs/secret.txt", SECRET);
        expected.put("docs/outside/", ArchiveReading.DIRECTORY);
        expected.put("docs/outside/secret.txt", SECRET);
        expected.put("docs/relative-out/", ArchiveReading.DIRECTORY);
        expected.put("docs/relative-out/secret.txt", SECRET);
        assertEquals(expected, ArchiveReading.unzip(get(server, "/docs/?download=zip").body()));
    }

    static void assertNothingSecret(byte[] archive) {
        String s = new String(archive, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertFalse(s.contains(SECRET) || s.contains(SCRIPT) || s.contains("cgi-bin") || s.contains("pipe.txt"), "nothing secret");
    }

    @Test
    void pastTheEntryBoundBeforeAnythingIsSentA403() throws Exception {
        start(FilesTestSupport.Access.JDK, b -> b.archiveLimits(5, 1 << 30));
        for (int i = 0; i < 10; i++) write(www.resolve("docs/f" + i + ".txt"), "f" + i);
        HttpResponse<byte[]> r = get(server, "/docs/?download=zip");
        assertEquals(403, r.statusCode());
        assertTrue(FilesTestSupport.text(r).contains("too large"), FilesTestSupport.text(r));
        assertEquals(200, get(server, "/docs/f1.txt").statusCode(), "the server goes on");
    }

    @ParameterizedTest
    @EnumSource(FilesTestSupport.Access.class)
    void pastTheByteBoundMidwayTheDownloadIsAbortedNotEnded(FilesTestSupport.Access access) throws Exception {
        start(access, b -> b.archiveLimits(1000, 3_000_000));
        for (int i = 0; i < 10; i++) write(www.resolve("docs/f" + i + ".bin"), FilesTestSupport.bytes(500_000 + i));
        for (String format : new String[] {"zip", "tar.gz"}) {
            IOException e = assertThrows(IOException.class, () -> get(server, "/docs/?download=" + format),
                    "a cut-short " + format + " must not arrive as a complete response");
            assertTrue(e.getMessage() == null || !e.getMessage().isEmpty());
        }
        assertEquals(200, get(server, "/docs/f1.bin").statusCode(), "the server goes on");
    }

    @Test
    void aClientThatGoesAwayStopsTheWalkAndEveryFileIsClosed() throws Exception {
        Path fds = Path.of("/proc/self/fd");
        assumeTrue(Files.isDirectory(fds), "no /proc/self/fd here");
        start(FilesTestSupport.Access.JDK, b -> b);
        for (int i = 0; i < 40; i++) write(www.resolve("big/f" + i + ".bin"), FilesTestSupport.bytes(1_000_000 + i));
        get(server, "/big/f0.bin"); // the server's own descriptors settle first
        long before = count(fds);
        int atOnce = Math.max(2, Runtime.getRuntime().availableProcessors());
        for (int i = 0; i < atOnce + 2; i++) {
            try (RawClient c = new RawClient(server.port(), 5_000)) {
                c.send("GET /big/?download=" + (i % 2 == 0 ? "zip" : "tar.gz") + " HTTP/1.1\r\nHost: x\r\n\r\n");
                InputStream in = c.socket().getInputStream();
                assertTrue(in.readNBytes(100_000).length == 100_000, "the archive began");
            } // gone, a few MB before the end
        }
        assertTrue(FilesTestSupport.await(Duration.ofSeconds(10), () -> count(fds) <= before + 2),
                "files and sockets closed: " + before + " before, " + count(fds) + " now");
        // and the places of the abandoned downloads are free again: a whole one still comes
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/big/?download=zip")).build();
        HttpResponse<byte[]> r = FilesTestSupport.CLIENT.send(req, HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals(41, ArchiveReading.unzip(r.body()).size());
    }

    static long count(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }
}
