package io.sockeye.files;

import static io.sockeye.files.FilesTestSupport.get;
import static io.sockeye.files.FilesTestSupport.gunzip;
import static io.sockeye.files.FilesTestSupport.header;
import static io.sockeye.files.FilesTestSupport.raw;
import static io.sockeye.files.FilesTestSupport.textBytes;
import static io.sockeye.files.FilesTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.sockeye.HttpServer;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;

/** Precompressed siblings, on-the-fly gzip, and the weighted Accept-Encoding that picks between them. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CompressionTest {

    @TempDir
    static Path tmp;
    static Path www;
    static HttpServer server;
    static HttpServer uncompressed;
    static HttpServer uncached;
    static final int BIG = 600 * 1024;

    static byte[] gzip(byte[] plain) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        }
        return out.toByteArray();
    }

    @BeforeAll
    static void start() throws Exception {
        www = Files.createDirectory(tmp.resolve("www"));
        write(www.resolve("app.js"), textBytes(2000));
        write(www.resolve("app.js.gz"), gzip(textBytes(2000)));
        write(www.resolve("app.js.br"), "pretend-brotli-of-app.js".getBytes(StandardCharsets.US_ASCII));
        write(www.resolve("style.css"), textBytes(3000));
        write(www.resolve("style.css.gz"), gzip(textBytes(3000)));
        write(www.resolve("only-br.txt"), textBytes(500));
        write(www.resolve("only-br.txt.br"), "pretend-brotli-of-only-br".getBytes(StandardCharsets.US_ASCII));
        write(www.resolve("page.html"), textBytes(5000));
        write(www.resolve("data.json"), textBytes(4000));
        write(www.resolve("tiny.txt"), textBytes(100));
        write(www.resolve("image.png"), textBytes(5000));
        write(www.resolve("photo.jpg"), textBytes(5000));
        write(www.resolve("big.txt"), textBytes(BIG));
        write(www.resolve("edge1023.txt"), textBytes(1023));
        write(www.resolve("edge1024.txt"), textBytes(1024));
        server = FilesTestSupport.start(FileHandler.of(www));
        uncompressed = FilesTestSupport.start(FileHandler.builder(www).compression(false).build());
        uncached = FilesTestSupport.start(FileHandler.builder(www).revalidateAfter(java.time.Duration.ZERO).build());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (uncompressed != null) uncompressed.close();
        if (uncached != null) uncached.close();
    }

    /** @return the bytes the given coding should bring for a file: its precompressed sibling, or itself */
    static byte[] expected(String path, String coding) throws Exception {
        String sibling = switch (coding) {
            case "gzip" -> path + ".gz";
            case "br" -> path + ".br";
            default -> path;
        };
        return Files.readAllBytes(www.resolve(sibling.substring(1)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/app.js|gzip|gzip", "/app.js|br|br", "/app.js|br;q=0.5, gzip|gzip", "/app.js|gzip;q=0.5, br|br",
        "/app.js|br;q=0, gzip|gzip", "/app.js|gzip;q=0, br;q=0|identity", "/app.js|identity|identity",
        "/app.js|deflate|identity", "/app.js|*;q=0.5, gzip;q=0|br", "/app.js|*;q=0.5, br;q=0|gzip", "/app.js|GZIP|gzip",
        "/app.js|gzip;q=0.001|gzip", "/app.js|gzip ; q=1.0 , br ; q=0.9|gzip", "/app.js|gzip;q=0|identity",
        "/style.css|br|identity", "/style.css|gzip;q=0.1, br|gzip", "/style.css|gzip|gzip", "/style.css|gzip;q=0|identity",
        "/only-br.txt|br|br", "/only-br.txt|gzip|identity", "/only-br.txt|gzip, br;q=0|identity",
    })
    void precompressedSiblingsFollowTheWeights(String path, String accept, String coding) throws Exception {
        HttpResponse<byte[]> identity = get(server, path);
        HttpResponse<byte[]> r = get(server, path, "Accept-Encoding", accept);
        assertEquals(200, r.statusCode());
        String where = path + " with " + accept;
        assertEquals(coding.equals("identity") ? null : coding, header(r, "Content-Encoding"), where);
        assertArrayEquals(expected(path, coding), r.body(), where);
        assertEquals(Integer.toString(r.body().length), header(r, "Content-Length"), where);
        assertEquals(header(identity, "Content-Type"), header(r, "Content-Type"), "the type is the original's");
        assertTrue(header(r, "Vary").toLowerCase(Locale.ROOT).contains("accept-encoding"), where);
        assertTrue(header(identity, "Vary").toLowerCase(Locale.ROOT).contains("accept-encoding"), "identity varies too");
        if (coding.equals("identity")) {
            assertEquals(header(identity, "ETag"), header(r, "ETag"), where);
        } else {
            assertNotEquals(header(identity, "ETag"), header(r, "ETag"), "each coding has its own ETag: " + where);
        }
    }

    @Test
    void anyCodingGetsAMatchingBody() throws Exception {
        HttpResponse<byte[]> r = get(server, "/app.js", "Accept-Encoding", "*");
        String coding = header(r, "Content-Encoding");
        assertNotNull(coding);
        assertArrayEquals(expected("/app.js", coding), r.body());
    }

    @Test
    void theCodingsHaveDistinctETags() throws Exception {
        String id = header(get(server, "/app.js"), "ETag");
        String gz = header(get(server, "/app.js", "Accept-Encoding", "gzip"), "ETag");
        String br = header(get(server, "/app.js", "Accept-Encoding", "br"), "ETag");
        assertTrue(id.startsWith("\"") && gz.startsWith("\"") && br.startsWith("\""), "precompressed tags are strong");
        assertNotEquals(id, gz);
        assertNotEquals(id, br);
        assertNotEquals(gz, br);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/page.html", "/data.json", "/big.txt"})
    void textIsGzippedOnTheFly(String path) throws Exception {
        byte[] plain = Files.readAllBytes(www.resolve(path.substring(1)));
        HttpResponse<byte[]> identity = get(server, path);
        HttpResponse<byte[]> r = get(server, path, "Accept-Encoding", "gzip, deflate");
        assertEquals(200, r.statusCode());
        assertEquals("gzip", header(r, "Content-Encoding"), path);
        assertTrue(r.body().length < plain.length / 2, "compressed: " + r.body().length);
        assertArrayEquals(plain, gunzip(r.body()), path);
        assertNotEquals(header(identity, "ETag"), header(r, "ETag"), "the gzip representation has its own ETag");
        assertTrue(header(r, "Vary").toLowerCase(Locale.ROOT).contains("accept-encoding"));
        assertArrayEquals(plain, identity.body(), "identity unchanged");
    }

    @Test
    void theOnTheFlyThresholdIsOneKibibyte() throws Exception {
        HttpResponse<byte[]> below = get(server, "/edge1023.txt", "Accept-Encoding", "gzip");
        assertNull(header(below, "Content-Encoding"));
        assertArrayEquals(textBytes(1023), below.body());
        HttpResponse<byte[]> at = get(server, "/edge1024.txt", "Accept-Encoding", "gzip");
        assertEquals("gzip", header(at, "Content-Encoding"));
        assertArrayEquals(textBytes(1024), gunzip(at.body()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/tiny.txt", "/image.png", "/photo.jpg"})
    void smallFilesAndImagesAreNotGzipped(String path) throws Exception {
        HttpResponse<byte[]> r = get(server, path, "Accept-Encoding", "gzip");
        assertNull(header(r, "Content-Encoding"), path);
        assertArrayEquals(Files.readAllBytes(www.resolve(path.substring(1))), r.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/page.html", "/app.js", "/big.txt", "/style.css"})
    void compressionOffSendsIdentity(String path) throws Exception {
        HttpResponse<byte[]> r = get(uncompressed, path, "Accept-Encoding", "gzip, br");
        assertNull(header(r, "Content-Encoding"), path);
        assertArrayEquals(Files.readAllBytes(www.resolve(path.substring(1))), r.body());
    }

    @Test
    void aLargeGzippedStreamIsWellFramedOnAKeptAliveConnection() throws Exception {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            c.send("GET /big.txt HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n"
                    + "GET /tiny.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            RawResponse r = c.read();
            assertEquals("gzip", r.header("Content-Encoding"));
            assertArrayEquals(textBytes(BIG), gunzip(r.body()));
            RawResponse next = c.read();
            assertEquals(200, next.status());
            assertArrayEquals(textBytes(100), next.body());
        }
    }

    @ParameterizedTest
    @CsvSource({"/page.html,cached", "/big.txt,cached", "/app.js,cached", "/page.html,uncached", "/app.js,uncached"})
    void headOfACompressedResponseDoesNotMisstateItsLength(String path, String which) throws Exception {
        HttpServer server = which.equals("cached") ? CompressionTest.server : uncached;
        HttpResponse<byte[]> g = get(server, path, "Accept-Encoding", "gzip");
        assertArrayEquals(Files.readAllBytes(www.resolve(path.substring(1))), gunzip(g.body()));
        RawResponse h = raw(server, "HEAD", path, "Accept-Encoding: gzip");
        assertEquals(200, h.status());
        assertEquals("gzip", h.header("Content-Encoding"));
        assertEquals(header(g, "ETag"), h.header("ETag"));
        String length = h.header("Content-Length");
        // RFC 9110 §8.6: a HEAD response's Content-Length, if sent, is what the GET would have sent
        assertTrue(length == null || length.equals(Integer.toString(g.body().length)),
                which + " HEAD " + path + " says Content-Length " + length + " but the GET sends " + g.body().length + " bytes");
    }

    @Test
    void conditionalRequestsUseTheCodingsOwnETag() throws Exception {
        String gz = header(get(server, "/page.html", "Accept-Encoding", "gzip"), "ETag");
        String id = header(get(server, "/page.html"), "ETag");
        assertEquals(304, get(server, "/page.html", "Accept-Encoding", "gzip", "If-None-Match", gz).statusCode());
        assertEquals(304, get(server, "/page.html", "If-None-Match", id).statusCode());
        HttpResponse<byte[]> r = get(server, "/page.html", "Accept-Encoding", "gzip", "If-None-Match", id);
        assertEquals(200, r.statusCode(), "the identity tag does not validate the gzip representation");
        String pre = header(get(server, "/app.js", "Accept-Encoding", "br"), "ETag");
        HttpResponse<byte[]> notModified = get(server, "/app.js", "Accept-Encoding", "br", "If-None-Match", pre);
        assertEquals(304, notModified.statusCode());
        assertEquals(pre, header(notModified, "ETag"));
        assertEquals(0, notModified.body().length);
    }

    @Test
    void aRangeOfAGzippableFileIsTakenFromTheIdentity() throws Exception {
        HttpResponse<byte[]> r = get(server, "/page.html", "Accept-Encoding", "gzip", "Range", "bytes=0-9");
        if (header(r, "Content-Encoding") == null) {
            assertEquals(206, r.statusCode());
            assertEquals("bytes 0-9/5000", header(r, "Content-Range"));
            assertArrayEquals(java.util.Arrays.copyOf(textBytes(5000), 10), r.body());
        } else {
            // ranges of the gzip representation would be legal too, but then they must be of it
            assertTrue(r.statusCode() == 200 || header(r, "Content-Range") != null);
        }
    }

    // ---- QualityValues --------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "NULL|gzip|0", "gzip|gzip|1", "gzip;q=0.5|gzip|0.5", "br;q=1.0, gzip;q=0.8|gzip|0.8", "br;q=1.0, gzip;q=0.8|br|1",
        "*|gzip|1", "*;q=0.3|gzip|0.3", "*;q=0.3, gzip;q=0.9|gzip|0.9", "gzip;q=0, *|gzip|0", "identity|gzip|0",
        "GZIP|gzip|1", " gzip ; q=0.7 |gzip|0.7", "gzip;Q=0.5|gzip|0.5", "deflate, gzip;q=0.001|gzip|0.001",
        "deflate|gzip|0", "''|gzip|0", "gzip;q=0.000|gzip|0", "br, gzip|gzip|1", "gzipx|gzip|0",
    })
    void codingWeights(String list, String token, double weight) {
        assertEquals(weight, QualityValues.coding(list, token), 1e-9, list);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "NULL|application/json|0", "application/json|application/json|1", "text/html, application/json;q=0.9|application/json|0.9",
        "application/*;q=0.4|application/json|0.4", "*/*;q=0.1|application/json|0.1", "text/html|application/json|0",
        "application/json;q=0.2, application/*|application/json|0.2", "*/*, text/html;q=0|text/html|0",
        "text/*;q=0.6, */*;q=0.1|text/html|0.6", "Application/JSON|application/json|1",
    })
    void mediaTypeWeights(String accept, String type, double weight) {
        assertEquals(weight, QualityValues.mediaType(accept, type), 1e-9, accept);
    }
}
