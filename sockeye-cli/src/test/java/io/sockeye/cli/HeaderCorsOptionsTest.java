package io.sockeye.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code -H} and {@code --cors} from the command line, over the JDK's client. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HeaderCorsOptionsTest {

    @TempDir
    Path site;

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private Main.Launch launch;

    @BeforeEach
    void files() throws Exception {
        Files.writeString(site.resolve("index.html"), "<p>hello from the other origin</p>");
    }

    @AfterEach
    void stop() {
        if (launch != null) launch.stop();
    }

    private Main.Launch run(String... args) {
        List<String> all = new ArrayList<>(List.of("-q", "-b", "127.0.0.1", "-d", site.toString()));
        all.addAll(List.of(args));
        all.add("0");
        launch = Main.launch(all.toArray(String[]::new), out, err);
        return launch;
    }

    private String errText() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    private HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + launch.server().port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void headersGoOnEveryResponse() throws Exception {
        assertTrue(run("-H", "X-Frame-Options: DENY", "--header", "Content-Security-Policy:  default-src 'self'",
                "-H", "X-Empty:", "--auth", "ann:pw").started(), errText());
        for (HttpResponse<String> r : List.of(send("GET", "/"), send("GET", "/", "Authorization", "Basic YW5uOnB3"),
                send("GET", "/missing", "Authorization", "Basic YW5uOnB3"))) {
            assertEquals("DENY", r.headers().firstValue("X-Frame-Options").orElse(null), r.toString());
            assertEquals("default-src 'self'", r.headers().firstValue("Content-Security-Policy").orElse(null), r.toString());
            assertEquals("", r.headers().firstValue("X-Empty").orElse(null), r.toString());
        }
    }

    @Test
    void malformedHeadersAreUsageErrors() {
        String[][] cases = {{"NoColon", "-H takes"}, {"Bad Name: x", "not a header name"}, {": x", "-H takes"},
            {"X-A: one\r\nSet-Cookie: a=b", "control character"}, {"X-A: \u0000", "control character"},
            {"Content-Length: 5", "the server's to set"}, {"X-A: \u20ac", "non-Latin-1"}};
        for (String[] c : cases) {
            errBytes.reset();
            Main.Launch l = run("-H", c[0]);
            assertFalse(l.started(), c[0]);
            assertEquals(Main.USAGE, l.exitCode());
            assertTrue(errText().contains(c[1]), c[1] + " in " + errText());
        }
    }

    @Test
    void corsWithoutAnOriginLetsAnyPageRead() throws Exception {
        assertTrue(run("--cors").started(), errText());
        HttpResponse<String> r = send("GET", "/", "Origin", "http://localhost:1234");
        assertEquals(200, r.statusCode());
        assertEquals("*", r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        HttpResponse<String> pre = send("OPTIONS", "/", "Origin", "http://localhost:1234",
                "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "X-Requested-With");
        assertEquals(204, pre.statusCode());
        assertEquals(null, pre.headers().firstValue("Access-Control-Allow-Methods").orElse(null),
                "any page may read, none may PUT through its visitors' browsers");
        assertEquals("X-Requested-With", pre.headers().firstValue("Access-Control-Allow-Headers").orElse(null));
        assertEquals("7200", pre.headers().firstValue("Access-Control-Max-Age").orElse(null));
        assertEquals(400, send("OPTIONS", "/", "Origin", "http://localhost:1234", "Access-Control-Request-Method", "P{T")
                .statusCode());
    }

    @Test
    void corsForOneOriginVariesByOriginAndItsPreflightNeedsNoLogin() throws Exception {
        assertTrue(run("--cors", "http://localhost:1234", "--auth", "ann:pw").started(), errText());
        HttpResponse<String> pre = send("OPTIONS", "/", "Origin", "http://localhost:1234",
                "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "authorization");
        assertEquals(204, pre.statusCode(), "a preflight comes without the login");
        assertEquals("http://localhost:1234", pre.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertEquals("true", pre.headers().firstValue("Access-Control-Allow-Credentials").orElse(null));
        assertEquals("authorization", pre.headers().firstValue("Access-Control-Allow-Headers").orElse(null));
        HttpResponse<String> r = send("GET", "/", "Origin", "http://localhost:1234", "Accept-Encoding", "gzip",
                "Authorization", "Basic YW5uOnB3");
        assertEquals(200, r.statusCode());
        assertEquals("http://localhost:1234", r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        String vary = String.join(",", r.headers().allValues("Vary"));
        assertTrue(vary.contains("Origin") && vary.contains("Accept-Encoding"), "both reasons to vary survive: " + vary);
        assertEquals(401, send("GET", "/", "Origin", "http://localhost:1234").statusCode());
    }

    @Test
    void writesFromAnotherOriginOnlyForANamedOneWithUploads() throws Exception {
        assertTrue(run("--cors", "--upload", "--delete").started(), errText());
        for (String method : new String[] {"PUT", "DELETE"}) {
            HttpResponse<String> pre = send("OPTIONS", "/a.txt", "Origin", "http://elsewhere.example", "Access-Control-Request-Method", method);
            assertEquals(null, pre.headers().firstValue("Access-Control-Allow-Methods").orElse(null), "--cors '*': no " + method);
        }
        launch.stop();
        assertTrue(run("--cors", "http://localhost:5173", "--upload", "--delete").started(), errText());
        for (String method : new String[] {"PUT", "DELETE"}) {
            HttpResponse<String> pre = send("OPTIONS", "/a.txt", "Origin", "http://localhost:5173", "Access-Control-Request-Method", method);
            assertEquals(method, pre.headers().firstValue("Access-Control-Allow-Methods").orElse(null), "the named origin may " + method);
        }
    }

    @Test
    void aPortAfterCorsIsThePort() throws Exception {
        launch = Main.launch(new String[] {"-q", "-b", "127.0.0.1", "-d", site.toString(), "--cors", "0"}, out, err);
        assertTrue(launch.started(), errText());
        assertEquals("*", send("GET", "/").headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        launch.stop();
        errBytes.reset();
        launch = Main.launch(new String[] {"-q", "-b", "127.0.0.1", "-d", site.toString(), "--cors", "8080", "0"}, out, err);
        assertFalse(launch.started(), "two ports");
        assertTrue(errText().contains("write --cors='*'"), errText());
    }

    @Test
    void badOriginsAreUsageErrors() {
        for (String[] c : new String[][] {{"localhost:1234", "not an origin"},
            {"http://a.example/path", "not an origin"}}) {
            errBytes.reset();
            List<String> all = List.of("-q", "-b", "127.0.0.1", "-d", site.toString(), "--cors", c[0]);
            Main.Launch l = Main.launch(all.toArray(String[]::new), out, err);
            assertFalse(l.started(), c[0]);
            assertTrue(errText().contains(c[1]), c[1] + " in " + errText());
        }
    }
}
