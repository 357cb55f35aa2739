package io.sockeye.examples.httplayer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sockeye.HttpServer;
import io.sockeye.examples.Site;

@Timeout(20)
class SiteServerTest {

    private final HttpClient client = HttpClient.newHttpClient();

    private HttpResponse<byte[]> send(HttpServer server, HttpRequest.Builder b, String path) throws Exception {
        return client.send(b.uri(URI.create("http://127.0.0.1:" + server.port() + path)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void servesTheSiteAndAnswersItsForm() throws Exception {
        try (HttpServer server = SiteServer.start(InetAddress.getLoopbackAddress(), 0, Site.dir())) {
            HttpResponse<byte[]> page = send(server, HttpRequest.newBuilder(), "/");
            assertEquals(200, page.statusCode());
            assertTrue(new String(page.body()).contains("action=\"cgi-bin/post.py\""));
            assertArrayEquals(Files.readAllBytes(Site.dir().resolve("test.jpg")), send(server, HttpRequest.newBuilder(), "/test.jpg").body());
            HttpResponse<byte[]> answer = send(server, HttpRequest.newBuilder()
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("firstname=%E5%BC%A0%E4%B8%89+%3Ci%3E")), "/cgi-bin/post.py");
            assertEquals(200, answer.statusCode());
            assertTrue(new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8).contains("<p>张三 &lt;i&gt;</p>"));
        }
    }

    @Test
    void theScriptsSourceIsNeverServed() throws Exception {
        try (HttpServer server = SiteServer.start(InetAddress.getLoopbackAddress(), 0, Site.dir())) {
            HttpResponse<byte[]> r = send(server, HttpRequest.newBuilder(), "/cgi-bin/post.py");
            assertEquals(403, r.statusCode(), "the scripts directory is excluded from the files");
            assertFalse(new String(r.body()).contains("import"), "no Python source in the body");
        }
    }
}
