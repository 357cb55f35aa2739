package io.sockeye.files;

import static io.sockeye.files.FilesTestSupport.CLIENT;
import static io.sockeye.files.FilesTestSupport.await;
import static io.sockeye.files.FilesTestSupport.bytes;
import static io.sockeye.files.FilesTestSupport.header;
import static io.sockeye.files.FilesTestSupport.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.sockeye.HttpServer;
import io.sockeye.ServerConfig;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;
import io.sockeye.testsupport.ServerFixture;

/** {@link UploadHandler} behind a {@link FileHandler}, over real sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UploadHandlerTest {

    @TempDir
    Path root;
    @TempDir
    Path outside;
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private HttpServer serve(UploadHandler.Builder uploads) throws IOException {
        return serve(uploads, ServerFixture.loopback());
    }

    private HttpServer serve(UploadHandler.Builder uploads, ServerConfig config) throws IOException {
        server = ServerFixture.start(config, FileHandler.builder(root).uploads(uploads.build()).build());
        return server;
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private HttpResponse<byte[]> put(String path, byte[] content) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<byte[]> send(String method, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(5))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** A multipart body: pairs of file name and content, all under the field "file". */
    static byte[] multipart(String boundary, Object... namesAndContents) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < namesAndContents.length; i += 2) {
            out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + namesAndContents[i]
                    + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.writeBytes((byte[]) namesAndContents[i + 1]);
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private HttpResponse<byte[]> post(String path, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "multipart/form-data; boundary=XyZ")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** @return the names in a directory, hidden ones included */
    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static boolean noTemporaryFiles(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.noneMatch(p -> p.getFileName().toString().startsWith(UploadNames.TEMPORARY_PREFIX));
        } catch (IOException e) {
            return false;
        }
    }

    // ---- PUT ----

    @Test
    void putStoresANewFileAnswers201WithLocationAndItIsServed() throws Exception {
        serve(UploadHandler.builder(root));
        Files.createDirectory(root.resolve("docs"));
        byte[] content = bytes(200_000);
        HttpResponse<byte[]> r = put("/docs/report%20v1.bin", content);
        assertEquals(201, r.statusCode(), text(r));
        assertEquals("/docs/report%20v1.bin", header(r, "Location"));
        assertArrayEquals(content, Files.readAllBytes(root.resolve("docs/report v1.bin")));
        HttpResponse<byte[]> got = CLIENT.send(HttpRequest.newBuilder(uri("/docs/report%20v1.bin")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertArrayEquals(content, got.body());
        assertEquals(List.of("report v1.bin"), names(root.resolve("docs")), "no temporary file is left");
    }

    @Test
    void anExistingFileIsKeptWith409UnlessOverwriteReplacesIt() throws Exception {
        Files.writeString(root.resolve("a.txt"), "old");
        serve(UploadHandler.builder(root).hints("", "start with --overwrite", "", ""));
        HttpResponse<byte[]> r = put("/a.txt", "new".getBytes(StandardCharsets.UTF_8));
        assertEquals(409, r.statusCode());
        assertTrue(text(r).contains("start with --overwrite"), text(r));
        assertEquals("old", Files.readString(root.resolve("a.txt")));
        server.close();

        Path link = root.resolve("hard.txt");
        Files.createLink(link, root.resolve("a.txt"));
        serve(UploadHandler.builder(root).overwrite(true));
        r = put("/a.txt", "new".getBytes(StandardCharsets.UTF_8));
        assertEquals(204, r.statusCode());
        assertEquals("new", Files.readString(root.resolve("a.txt")));
        assertEquals("old", Files.readString(link), "replaced by a rename, not written into: a hard link keeps the old file");
        assertEquals(400, put("/", new byte[1]).statusCode(), "PUT on a directory path is a 400");
        Files.createDirectory(root.resolve("d"));
        assertEquals(409, put("/d", new byte[1]).statusCode(), "a directory is never replaced");
        assertTrue(Files.isDirectory(root.resolve("d")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/../x", "/a/../../x", "/.htaccess", "/sub/.env", "/a%2Fb", "/a%5Cb", "/a\\b", "/x%01y",
        "/x%7Fy", "/x%C2%85y", "/%2E%2E/x", "/sub/..", "/"})
    void hostileNamesAre400AndNothingIsWritten(String target) throws Exception {
        Files.createDirectory(root.resolve("sub"));
        serve(UploadHandler.builder(root).mkdir(true).overwrite(true));
        RawResponse r = rawPut(target, "hello");
        assertEquals(400, r.status(), target + ": " + r.text());
        assertEquals(List.of("sub"), names(root));
        assertEquals(List.of(), names(root.resolve("sub")));
        assertFalse(Files.exists(root.getParent().resolve("x")));
    }

    private RawResponse rawPut(String target, String body) throws IOException {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            c.send("PUT " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + body.length()
                    + "\r\nConnection: close\r\n\r\n" + body);
            return c.read(false);
        }
    }

    @Test
    void aNulInTheNameIs400() throws Exception {
        serve(UploadHandler.builder(root));
        assertEquals(400, rawPut("/x%00y", "hello").status());
        assertEquals(List.of(), names(root));
    }

    @Test
    void overlongNamesAre400() throws Exception {
        serve(UploadHandler.builder(root));
        assertEquals(400, rawPut("/" + "n".repeat(256), "hello").status());
        assertEquals(201, rawPut("/" + "n".repeat(255), "hello").status());
    }

    @Test
    void aMissingDirectoryIs404UnlessMkdirMakesIt() throws Exception {
        serve(UploadHandler.builder(root).hints("", "", "start with --mkdir", ""));
        HttpResponse<byte[]> r = put("/new/deeper/f.txt", new byte[3]);
        assertEquals(404, r.statusCode());
        assertTrue(text(r).contains("start with --mkdir"), text(r));
        assertEquals(List.of(), names(root));
        server.close();
        serve(UploadHandler.builder(root).mkdir(true));
        assertEquals(201, put("/new/deeper/f.txt", new byte[3]).statusCode());
        assertTrue(Files.isRegularFile(root.resolve("new/deeper/f.txt")));
        Files.writeString(root.resolve("file"), "x");
        assertEquals(409, put("/file/f.txt", new byte[3]).statusCode(), "a file on the way is no directory");
    }

    // ---- links, hidden and excluded directories ----

    @Test
    void linksAreNotWrittenThroughWhereverTheyLead() throws Exception {
        Files.createSymbolicLink(root.resolve("out"), outside);
        Files.createDirectory(root.resolve("in"));
        Files.createSymbolicLink(root.resolve("alias"), root.resolve("in"));
        Files.createSymbolicLink(root.resolve("escape.txt"), outside.resolve("escape.txt"));
        serve(UploadHandler.builder(root).mkdir(true));
        assertEquals(403, put("/out/x.txt", new byte[3]).statusCode());
        assertEquals(403, put("/out/new/x.txt", new byte[3]).statusCode());
        assertEquals(403, put("/alias/x.txt", new byte[3]).statusCode());
        assertEquals(409, put("/escape.txt", new byte[3]).statusCode(), "a dangling link is a name taken");
        assertEquals(List.of(), names(outside));
        assertEquals(List.of(), names(root.resolve("in")));
    }

    @Test
    void excludedDirectoriesAreNeverWrittenIntoNorDeleted() throws Exception {
        Path scripts = Files.createDirectory(root.resolve("cgi-bin"));
        Files.writeString(scripts.resolve("run.py"), "print()");
        Files.createDirectory(scripts.resolve("lib"));
        serve(UploadHandler.builder(root).exclude(scripts).overwrite(true).mkdir(true).delete(true));
        assertEquals(403, put("/cgi-bin/evil.py", new byte[3]).statusCode());
        assertEquals(403, put("/cgi-bin/run.py", new byte[3]).statusCode());
        assertEquals(403, put("/cgi-bin/lib/evil.py", new byte[3]).statusCode());
        assertEquals(403, send("DELETE", "/cgi-bin/run.py").statusCode());
        Files.delete(scripts.resolve("run.py"));
        Files.delete(scripts.resolve("lib"));
        assertEquals(403, send("DELETE", "/cgi-bin").statusCode(), "not even when empty");
        assertEquals(List.of(), names(scripts));
        server.close();

        Files.delete(scripts);
        serve(UploadHandler.builder(root).exclude(scripts).mkdir(true));
        assertEquals(403, put("/cgi-bin/evil.py", new byte[3]).statusCode(), "not made by mkdir and written into either");
        assertFalse(Files.exists(scripts.resolve("evil.py")));
    }

    @Test
    void hiddenDirectoriesOnlyWithDotfiles() throws Exception {
        Files.createDirectory(root.resolve(".config"));
        serve(UploadHandler.builder(root));
        assertEquals(403, put("/.config/x.txt", new byte[3]).statusCode());
        server.close();
        serve(UploadHandler.builder(root).dotfiles(true));
        assertEquals(201, put("/.config/x.txt", new byte[3]).statusCode());
        assertEquals(400, put("/.config/.x", new byte[3]).statusCode(), "hidden file names never");
    }

    // ---- limits, failures ----

    @Test
    void pastTheFileCapIs413AndNoFileIsLeft() throws Exception {
        serve(UploadHandler.builder(root).maxFileBytes(100_000));
        assertEquals(413, put("/big.bin", bytes(100_001)).statusCode(), "declared too large");
        // chunked: the cap is found while the body streams in
        HttpResponse<byte[]> r = CLIENT.send(HttpRequest.newBuilder(uri("/big.bin")).timeout(Duration.ofSeconds(10))
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(bytes(300_000)))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(413, r.statusCode());
        assertEquals(List.of(), names(root));
        assertEquals(201, put("/ok.bin", bytes(100_000)).statusCode());
    }

    @Test
    void pastTheServersBodyLimitIs413AndNoFileIsLeft() throws Exception {
        serve(UploadHandler.builder(root), ServerFixture.loopback().toBuilder().maxBodyBytes(200_000).build());
        HttpResponse<byte[]> r = CLIENT.send(HttpRequest.newBuilder(uri("/big.bin")).timeout(Duration.ofSeconds(10))
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(bytes(1_000_000)))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(413, r.statusCode());
        assertTrue(await(Duration.ofSeconds(5), () -> noTemporaryFiles(root)));
        assertEquals(List.of(), names(root));
    }

    @Test
    void aClientThatGoesAwayMidUploadLeavesNoFile() throws Exception {
        serve(UploadHandler.builder(root));
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            c.send("PUT /half.bin HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000000\r\n\r\n");
            c.send(bytes(1_000_000));
            assertTrue(await(Duration.ofSeconds(5), () -> !noTemporaryFiles(root)), "the upload has begun");
        }
        assertTrue(await(Duration.ofSeconds(5), () -> noTemporaryFiles(root)), "the temporary file is deleted");
        assertEquals(List.of(), names(root));
        ServerFixture.assertStillServing(server, "/");
    }

    @Test
    void aClientThatStallsPastTheIoTimeoutLeavesNoFile() throws Exception {
        serve(UploadHandler.builder(root), ServerFixture.loopback().toBuilder().ioTimeout(Duration.ofMillis(500)).build());
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            c.send("PUT /stalled.bin HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000000\r\n\r\n");
            c.send(bytes(100_000));
            assertTrue(await(Duration.ofSeconds(5), () -> !noTemporaryFiles(root)), "the upload has begun");
            assertTrue(await(Duration.ofSeconds(5), () -> noTemporaryFiles(root)), "deleted after the timeout");
        }
        assertEquals(List.of(), names(root));
    }

    @Test
    void aBodyLargerThanAnyBufferArrivesByteExact() throws Exception {
        int size = 48 << 20;
        serve(UploadHandler.builder(root), ServerFixture.loopback().toBuilder().maxBodyBytes(size).build());
        HttpResponse<byte[]> r = CLIENT.send(HttpRequest.newBuilder(uri("/large.bin")).timeout(Duration.ofSeconds(50))
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new Pattern(size))).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(201, r.statusCode(), text(r));
        assertEquals(size, Files.size(root.resolve("large.bin")));
        try (var in = Files.newInputStream(root.resolve("large.bin"))) {
            assertTrue(Pattern.same(in, size), "byte-exact");
        }
    }

    /** A deterministic stream of any length, without holding it: byte i is (i * 31 + i / 7919) mod 256. */
    static final class Pattern extends java.io.InputStream {
        private final long size;
        private long at;

        Pattern(long size) {
            this.size = size;
        }

        static int at(long i) {
            return (int) ((i * 31 + i / 7919) & 0xff);
        }

        @Override
        public int read() {
            return at < size ? at(at++) : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (at >= size) return -1;
            int n = (int) Math.min(len, size - at);
            for (int i = 0; i < n; i++) b[off + i] = (byte) at(at++);
            return n;
        }

        static boolean same(java.io.InputStream in, long size) throws IOException {
            byte[] buf = new byte[65536];
            long i = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                for (int k = 0; k < n; k++, i++) if ((buf[k] & 0xff) != at(i)) return false;
            }
            return i == size;
        }
    }

    // ---- the form ----

    @Test
    void listingsCarryTheFormOnlyWhenUploadsAreOn() throws Exception {
        Files.createDirectory(root.resolve("d"));
        serve(UploadHandler.builder(root).mkdir(true));
        String page = text(FilesTestSupport.get(server, "/d/", "Accept", "text/html"));
        assertTrue(page.contains("<form class=\"upload\" method=\"post\" enctype=\"multipart/form-data\">"), page);
        assertTrue(page.contains("type=\"file\" name=\"file\" multiple"), page);
        assertTrue(page.contains("name=\"folder\""), page);
        server.close();
        serve(UploadHandler.builder(root).upload(false).delete(true));
        assertFalse(text(FilesTestSupport.get(server, "/d/")).contains("<form"));
    }

    @Test
    void aFormPostStoresEveryFileAndABrowserIsSentBackToTheListing() throws Exception {
        Files.createDirectory(root.resolve("in"));
        serve(UploadHandler.builder(root));
        byte[] big = bytes(3 << 20); // past core's in-memory threshold: spooled, then copied
        byte[] body = multipart("XyZ", "C:\\\\fakepath\\\\one.txt", // sent as quoted-pairs: the name is C:\fakepath\one.txt
                "one".getBytes(StandardCharsets.UTF_8), "two.bin", big);
        HttpResponse<byte[]> r = post("/in/", body, "Accept", "text/html,application/xhtml+xml,*/*;q=0.8",
                "Origin", "http://127.0.0.1:" + server.port(), "Sec-Fetch-Site", "same-origin");
        assertEquals(303, r.statusCode(), text(r));
        assertEquals("/in/", header(r, "Location"));
        assertEquals("one", Files.readString(root.resolve("in/one.txt")));
        assertArrayEquals(big, Files.readAllBytes(root.resolve("in/two.bin")));

        r = post("/in/", multipart("XyZ", "three.txt", new byte[] {3}));
        assertEquals(201, r.statusCode(), "a script or curl gets 201");
        assertEquals("/in/three.txt", header(r, "Location"));
        assertEquals(409, post("/in/", multipart("XyZ", "four.txt", new byte[1], "one.txt", new byte[1])).statusCode());
        assertFalse(Files.exists(root.resolve("in/four.txt")), "a conflict is found before anything is written");
        assertEquals(400, post("/in/", multipart("XyZ", "../up.txt", new byte[1])).statusCode());
        assertEquals(400, post("/in/", multipart("XyZ", ".htaccess", new byte[1])).statusCode());
        assertEquals(400, post("/in/", multipart("XyZ", "a/b.txt", new byte[1])).statusCode());
        assertEquals(400, post("/in/", multipart("XyZ", "", new byte[0])).statusCode(), "an empty form");
        assertEquals(List.of("one.txt", "three.txt", "two.bin"), names(root.resolve("in")));
        assertEquals(List.of("in"), names(root));
    }

    @Test
    void aFormPostFromAnotherSiteIsRefused() throws Exception {
        serve(UploadHandler.builder(root));
        byte[] body = multipart("XyZ", "x.txt", new byte[1]);
        assertEquals(403, post("/", body, "Origin", "http://evil.example").statusCode());
        assertEquals(403, post("/", body, "Sec-Fetch-Site", "cross-site").statusCode());
        assertEquals(List.of(), names(root));
    }

    @Test
    void theFormMakesAFolderOnlyWithMkdir() throws Exception {
        byte[] body = ("--XyZ\r\nContent-Disposition: form-data; name=\"folder\"\r\n\r\nphotos\r\n--XyZ--\r\n").getBytes(StandardCharsets.UTF_8);
        serve(UploadHandler.builder(root));
        assertEquals(403, post("/", body).statusCode());
        server.close();
        serve(UploadHandler.builder(root).mkdir(true));
        assertEquals(201, post("/", body).statusCode());
        assertTrue(Files.isDirectory(root.resolve("photos")));
        assertEquals(409, post("/", body).statusCode(), "a folder that exists is not made again");
    }

    // ---- DELETE, and methods that are off ----

    @Test
    void deleteRemovesFilesAndEmptyDirectoriesOnlyWhenOn() throws Exception {
        Files.writeString(root.resolve("f.txt"), "x");
        Files.createDirectories(root.resolve("full/inner"));
        Files.createDirectory(root.resolve("empty"));
        serve(UploadHandler.builder(root).upload(false).hints("start with --upload", "", "", "start with --delete"));
        HttpResponse<byte[]> r = send("DELETE", "/f.txt");
        assertEquals(403, r.statusCode());
        assertTrue(text(r).contains("start with --delete"), text(r));
        r = put("/g.txt", new byte[1]);
        assertEquals(403, r.statusCode());
        assertTrue(text(r).contains("start with --upload"), text(r));
        server.close();
        serve(UploadHandler.builder(root).delete(true));
        assertEquals(204, send("DELETE", "/f.txt").statusCode());
        assertFalse(Files.exists(root.resolve("f.txt")));
        assertEquals(404, send("DELETE", "/f.txt").statusCode());
        assertEquals(409, send("DELETE", "/full").statusCode());
        assertEquals(204, send("DELETE", "/empty/").statusCode());
        assertEquals(403, send("DELETE", "/").statusCode());
        assertEquals(List.of("full"), names(root));
    }

    @Test
    void optionsListsTheMethodsThatAreOn() throws Exception {
        serve(UploadHandler.builder(root).delete(true));
        assertEquals("GET, HEAD, OPTIONS, PUT, POST, DELETE", header(send("OPTIONS", "/"), "Allow"));
    }
}
