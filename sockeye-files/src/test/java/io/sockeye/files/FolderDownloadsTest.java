package io.sockeye.files;

import static io.sockeye.files.ArchiveReading.DIRECTORY;
import static io.sockeye.files.FilesTestSupport.get;
import static io.sockeye.files.FilesTestSupport.header;
import static io.sockeye.files.FilesTestSupport.send;
import static io.sockeye.files.FilesTestSupport.text;
import static io.sockeye.files.FilesTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sockeye.HttpServer;
import io.sockeye.Router;

/**
 * Folder downloads over real sockets: {@code ?download=zip} and {@code ?download=tar.gz} of a listed
 * folder, read back with {@code java.util.zip} and the system's {@code tar}, hold the folder's files
 * (names in UTF-8, long names, empty folders, links inside the root) with their exact bytes; the listing
 * links to them; they exist only where a listing is shown and archives are on.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FolderDownloadsTest {

    static final String UNICODE = "ünïcode-ファイル.txt";
    static final String LONG_DIR = "a-folder-name-long-enough-that-three-of-them-pass-ustar's-limits";
    static final String LONG_FILE = "and-a-file-name-that-is-long-as-well-so-that-pax-must-carry-the-path.txt";

    @TempDir
    Path tmp;
    Path www;
    HttpServer server;
    Map<String, String> expected;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    void start(UnaryOperator<FileHandler.Builder> options) throws Exception {
        www = Files.createDirectory(tmp.resolve("www"));
        Path docs = www.resolve("docs");
        byte[] binary = FilesTestSupport.bytes(300_000);
        String text = new String(FilesTestSupport.textBytes(200_000), StandardCharsets.ISO_8859_1);
        write(docs.resolve("readme.txt"), "read me\n");
        write(docs.resolve("page.html"), text.getBytes(StandardCharsets.ISO_8859_1));
        write(docs.resolve("image.bin"), binary);
        write(docs.resolve("sub/deep/x.txt"), "x");
        write(docs.resolve(UNICODE), "unicode name");
        String longPath = LONG_DIR + "/" + LONG_DIR + "/" + LONG_DIR + "/" + LONG_FILE;
        write(docs.resolve(longPath), "long path");
        Files.createDirectories(docs.resolve("empty"));
        Files.createSymbolicLink(docs.resolve("alias"), Path.of("sub")); // a link inside the root: followed
        write(www.resolve("top.txt"), "top");
        expected = new TreeMap<>();
        expected.put("docs/", DIRECTORY);
        expected.put("docs/readme.txt", "read me\n");
        expected.put("docs/page.html", text);
        expected.put("docs/image.bin", new String(binary, StandardCharsets.ISO_8859_1));
        expected.put("docs/sub/", DIRECTORY);
        expected.put("docs/sub/deep/", DIRECTORY);
        expected.put("docs/sub/deep/x.txt", "x");
        expected.put("docs/alias/", DIRECTORY);
        expected.put("docs/alias/deep/", DIRECTORY);
        expected.put("docs/alias/deep/x.txt", "x");
        expected.put("docs/" + UNICODE, "unicode name");
        expected.put("docs/empty/", DIRECTORY);
        expected.put("docs/" + LONG_DIR + "/", DIRECTORY);
        expected.put("docs/" + LONG_DIR + "/" + LONG_DIR + "/", DIRECTORY);
        expected.put("docs/" + LONG_DIR + "/" + LONG_DIR + "/" + LONG_DIR + "/", DIRECTORY);
        expected.put("docs/" + longPath, "long path");
        server = FilesTestSupport.start(options.apply(FileHandler.builder(www)).build());
    }

    @Test
    void aZipHoldsTheFolder() throws Exception {
        start(b -> b.archives(true));
        HttpResponse<byte[]> r = get(server, "/docs/?download=zip");
        assertEquals(200, r.statusCode());
        assertEquals("application/zip", header(r, "Content-Type"));
        assertEquals("attachment; filename=\"docs.zip\"; filename*=UTF-8''docs.zip", header(r, "Content-Disposition"));
        assertNull(header(r, "Content-Length"), "streamed, so chunked");
        assertEquals(expected, ArchiveReading.unzip(r.body()));
    }

    @Test
    void aTarGzHoldsTheFolder() throws Exception {
        start(b -> b.archives(true));
        HttpResponse<byte[]> r = get(server, "/docs/?download=tar.gz");
        assertEquals(200, r.statusCode());
        assertEquals("application/gzip", header(r, "Content-Type"));
        assertEquals("attachment; filename=\"docs.tar.gz\"; filename*=UTF-8''docs.tar.gz", header(r, "Content-Disposition"));
        assertEquals(expected, ArchiveReading.untar(r.body(), tmp));
        String names = ArchiveReading.list(r.body(), tmp);
        assertTrue(names.contains("docs/" + UNICODE), names);
        assertFalse(names.contains("PaxHeaders"), "pax headers are read as such, not as files: " + names);
    }

    @Test
    void theRootAndMountedFoldersAreNamedSensibly() throws Exception {
        start(b -> b.archives(true));
        HttpResponse<byte[]> r = get(server, "/?download=zip");
        assertEquals("attachment; filename=\"files.zip\"; filename*=UTF-8''files.zip", header(r, "Content-Disposition"));
        TreeMap<String, String> all = ArchiveReading.unzip(r.body());
        assertEquals("top", all.get("files/top.txt"));
        assertEquals("x", all.get("files/docs/sub/deep/x.txt"));
        server.close();
        server = FilesTestSupport.start(Router.create().mount("/static/", FileHandler.builder(www).archives(true).build()));
        r = get(server, "/static/?download=zip");
        assertEquals("attachment; filename=\"static.zip\"; filename*=UTF-8''static.zip", header(r, "Content-Disposition"));
        r = get(server, "/static/docs/sub/?download=tar.gz");
        assertEquals(Map.of("sub/", DIRECTORY, "sub/deep/", DIRECTORY, "sub/deep/x.txt", "x"), ArchiveReading.untar(r.body(), tmp));
    }

    @Test
    void theTopFolderIsNamedFromTheCheckedPath() {
        assertEquals("sub", FolderDownloads.topName("docs/sub", "/docs/sub/deep/../"));
        assertEquals("sub", FolderDownloads.topName("docs/sub", "/docs/./sub/./"));
        assertEquals("static", FolderDownloads.topName("", "/static/"));
        assertEquals("files", FolderDownloads.topName("", "/"));
        assertEquals("files", FolderDownloads.topName("", "/a/../"));
    }

    @Test
    void aFolderWithANonAsciiNameGetsBothFileNames() throws Exception {
        start(b -> b.archives(true));
        write(www.resolve("café/menu.txt"), "menu");
        HttpResponse<byte[]> r = get(server, "/caf%C3%A9/?download=zip");
        assertEquals("attachment; filename=\"caf_.zip\"; filename*=UTF-8''caf%C3%A9.zip", header(r, "Content-Disposition"));
        assertEquals("menu", ArchiveReading.unzip(r.body()).get("café/menu.txt"));
    }

    @Test
    void theListingLinksToBoth() throws Exception {
        start(b -> b.archives(true));
        String page = text(get(server, "/docs/"));
        assertTrue(page.contains("<a href=\"?download=zip\" download>.zip</a>"), page);
        assertTrue(page.contains("<a href=\"?download=tar.gz\" download>.tar.gz</a>"), page);
        Object json = FilesTestSupport.json(text(get(server, "/docs/", "Accept", "application/json")));
        assertEquals(Map.of("zip", "?download=zip", "tar.gz", "?download=tar.gz"), ((Map<?, ?>) json).get("downloads"));
    }

    @Test
    void offByDefaultInTheLibrary() throws Exception {
        start(b -> b);
        HttpResponse<byte[]> r = get(server, "/docs/?download=zip");
        assertEquals(200, r.statusCode());
        assertTrue(header(r, "Content-Type").startsWith("text/html"), "the listing, not an archive");
        assertFalse(text(r).contains("download="), "no links");
        Object json = FilesTestSupport.json(text(get(server, "/docs/", "Accept", "application/json")));
        assertFalse(((Map<?, ?>) json).containsKey("downloads"));
    }

    @Test
    void noListingNoDownload() throws Exception {
        start(b -> b.archives(true).listing(false));
        assertEquals(403, get(server, "/docs/?download=zip").statusCode());
        assertEquals(403, get(server, "/docs/?download=tar.gz").statusCode());
    }

    @Test
    void aFolderWithAnIndexPageIsNotListedNorDownloaded() throws Exception {
        start(b -> b.archives(true));
        write(www.resolve("docs/index.html"), "the docs home");
        HttpResponse<byte[]> r = get(server, "/docs/?download=zip");
        assertEquals("the docs home", text(r));
    }

    @Test
    void badRequestsAndHead() throws Exception {
        start(b -> b.archives(true));
        HttpResponse<byte[]> bad = get(server, "/docs/?download=rar");
        assertEquals(400, bad.statusCode());
        assertTrue(text(bad).contains("download=zip"), text(bad));
        assertEquals(404, get(server, "/nothing/?download=zip").statusCode());
        HttpResponse<byte[]> file = get(server, "/docs/readme.txt?download=zip");
        assertEquals("read me\n", text(file), "a file is a file, whatever the query");
        HttpResponse<byte[]> redirect = get(server, "/docs?download=zip");
        assertEquals(301, redirect.statusCode());
        assertEquals("/docs/?download=zip", header(redirect, "Location"));
        HttpResponse<byte[]> head = send(server, "HEAD", "/docs/?download=tar.gz");
        assertEquals(200, head.statusCode());
        assertEquals("application/gzip", header(head, "Content-Type"));
        assertEquals(0, head.body().length);
    }

    @Test
    void manyEntriesStayRight() throws Exception {
        // many entries: the zip's central directory and the tar's blocks stay right past the buffer sizes
        start(b -> b.archives(true));
        Map<String, String> many = new TreeMap<>();
        many.put("many/", DIRECTORY);
        for (int i = 0; i < 2000; i++) {
            String name = String.format("file-%04d.txt", i);
            write(www.resolve("many/" + name), "content " + i);
            many.put("many/" + name, "content " + i);
        }
        assertEquals(many, ArchiveReading.unzip(get(server, "/many/?download=zip").body()));
        assertEquals(many, ArchiveReading.untar(get(server, "/many/?download=tar.gz").body(), tmp));
    }
}
