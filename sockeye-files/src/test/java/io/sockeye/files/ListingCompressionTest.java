package io.sockeye.files;

import static io.sockeye.files.FilesTestSupport.get;
import static io.sockeye.files.FilesTestSupport.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sockeye.HttpServer;

/**
 * A large listing goes gzipped to a client that accepts gzip (issue #12, item 8: 5,000 entries went out as
 * about a megabyte of plain HTML), and as it is to one that does not, or with compression off.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ListingCompressionTest {

    @TempDir
    Path www;

    @Test
    void aFiveThousandEntryListingIsGzippedForAClientThatAcceptsIt() throws Exception {
        Path big = Files.createDirectory(www.resolve("big"));
        for (int i = 0; i < 5_000; i++) Files.createFile(big.resolve("file-number-" + i + ".txt"));
        try (HttpServer server = FilesTestSupport.start(FileHandler.of(www));
             HttpServer plain = FilesTestSupport.start(FileHandler.builder(www).compression(false).build())) {
            HttpResponse<byte[]> identity = get(server, "/big/");
            assertEquals(200, identity.statusCode());
            assertNull(header(identity, "Content-Encoding"), "no Accept-Encoding, no gzip");
            String vary = String.join(", ", identity.headers().allValues("Vary"));
            assertTrue(vary.contains("Accept-Encoding") && vary.contains("Accept"), vary);
            String page = new String(identity.body(), StandardCharsets.UTF_8);
            assertTrue(page.contains("file-number-4999.txt"), "the whole listing");

            HttpResponse<byte[]> gz = get(server, "/big/", "Accept-Encoding", "gzip");
            assertEquals("gzip", header(gz, "Content-Encoding"));
            assertTrue(gz.body().length < identity.body().length / 4, gz.body().length + " of " + identity.body().length);
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz.body()))) {
                assertEquals(page, new String(in.readAllBytes(), StandardCharsets.UTF_8), "the same page once unzipped");
            }
            HttpResponse<byte[]> json = get(server, "/big/", "Accept-Encoding", "gzip", "Accept", "application/json");
            assertEquals("gzip", header(json, "Content-Encoding"), "the JSON listing too");
            assertTrue(header(json, "Content-Type").startsWith("application/json"));

            assertNull(header(get(plain, "/big/", "Accept-Encoding", "gzip"), "Content-Encoding"), "compression(false)");
            assertNull(header(get(server, "/", "Accept-Encoding", "gzip"), "Content-Encoding"), "a small listing is not worth it");
        }
    }
}
