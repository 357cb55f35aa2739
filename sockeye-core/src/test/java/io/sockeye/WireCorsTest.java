package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;
import io.sockeye.testsupport.ServerFixture;

/** {@link Cors} over real sockets: simple requests, preflights (also in front of {@link BasicAuth}), bad input. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class WireCorsTest {

    HttpServer server;
    final HttpClient client = ServerFixture.httpClient();

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    HttpResponse<String> send(String method, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/data"))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(5));
        headers.forEach(b::header);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anyOriginMayReadResponsesAndErrors() throws Exception {
        server = ServerFixture.start(ServerFixture.loopback(), Cors.wrap((req, res) -> {
            if (req.method().equals("DELETE")) throw new HttpException(403, "no");
            res.send("data");
        }, "*"));
        HttpResponse<String> r = send("GET", Map.of("Origin", "http://other.example:9000"));
        assertEquals(200, r.statusCode());
        assertEquals("*", r.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertFalse(r.headers().firstValue("Vary").isPresent(), "* is the same for every origin");
        HttpResponse<String> error = send("DELETE", Map.of("Origin", "http://other.example:9000"));
        assertEquals(403, error.statusCode());
        assertEquals("*", error.headers().firstValue("Access-Control-Allow-Origin").orElseThrow(), "errors are readable too");
    }

    @Test
    void aPreflightGrantsOnlyGetHeadAndPostUnlessToldOtherwise() throws Exception {
        server = ServerFixture.start(ServerFixture.loopback(), Cors.wrap((req, res) -> res.send("data"), "*"));
        for (String method : new String[] {"GET", "HEAD", "POST"}) {
            HttpResponse<String> r = send("OPTIONS", Map.of("Origin", "http://other.example", "Access-Control-Request-Method", method));
            assertEquals(method, r.headers().firstValue("Access-Control-Allow-Methods").orElse(null), method);
        }
        for (String method : new String[] {"PUT", "DELETE", "PATCH"}) {
            HttpResponse<String> r = send("OPTIONS", Map.of("Origin", "http://other.example", "Access-Control-Request-Method", method));
            assertEquals(204, r.statusCode());
            assertFalse(r.headers().firstValue("Access-Control-Allow-Methods").isPresent(),
                    method + " from any page is not granted: a site could write through its visitors' browsers");
        }
    }

    @Test
    void aPreflightIsAnsweredWithoutTheHandlerOrItsLogin() throws Exception {
        Handler guarded = BasicAuth.builder(BasicAuth.users(Map.of("ann", "pw"))).failureDelay(Duration.ZERO, Duration.ZERO)
                .wrap((req, res) -> res.send("secret"));
        server = ServerFixture.start(ServerFixture.loopback(),
                Cors.builder("http://App.example:9000").allowCredentials(true).maxAge(Duration.ofMinutes(10))
                        .allowMethods("GET", "PUT").wrap(guarded));
        HttpResponse<String> r = send("OPTIONS", Map.of("Origin", "http://app.example:9000",
                "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type,x-custom, authorization"));
        assertEquals(204, r.statusCode());
        assertEquals("http://app.example:9000", r.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertEquals("PUT", r.headers().firstValue("Access-Control-Allow-Methods").orElseThrow());
        assertEquals("content-type, x-custom, authorization", r.headers().firstValue("Access-Control-Allow-Headers").orElseThrow());
        assertEquals("600", r.headers().firstValue("Access-Control-Max-Age").orElseThrow());
        assertEquals("true", r.headers().firstValue("Access-Control-Allow-Credentials").orElseThrow());
        assertTrue(r.headers().allValues("Vary").contains("Origin"));

        HttpResponse<String> denied = send("GET", Map.of("Origin", "http://app.example:9000"));
        assertEquals(401, denied.statusCode(), "the real request still needs the login");
        assertEquals("http://app.example:9000", denied.headers().firstValue("Access-Control-Allow-Origin").orElseThrow(),
                "so that the page can read the 401");
        HttpResponse<String> ok = send("GET", Map.of("Origin", "http://app.example:9000", "Authorization", "Basic YW5uOnB3"));
        assertEquals("secret", ok.body());
        assertTrue(ok.headers().allValues("Vary").contains("Origin"));
        assertEquals(401, send("OPTIONS", Map.of()).statusCode(), "an OPTIONS that is no preflight goes to the handler");
    }

    @Test
    void aMalformedPreflightIs400() throws Exception {
        server = ServerFixture.start(ServerFixture.loopback(), Cors.wrap((req, res) -> res.send("x"), "*"));
        for (String extra : new String[] {"Access-Control-Request-Method: P(T\r\n",
            "Access-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: x-a, b@d\r\n",
            "Access-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: " + "a,".repeat(65) + "\r\n"}) {
            try (RawClient c = new RawClient(server.port(), 5_000)) {
                RawResponse r = c.send("OPTIONS /data HTTP/1.1\r\nHost: a\r\nOrigin: http://x.example\r\n" + extra + "\r\n").read();
                assertEquals(400, r.status(), extra);
            }
        }
    }

    @Test
    void originsAreCheckedWhenConfigured() {
        assertEquals("https://a.example:8443", Cors.checkOrigin("HTTPS://A.example:8443"));
        for (String bad : new String[] {"a.example", "https://a.example/path", "ftp://a.example", "https://u@a.example",
            "https://a.example?x", "http://", "null"}) {
            assertThrows(IllegalArgumentException.class, () -> Cors.checkOrigin(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> Cors.builder("*").allowCredentials(true));
    }
}
