package io.sockeye.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sockeye.HttpServer;
import io.sockeye.testsupport.ServerFixture;
import io.sockeye.testsupport.TestTls;

/**
 * Files over HTTPS, where {@code sendfile} cannot be used: whole files small (cached) and large
 * (streamed through the TLS layer), ranges, conditional requests and compression, byte for byte.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FilesOverTlsTest {

    @TempDir
    Path www;

    @Test
    void smallAndLargeFilesRangesAndConditionalsOverTls() throws Exception {
        byte[] big = new byte[10 << 20];
        new Random(7).nextBytes(big);
        Files.write(www.resolve("big.bin"), big);
        Files.writeString(www.resolve("index.html"), "<!doctype html><title>t</title><p>" + "hello ".repeat(500));
        try (HttpServer server = ServerFixture.start(ServerFixture.loopback().withTls(TestTls.serverConfig()), FileHandler.of(www))) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .sslContext(TestTls.clientContext()).connectTimeout(Duration.ofSeconds(5)).build();
            String base = "https://localhost:" + server.port();

            HttpResponse<byte[]> whole = client.send(HttpRequest.newBuilder(URI.create(base + "/big.bin")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, whole.statusCode());
            assertArrayEquals(big, whole.body());

            HttpResponse<byte[]> range = client.send(HttpRequest.newBuilder(URI.create(base + "/big.bin"))
                    .header("Range", "bytes=5000000-5999999").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(206, range.statusCode());
            assertArrayEquals(Arrays.copyOfRange(big, 5_000_000, 6_000_000), range.body());

            HttpResponse<String> page = client.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            String etag = page.headers().firstValue("ETag").orElseThrow();
            HttpResponse<String> again = client.send(HttpRequest.newBuilder(URI.create(base + "/"))
                    .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(304, again.statusCode());

            HttpResponse<byte[]> gzip = client.send(HttpRequest.newBuilder(URI.create(base + "/"))
                    .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals("gzip", gzip.headers().firstValue("Content-Encoding").orElse(null));
            assertEquals(page.body(), new String(new java.util.zip.GZIPInputStream(
                    new java.io.ByteArrayInputStream(gzip.body())).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
