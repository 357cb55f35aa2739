package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.sockeye.testsupport.LogCapture;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;
import io.sockeye.testsupport.ServerFixture;

/** {@link BasicAuth} over real sockets: right, wrong, missing and malformed credentials, and the slowed 401s. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WireBasicAuthTest {

    static final Handler WHO = (req, res) -> res.send("hello " + req.remoteUser().orElse("nobody"));

    HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    void start(BasicAuth.Builder auth) throws Exception {
        server = ServerFixture.start(ServerFixture.loopback(), auth.wrap(WHO));
    }

    static BasicAuth.Builder ann() {
        // "pass:word" holds a colon: only the first one splits (RFC 7617 §2); "ünï" is UTF-8 on the wire
        return BasicAuth.builder(BasicAuth.users(Map.of("ann", "pass:word", "ünï", "cödé")))
                .realm("The \"files\"").failureDelay(Duration.ZERO, Duration.ZERO);
    }

    static String basic(String userPass) {
        return "Basic " + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8));
    }

    RawResponse raw(String method, String authorization) throws Exception {
        try (RawClient c = new RawClient(server.port(), 10_000)) {
            return c.send(method + " / HTTP/1.1\r\nHost: a\r\n" + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                    + "Content-Length: 0\r\n\r\n").read(method.equals("HEAD"));
        }
    }

    @Test
    void theRightCredentialsPassAndTheHandlerSeesTheUser() throws Exception {
        start(ann());
        HttpClient client = ServerFixture.httpClient();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/"))
                .header("Authorization", basic("ann:pass:word")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("hello ann", r.body());
        assertEquals("hello ünï", raw("GET", basic("ünï:cödé")).text());
        assertEquals(200, raw("GET", "basic   " + Base64.getEncoder().encodeToString("ann:pass:word".getBytes())).status(),
                "the scheme is case-insensitive and may be followed by several spaces");
    }

    @Test
    void missingCredentialsGetAChallengeThatIsNeverCached() throws Exception {
        start(ann());
        HttpResponse<String> r = ServerFixture.get(ServerFixture.httpClient(), server, "/");
        assertEquals(401, r.statusCode());
        assertEquals("Basic realm=\"The \\\"files\\\"\", charset=\"UTF-8\"", r.headers().firstValue("WWW-Authenticate").orElseThrow());
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElseThrow());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertTrue(r.body().contains("401"), r.body());
        assertFalse(r.body().contains("hello"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ann:wrong", "ann:pass", "bob:pass:word", "ANN:pass:word", ":pass:word", "ann:pass:word "})
    void wrongCredentialsAre401(String userPass) throws Exception {
        start(ann());
        RawResponse r = raw("GET", basic(userPass));
        assertEquals(401, r.status(), userPass);
        assertTrue(r.header("WWW-Authenticate").startsWith("Basic realm="));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Basic !!!", "Basic", "Basic ", "Bearer YW5uOnBhc3M6d29yZA==", "BasicYW5uOnBhc3M6d29yZA==",
        "Basic YW5uOnBhc3M6d29yZA== extra", "Basic YW5ucGFzcw==" /* ann pass, no colon */, "Basic /w==" /* 0xff, not UTF-8 */,
        "Basic YW5uCjpwYXNzOndvcmQ=" /* a LF in the user name */})
    void malformedCredentialsAre401Not400Or500(String field) throws Exception {
        start(ann());
        RawResponse r = raw("GET", field);
        assertEquals(401, r.status(), field);
        assertTrue(r.header("WWW-Authenticate").startsWith("Basic realm="), field);
    }

    @Test
    void aHugeOrRepeatedFieldIsRefused() throws Exception {
        start(ann());
        String good = basic("ann:pass:word");
        assertEquals(401, raw("GET", good + "A".repeat(5000)).status(), "over the field's 4096 characters, under the head limit");
        try (RawClient c = new RawClient(server.port(), 10_000)) {
            RawResponse r = c.send("GET / HTTP/1.1\r\nHost: a\r\nAuthorization: " + good + "\r\nAuthorization: " + good + "\r\n\r\n").read();
            assertEquals(401, r.status(), "two Authorization fields are ambiguous");
        }
        try (RawClient c = new RawClient(server.port(), 10_000)) {
            RawResponse r = c.send("GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Basic " + "QUFB".repeat(20_000) + "\r\n\r\n").read();
            assertEquals(431, r.status(), "past the server's head limit");
        }
        assertEquals(200, raw("GET", good).status(), "and the server still answers");
    }

    @Test
    void failuresAreLoggedWithTheUserEscaped() throws Exception {
        try (LogCapture log = LogCapture.of("io.sockeye.auth")) {
            start(ann());
            raw("GET", basic("mal\"lory\") from 10.0.0.1 (:x"));
            String line = log.await("401 for user").getMessage();
            assertTrue(line.endsWith("from 127.0.0.1 (1 recent failures; answering in 0 ms)"), line);
            assertTrue(line.contains("\"mal\\x22lory\\x22) from 10.0.0.1 (\""), "quotes in the name escaped: " + line);
            raw("GET", basic("mallory\r\n401 for user root from 10.0.0.1:x"));
            raw("GET", "Basic !!!");
            assertTrue(log.await("malformed credentials").getMessage().contains("127.0.0.1"));
            log.clear();
            raw("GET", null);
            raw("GET", basic("ann:pass:word"));
            assertTrue(log.messages().stream().noneMatch(m -> m.contains("401")), "no credentials is not a failure: " + log.messages());
        }
    }

    @Test
    void eachFailureFromAnAddressIsAnsweredLaterUpToTheCap() throws Exception {
        start(ann().failureDelay(Duration.ofMillis(300), Duration.ofMillis(700)));
        long[] took = new long[4];
        for (int i = 0; i < took.length; i++) {
            long t0 = System.nanoTime();
            assertEquals(401, raw("GET", basic("ann:guess" + i)).status());
            took[i] = (System.nanoTime() - t0) / 1_000_000;
        }
        assertTrue(took[0] >= 300 && took[0] < 2_000, "first failure: " + took[0] + " ms");
        assertTrue(took[1] >= 600, "second failure: " + took[1] + " ms");
        assertTrue(took[2] >= 700 && took[2] < 2_500, "capped: " + took[2] + " ms");
        assertTrue(took[3] >= 700 && took[3] < 2_500, "capped: " + took[3] + " ms");
        long t0 = System.nanoTime();
        assertEquals(401, raw("GET", null).status());
        assertEquals(200, raw("GET", basic("ann:pass:word")).status());
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 500, "a request without credentials, and a right one, are not slowed");
    }

    @Test
    void aSlowedFailureDoesNotHoldUpOtherClients() throws Exception {
        start(ann().failureDelay(Duration.ofSeconds(5), Duration.ofSeconds(5)));
        try (RawClient attacker = new RawClient(server.port(), 10_000)) {
            long t0 = System.nanoTime();
            attacker.send("GET / HTTP/1.1\r\nHost: a\r\nAuthorization: " + basic("ann:nope") + "\r\n\r\n");
            Thread.sleep(100); // the attacker's request is now waiting out its delay
            for (int i = 0; i < 20; i++) assertEquals(200, raw("GET", basic("ann:pass:word")).status());
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 4_500, "others were answered while the attacker waited");
            assertEquals(401, attacker.read().status());
            assertTrue((System.nanoTime() - t0) / 1_000_000 >= 5_000);
        }
    }

    @Test
    void writesOnlyLetsReadsThroughAndGuardsTheRest() throws Exception {
        start(ann().writesOnly(true));
        for (String m : new String[] {"GET", "HEAD", "OPTIONS"}) assertEquals(200, raw(m, null).status(), m);
        assertEquals("hello nobody", raw("GET", null).text());
        for (String m : new String[] {"PUT", "POST", "DELETE", "PATCH", "MKCOL"}) {
            assertEquals(401, raw(m, null).status(), m);
            assertEquals(401, raw(m, basic("ann:wrong")).status(), m);
            assertEquals(200, raw(m, basic("ann:pass:word")).status(), m);
        }
    }

    @Test
    void theFailureTableIsBoundedAndCountsIpv6PerBlock() throws Exception {
        AuthFailures table = new AuthFailures(Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofMinutes(15), 3);
        for (int i = 1; i <= 10; i++) table.fail(InetAddress.getByName("10.0.0." + i));
        assertEquals(3, table.size());
        assertEquals(0, table.failures(InetAddress.getByName("10.0.0.1")), "the least recent is forgotten");
        assertEquals(Duration.ofMillis(500), table.fail(InetAddress.getByName("2001:db8::1")));
        assertEquals(Duration.ofMillis(1000), table.fail(InetAddress.getByName("2001:db8::ffff:2")), "same /64");
        assertEquals(Duration.ofMillis(500), table.fail(InetAddress.getByName("2001:db8:0:1::1")), "another /64");
        AuthFailures shortWindow = new AuthFailures(Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofMillis(50), 3);
        shortWindow.fail(InetAddress.getLoopbackAddress());
        Thread.sleep(100);
        assertEquals(Duration.ofMillis(500), shortWindow.fail(InetAddress.getLoopbackAddress()), "old failures are forgotten");
    }

    @Test
    void parsingFollowsRfc7617() {
        assertEquals(new BasicAuth.Credentials("Aladdin", "open sesame"), BasicAuth.parse("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
        assertEquals(new BasicAuth.Credentials("test", "123£"), BasicAuth.parse("Basic dGVzdDoxMjPCow==")); // RFC 7617 §2.1
        assertEquals(new BasicAuth.Credentials("a", ""), BasicAuth.parse("Basic YTo="));
        assertEquals(new BasicAuth.Credentials("a", ""), BasicAuth.parse("Basic YTo"), "padding may be left out");
        assertNull(BasicAuth.parse("Basic YQ=="), "no colon");
        assertFalse(new BasicAuth.Credentials("a", "secret").toString().contains("secret"));
    }

    @Test
    void theRealmMayNotHoldControlCharacters() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> BasicAuth.builder((u, p) -> true).realm("a\r\nSet-Cookie: x=1"));
    }
}
