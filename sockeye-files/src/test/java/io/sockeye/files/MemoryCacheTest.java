package io.sockeye.files;

import static io.sockeye.files.FilesTestSupport.bytes;
import static io.sockeye.files.FilesTestSupport.get;
import static io.sockeye.files.FilesTestSupport.gunzip;
import static io.sockeye.files.FilesTestSupport.header;
import static io.sockeye.files.FilesTestSupport.text;
import static io.sockeye.files.FilesTestSupport.textBytes;
import static io.sockeye.files.FilesTestSupport.touch;
import static io.sockeye.files.FilesTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sockeye.HttpServer;

/** The memory cache never serves a file longer than the revalidation interval after it changed or went. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MemoryCacheTest {

    @TempDir
    Path www;
    HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    HttpServer start(Duration interval) throws Exception {
        server = FilesTestSupport.start(FileHandler.builder(www).revalidateAfter(interval).build());
        return server;
    }

    @Test
    void withZeroEveryRequestSeesTheDisk() throws Exception {
        Path f = write(www.resolve("a.txt"), "one");
        start(Duration.ZERO);
        HttpResponse<byte[]> first = get(server, "/a.txt");
        assertEquals("one", text(first));

        write(f, "two!!");
        HttpResponse<byte[]> second = get(server, "/a.txt");
        assertEquals("two!!", text(second));
        assertEquals("5", header(second, "Content-Length"));
        assertNotEquals(header(first, "ETag"), header(second, "ETag"));

        // same size, other content: only the modification time tells
        write(f, "three");
        touch(f, Instant.now().plusSeconds(10).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        HttpResponse<byte[]> third = get(server, "/a.txt");
        assertEquals("three", text(third));
        assertNotEquals(header(second, "ETag"), header(third, "ETag"));

        Files.delete(f);
        assertEquals(404, get(server, "/a.txt").statusCode());
        write(f, "back");
        assertEquals("back", text(get(server, "/a.txt")));
    }

    @Test
    void afterTheIntervalAChangedFileIsServedFresh() throws Exception {
        Path f = write(www.resolve("a.txt"), "one");
        start(Duration.ofMillis(200));
        String before = header(get(server, "/a.txt"), "ETag");
        write(f, "second version");
        Thread.sleep(400);
        HttpResponse<byte[]> r = get(server, "/a.txt");
        assertEquals("second version", text(r));
        assertEquals("14", header(r, "Content-Length"));
        assertNotEquals(before, header(r, "ETag"));
    }

    @Test
    void afterTheIntervalADeletedFileIs404AndANewOneIsFound() throws Exception {
        Path f = write(www.resolve("a.txt"), "one");
        start(Duration.ofMillis(200));
        assertEquals(404, get(server, "/new.txt").statusCode());
        assertEquals("one", text(get(server, "/a.txt")));
        Files.delete(f);
        write(www.resolve("new.txt"), "new");
        Thread.sleep(400);
        assertEquals(404, get(server, "/a.txt").statusCode());
        assertEquals("new", text(get(server, "/new.txt")));
    }

    @Test
    void withinTheIntervalWhatIsSentIsConsistent() throws Exception {
        // The cache may trust what it saw for the interval (the Javadoc says so), but what it sends must hang together:
        // the old bytes with the old length and ETag, or the new with the new
        Path f = write(www.resolve("a.txt"), "one");
        start(Duration.ofSeconds(60));
        HttpResponse<byte[]> first = get(server, "/a.txt");
        write(f, "changed!!");
        HttpResponse<byte[]> r = get(server, "/a.txt");
        if (text(r).equals("one")) {
            assertEquals(header(first, "ETag"), header(r, "ETag"));
            assertEquals("3", header(r, "Content-Length"));
        } else {
            assertEquals("changed!!", text(r));
            assertNotEquals(header(first, "ETag"), header(r, "ETag"));
        }
    }

    @Test
    void theGzippedCopyIsRefreshedToo() throws Exception {
        Path f = write(www.resolve("page.html"), textBytes(4000));
        start(Duration.ofMillis(200));
        assertArrayEquals(textBytes(4000), gunzip(get(server, "/page.html", "Accept-Encoding", "gzip").body()));
        byte[] next = ("<h1>new</h1>\n" + new String(textBytes(5000), StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII);
        write(f, next);
        Thread.sleep(400);
        HttpResponse<byte[]> r = get(server, "/page.html", "Accept-Encoding", "gzip");
        assertEquals("gzip", header(r, "Content-Encoding"));
        assertArrayEquals(next, gunzip(r.body()));
    }

    @Test
    void aLargeFileFromDiskIsFreshToo() throws Exception {
        Path f = write(www.resolve("big.bin"), bytes(300 * 1024));
        start(Duration.ZERO);
        assertArrayEquals(bytes(300 * 1024), get(server, "/big.bin").body());
        write(f, bytes(310 * 1024));
        HttpResponse<byte[]> r = get(server, "/big.bin");
        assertEquals(Integer.toString(310 * 1024), header(r, "Content-Length"));
        assertArrayEquals(bytes(310 * 1024), r.body());
        Files.delete(f);
        assertEquals(404, get(server, "/big.bin").statusCode());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void concurrentRequestsAllGetTheRightBytes() throws Exception {
        write(www.resolve("small.bin"), bytes(5000));
        write(www.resolve("large.bin"), bytes(400 * 1024));
        write(www.resolve("page.html"), textBytes(20_000));
        start(Duration.ofMillis(50));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 15; i++) {
                        assertArrayEquals(bytes(5000), get(server, "/small.bin").body());
                        assertArrayEquals(bytes(400 * 1024), get(server, "/large.bin").body());
                        assertArrayEquals(textBytes(20_000), gunzip(get(server, "/page.html", "Accept-Encoding", "gzip").body()));
                        assertArrayEquals(java.util.Arrays.copyOfRange(bytes(5000), 100, 200),
                                get(server, "/small.bin", "Range", "bytes=100-199").body());
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : done) f.get(25, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSmallBudgetStillServesEveryFileCorrectly() throws Exception {
        for (int i = 0; i < 60; i++) write(www.resolve("f" + i + ".txt"), "file " + i + " " + "x".repeat(900 + i));
        server = FilesTestSupport.start(FileHandler.builder(www).memoryCache(2048, 8192).build());
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 60; i++) {
                HttpResponse<byte[]> r = get(server, "/f" + i + ".txt");
                assertEquals("file " + i + " " + "x".repeat(900 + i), text(r), "round " + round + " file " + i);
            }
        }
    }
}
