package io.sockeye.files;

import static io.sockeye.files.FilesTestSupport.get;
import static io.sockeye.files.FilesTestSupport.gunzip;
import static io.sockeye.files.FilesTestSupport.header;
import static io.sockeye.files.FilesTestSupport.raw;
import static io.sockeye.files.FilesTestSupport.textBytes;
import static io.sockeye.files.FilesTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.sockeye.HttpServer;
import io.sockeye.testsupport.RawResponse;

/**
 * On-the-fly gzip is bounded: above a ceiling a text file goes out as it is (a precompressed sibling is
 * still preferred), and a large file's gzip form is made once and kept while the file is unchanged, so
 * that hot files do not cost the CPU of compressing them again on every request.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CompressionLimitsTest {

    @TempDir
    Path www;
    HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    @Test
    void aboveTheCeilingTextGoesOutAsItIs() throws Exception {
        write(www.resolve("mid.txt"), textBytes(100 * 1024));
        write(www.resolve("under.txt"), textBytes(50 * 1024));
        write(www.resolve("sibling.txt"), textBytes(100 * 1024));
        byte[] precompressed = "pretend-gzip-of-sibling".getBytes(StandardCharsets.US_ASCII);
        write(www.resolve("sibling.txt.gz"), precompressed);
        server = FilesTestSupport.start(FileHandler.builder(www).gzipMaxBytes(64 * 1024).build());

        HttpResponse<byte[]> above = get(server, "/mid.txt", "Accept-Encoding", "gzip");
        assertNull(header(above, "Content-Encoding"), "above the ceiling: identity");
        assertArrayEquals(textBytes(100 * 1024), above.body());
        HttpResponse<byte[]> under = get(server, "/under.txt", "Accept-Encoding", "gzip");
        assertEquals("gzip", header(under, "Content-Encoding"));
        assertArrayEquals(textBytes(50 * 1024), gunzip(under.body()));
        HttpResponse<byte[]> sibling = get(server, "/sibling.txt", "Accept-Encoding", "gzip");
        assertEquals("gzip", header(sibling, "Content-Encoding"), "a precompressed sibling is sent whatever the size");
        assertArrayEquals(precompressed, sibling.body());
    }

    @Test
    void theDefaultCeilingIsEightMebibytes() throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(www.resolve("huge.log").toFile(), "rw")) {
            f.setLength((8L << 20) + 1); // sparse zeros: the most compressible text there is
        }
        write(www.resolve("fits.log"), textBytes(300 * 1024));
        server = FilesTestSupport.start(FileHandler.of(www));
        HttpResponse<byte[]> r = get(server, "/huge.log", "Accept-Encoding", "gzip");
        assertNull(header(r, "Content-Encoding"));
        assertEquals(Long.toString((8L << 20) + 1), header(r, "Content-Length"));
        assertEquals("gzip", header(get(server, "/fits.log", "Accept-Encoding", "gzip"), "Content-Encoding"));
    }

    @ParameterizedTest
    @EnumSource(FilesTestSupport.Access.class)
    void aLargeFilesGzipFormIsKeptWhileItIsUnchanged(FilesTestSupport.Access access) throws Exception {
        Path f = write(www.resolve("big.txt"), textBytes(600 * 1024));
        server = FilesTestSupport.start(access.builder(www).build());
        // a file changed in the last 2 s is streamed; once settled, its form is made, kept and sent with a length
        java.util.concurrent.atomic.AtomicReference<HttpResponse<byte[]>> latest = new java.util.concurrent.atomic.AtomicReference<>();
        assertTrue(FilesTestSupport.await(Duration.ofSeconds(10), () -> {
            try {
                latest.set(get(server, "/big.txt", "Accept-Encoding", "gzip"));
                return header(latest.get(), "Content-Length") != null;
            } catch (Exception e) {
                return false;
            }
        }), "the gzip form of a settled large file is sent with its length");
        HttpResponse<byte[]> kept = latest.get();
        assertEquals("gzip", header(kept, "Content-Encoding"));
        assertArrayEquals(textBytes(600 * 1024), gunzip(kept.body()));
        HttpResponse<byte[]> again = get(server, "/big.txt", "Accept-Encoding", "gzip");
        assertArrayEquals(kept.body(), again.body(), "the kept form is sent again");
        RawResponse head = raw(server, "HEAD", "/big.txt", "Accept-Encoding: gzip");
        assertEquals(header(kept, "Content-Length"), head.header("Content-Length"), "HEAD states the kept form's length");

        byte[] next = textBytes(600 * 1024);
        next[0] = '#';
        Files.write(f, next); // same size, new content
        HttpResponse<byte[]> fresh = get(server, "/big.txt", "Accept-Encoding", "gzip");
        assertArrayEquals(next, gunzip(fresh.body()), "the kept form of the old content is not sent for the new");
    }
}
