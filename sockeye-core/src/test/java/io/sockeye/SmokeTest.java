package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;

class SmokeTest {

    @Test
    void answersOverHttpClientAndRawSocket() throws Exception {
        try (HttpServer server = HttpServer.create(ServerConfig.defaults().withPort(0), (req, res) -> res.send("hi " + req.path())).start()) {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("hi /x", r.body());
            try (RawClient c = new RawClient(server.port())) {
                RawResponse rr = c.send("GET /y HTTP/1.1\r\nHost: a\r\n\r\n").read();
                assertEquals("hi /y", rr.text());
                System.out.println(rr.headers().stream().map(h -> h[0] + ": " + h[1]).toList());
            }
        }
    }
}
