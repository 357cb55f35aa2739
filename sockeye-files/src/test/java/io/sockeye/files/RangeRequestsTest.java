package io.sockeye.files;

import static io.sockeye.files.FilesTestSupport.bytes;
import static io.sockeye.files.FilesTestSupport.get;
import static io.sockeye.files.FilesTestSupport.header;
import static io.sockeye.files.FilesTestSupport.raw;
import static io.sockeye.files.FilesTestSupport.touch;
import static io.sockeye.files.FilesTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.sockeye.HttpDate;
import io.sockeye.HttpServer;
import io.sockeye.testsupport.RawResponse;

/** Byte ranges (RFC 9110 §14), from memory (small files) and from disk (large ones). */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RangeRequestsTest {

    @TempDir
    static Path tmp;
    static HttpServer server;
    static final int SMALL = 1000;
    static final int LARGE = 400 * 1024;
    static final Instant T = Instant.parse("2023-03-04T05:06:07Z");

    @BeforeAll
    static void start() throws Exception {
        Path www = Files.createDirectory(tmp.resolve("www"));
        write(www.resolve("small.bin"), bytes(SMALL));
        write(www.resolve("large.bin"), bytes(LARGE));
        touch(www.resolve("small.bin"), T);
        touch(www.resolve("large.bin"), T);
        server = FilesTestSupport.start(FileHandler.of(www));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static int size(String path) {
        return path.startsWith("/small") ? SMALL : LARGE;
    }

    static byte[] slice(String path, int from, int toInclusive) {
        return Arrays.copyOfRange(bytes(size(path)), from, toInclusive + 1);
    }

    static void assertPartial(HttpResponse<byte[]> r, String path, int from, int to) {
        int len = size(path);
        assertEquals(206, r.statusCode(), path);
        assertEquals("bytes " + from + "-" + to + "/" + len, header(r, "Content-Range"));
        assertEquals(Integer.toString(to - from + 1), header(r, "Content-Length"));
        assertArrayEquals(slice(path, from, to), r.body());
        assertNotNull(header(r, "ETag"), "a 206 keeps the validators (§15.3.7)");
    }

    static void assertWhole(HttpResponse<byte[]> r, String path) {
        assertEquals(200, r.statusCode(), path);
        assertNull(header(r, "Content-Range"));
        assertArrayEquals(bytes(size(path)), r.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/small.bin", "/large.bin"})
    void oneRange(String path) throws Exception {
        int len = size(path);
        assertPartial(get(server, path, "Range", "bytes=0-9"), path, 0, 9);
        assertPartial(get(server, path, "Range", "bytes=-5"), path, len - 5, len - 1);
        assertPartial(get(server, path, "Range", "bytes=5-"), path, 5, len - 1);
        assertPartial(get(server, path, "Range", "bytes=100-" + (len + 5000)), path, 100, len - 1);
        assertPartial(get(server, path, "Range", "bytes=" + (len - 1) + "-" + (len - 1)), path, len - 1, len - 1);
        assertPartial(get(server, path, "Range", "bytes=-" + (len * 2)), path, 0, len - 1);
        assertPartial(get(server, path, "Range", "bytes=0-0"), path, 0, 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/small.bin", "/large.bin"})
    void acceptRangesIsAdvertised(String path) throws Exception {
        assertEquals("bytes", header(get(server, path), "Accept-Ranges"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/small.bin", "/large.bin"})
    void ifRangeWithTheCurrentETagHonoursTheRange(String path) throws Exception {
        String tag = header(get(server, path), "ETag");
        assertPartial(get(server, path, "Range", "bytes=0-9", "If-Range", tag), path, 0, 9);
        assertWhole(get(server, path, "Range", "bytes=0-9", "If-Range", "\"stale\""), path);
        assertWhole(get(server, path, "Range", "bytes=0-9", "If-Range", "W/" + tag), path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/small.bin", "/large.bin"})
    void ifRangeWithTheLastModifiedDate(String path) throws Exception {
        assertEquals(HttpDate.format(T), header(get(server, path), "Last-Modified"));
        assertPartial(get(server, path, "Range", "bytes=0-9", "If-Range", HttpDate.format(T)), path, 0, 9);
        assertWhole(get(server, path, "Range", "bytes=0-9", "If-Range", HttpDate.format(T.minusSeconds(60))), path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/small.bin", "/large.bin"})
    void unsatisfiableIs416WithTheLength(String path) throws Exception {
        int len = size(path);
        for (String range : new String[] {"bytes=" + len + "-", "bytes=" + len + "-" + (len + 10), "bytes=-0", "bytes=" + (len + 1) + "-,"}) {
            HttpResponse<byte[]> r = get(server, path, "Range", range);
            assertEquals(416, r.statusCode(), range);
            assertEquals("bytes */" + len, header(r, "Content-Range"), "416 for " + range + " says the length (§15.5.17)");
            assertTrue(header(r, "Content-Type").startsWith("text/html"), "an HTML page like every other error's");
            String page = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(page.contains(len + " bytes long"), page);
            assertNull(header(r, "ETag"), "an error page is not the file");
            assertNull(header(r, "Accept-Ranges"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/small.bin", "/large.bin"})
    void severalRangesAreMultipart(String path) throws Exception {
        int len = size(path);
        HttpResponse<byte[]> r = get(server, path, "Range", "bytes=0-4, 10-14,-3");
        assertEquals(206, r.statusCode());
        assertNull(header(r, "Content-Range"), "no Content-Range on the whole multipart response");
        assertEquals(Integer.toString(r.body().length), header(r, "Content-Length"));
        List<FilesTestSupport.Part> parts = FilesTestSupport.multipart(header(r, "Content-Type"), r.body());
        assertEquals(3, parts.size());
        int[][] expected = {{0, 4}, {10, 14}, {len - 3, len - 1}};
        for (int i = 0; i < 3; i++) {
            FilesTestSupport.Part p = parts.get(i);
            assertEquals("application/octet-stream", p.headers().get("content-type"));
            assertEquals("bytes " + expected[i][0] + "-" + expected[i][1] + "/" + len, p.headers().get("content-range"));
            assertArrayEquals(slice(path, expected[i][0], expected[i][1]), p.body(), "part " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/small.bin", "/large.bin"})
    void oneSatisfiableRangeAmongSeveralIsNotMultipart(String path) throws Exception {
        int len = size(path);
        HttpResponse<byte[]> r = get(server, path, "Range", "bytes=" + (len + 10) + "-" + (len + 20) + ",2-6");
        assertPartial(r, path, 2, 6);
        assertEquals("application/octet-stream", header(r, "Content-Type"));
    }

    @Test
    void manyLargePartsFromDisk() throws Exception {
        HttpResponse<byte[]> r = get(server, "/large.bin", "Range", "bytes=0-99999,200000-299999");
        List<FilesTestSupport.Part> parts = FilesTestSupport.multipart(header(r, "Content-Type"), r.body());
        assertEquals(2, parts.size());
        assertArrayEquals(slice("/large.bin", 0, 99_999), parts.get(0).body());
        assertArrayEquals(slice("/large.bin", 200_000, 299_999), parts.get(1).body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=abc", "bytes=5-2", "items=0-5", "bytes", "bytes=--1", "bytes=0-1x", "bytes=1-2-3",
        "bytes=x-", "bytes=0x10-0x20", "bytes=,"})
    void malformedRangesAreIgnored(String range) throws Exception {
        assertWhole(get(server, "/small.bin", "Range", range), "/small.bin");
        assertWhole(get(server, "/large.bin", "Range", range), "/large.bin");
    }

    @Test
    void rangesApplyToGetOnly() throws Exception {
        RawResponse r = raw(server, "HEAD", "/small.bin", "Range: bytes=0-9");
        assertEquals(200, r.status());
        assertEquals(Integer.toString(SMALL), r.header("Content-Length"));
    }

    // ---- ByteRanges.parse -----------------------------------------------------------------------------

    /** Expected: FULL, UNSAT, or ranges as start+length separated by ';'. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "NULL|100|FULL", "bytes=0-9|100|0+10", "bytes=-5|100|95+5", "bytes=5-|100|5+95", "bytes=90-200|100|90+10",
        "bytes=99-99|100|99+1", "bytes=0-0|100|0+1", "bytes=-200|100|0+100", "bytes=0-|100|0+100",
        "bytes=100-|100|UNSAT", "bytes=100-200|100|UNSAT", "bytes=-0|100|UNSAT", "bytes=0-|0|UNSAT", "bytes=-1|0|UNSAT",
        "bytes=0-4,10-14|100|0+5;10+5", "bytes= 0-1 , 3-4 |100|0+2;3+2", "bytes=0-1,,3-4|100|0+2;3+2",
        "bytes=0-1,200-300|100|0+2", "bytes=200-300,-2|100|98+2", "BYTES=0-1|100|0+2", "Bytes=0-1|100|0+2",
        "bytes=5-2|100|FULL", "bytes=abc|100|FULL", "bytes=|100|FULL", "items=0-1|100|FULL", "bytes=0--1|100|FULL",
        "bytes=+1-2|100|FULL", "bytes=1 2-3|100|FULL", "bytes=0-99,0-99|100|FULL", "bytes 0-1|100|FULL", "''|100|FULL",
    })
    void parse(String field, long size, String expected) {
        ByteRanges r = ByteRanges.parse(field, size);
        switch (expected) {
            case "FULL" -> assertInstanceOf(ByteRanges.Full.class, r, field);
            case "UNSAT" -> assertInstanceOf(ByteRanges.Unsatisfiable.class, r, field);
            default -> {
                ByteRanges.Partial p = assertInstanceOf(ByteRanges.Partial.class, r, field);
                String got = String.join(";", p.ranges().stream().map(x -> x.start() + "+" + x.length()).toList());
                assertEquals(expected, got, field);
            }
        }
    }

    @Test
    void tooManyRangesAreIgnored() {
        StringBuilder sb = new StringBuilder("bytes=");
        for (int i = 0; i < 40; i++) sb.append(i == 0 ? "" : ",").append(i * 2).append('-').append(i * 2);
        assertInstanceOf(ByteRanges.Full.class, ByteRanges.parse(sb.toString(), 1000));
        assertInstanceOf(ByteRanges.Partial.class, ByteRanges.parse("bytes=0-0,2-2,4-4", 1000));
    }

    @Test
    void rangeEndIsInclusive() {
        ByteRanges.Range r = new ByteRanges.Range(10, 5);
        assertEquals(14, r.end());
        assertTrue(r.end() >= r.start());
    }
}
