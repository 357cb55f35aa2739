package io.sockeye.examples.cgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sockeye.HttpServer;
import io.sockeye.examples.Site;

@Timeout(30)
class CgiSiteServerTest {

    @Test
    void theFormIsPostedToTheScriptAndTheNameComesBackEscaped() throws Exception {
        try (HttpServer server = CgiSiteServer.start(InetAddress.getLoopbackAddress(), 0, Site.dir())) {
            HttpClient client = HttpClient.newHttpClient();
            URI post = URI.create("http://127.0.0.1:" + server.port() + "/cgi-bin/post.py");
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(post)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("firstname=Vamei%3Cb%3E")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("<p>Hello world!</p>") && r.body().contains("<p>Vamei&lt;b&gt;</p>"), r.body());
            HttpResponse<String> page = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(page.body().contains("Wow, Python Server"));
            HttpResponse<String> source = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/x/../cgi-bin/post.py")).build(), HttpResponse.BodyHandlers.ofString());
            assertFalse(source.body().contains("import"), "the script's source never comes back");
        }
    }
}
