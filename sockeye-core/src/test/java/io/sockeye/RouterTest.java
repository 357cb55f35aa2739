package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;

/** The {@link Router}, exercised through a real server and the JDK's HTTP client. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RouterTest {

    private static HttpClient client;
    private final List<HttpServer> servers = new ArrayList<>();
    private int port;

    @BeforeAll
    static void client() {
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void closeClient() {
        client.close();
    }

    @AfterEach
    void stop() {
        for (HttpServer s : servers) s.shutdown(Duration.ZERO);
    }

    // ---- exact routes, HEAD ----

    @Test
    void exactRoutesAnswerTheirMethodAndPathOnly() throws Exception {
        serve(Router.create()
                .get("/hello", (req, res) -> res.send("hello"))
                .post("/hello", (req, res) -> res.send("posted"))
                .get("/hello/world", (req, res) -> res.send("world")));

        assertResponse(200, "hello", get("/hello"));
        assertResponse(200, "posted", send("POST", "/hello"));
        assertResponse(200, "world", get("/hello/world"));
        assertEquals(404, get("/hello/").statusCode(), "exact means exact: a trailing slash is another path");
        assertEquals(404, get("/hell").statusCode());
        assertEquals(404, get("/hello/world/again").statusCode());
    }

    @Test
    void exactRoutesCompareThePercentDecodedPath() throws Exception {
        serve(Router.create().get("/hello", (req, res) -> res.send("hello " + req.rawPath())));
        assertResponse(200, "hello /hel%6Co", get("/hel%6Co"));
    }

    @Test
    void aGetRouteAnswersHeadWithoutABody() throws Exception {
        List<String> methods = new ArrayList<>();
        serve(Router.create().get("/page", (req, res) -> {
            methods.add(req.method());
            res.send("twelve bytes");
        }));
        try (RawClient c = new RawClient(port)) {
            RawResponse head = c.send("HEAD /page HTTP/1.1\r\nHost: x\r\n\r\n").read(true);
            assertEquals(200, head.status());
            assertEquals("12", head.header("Content-Length"), "HEAD gets the length a GET would");
            // if a body had been sent after the HEAD response, it would be read here instead of the GET's head
            RawResponse getAfter = c.send("GET /page HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertEquals(200, getAfter.status());
            assertEquals("twelve bytes", getAfter.text());
        }
        assertEquals(List.of("HEAD", "GET"), methods, "the GET handler ran for HEAD, seeing the real method");

        HttpResponse<String> viaClient = client.send(request("/page").method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertResponse(200, "", viaClient);
    }

    @Test
    void aPostRouteDoesNotAnswerHead() throws Exception {
        serve(Router.create().post("/form", (req, res) -> res.send("posted")));
        HttpResponse<String> r = client.send(request("/form").method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, r.statusCode());
    }

    // ---- parameters ----

    @Test
    void parametersAreDecodedOneSegmentAtATime() throws Exception {
        serve(Router.create()
                .get("/users/{id}", (req, res) -> res.send("[" + req.pathParameter("id") + "]" + req.pathParameter("nope")))
                .get("/users/{id}/posts/{post}", (req, res) -> res.send(req.pathParameter("id") + "|" + req.pathParameter("post"))));

        assertResponse(200, "[42]null", get("/users/42"));
        assertResponse(200, "[a b]null", get("/users/a%20b"));
        assertResponse(200, "[a/b]null", get("/users/a%2Fb"), "%2F stays inside the parameter");
        assertResponse(200, "[café]null", get("/users/caf%C3%A9"));
        assertResponse(200, "[a+b]null", get("/users/a+b"), "+ is not a space in a path");
        assertResponse(200, "7|x y", get("/users/7/posts/x%20y"));
        assertEquals(404, get("/users/a/b").statusCode(), "{id} is one segment");
        assertEquals(404, get("/users/42/posts").statusCode());
    }

    @Test
    void aMalformedEscapeInARoutedPathIsA400() throws Exception {
        serve(Router.create().get("/users/{id}", (req, res) -> res.send(req.pathParameter("id"))));
        try (RawClient c = new RawClient(port)) {
            assertEquals(400, c.send("GET /users/%zz HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
        }
    }

    @Test
    void restParameterCapturesTheRemainderPossiblyEmpty() throws Exception {
        serve(Router.create().get("/files/{path...}", (req, res) -> res.send("[" + req.pathParameter("path") + "]")));

        assertResponse(200, "[a/b/c.txt]", get("/files/a/b/c.txt"));
        assertResponse(200, "[x y/z]", get("/files/x%20y/z"));
        assertResponse(200, "[one]", get("/files/one"));
        assertResponse(200, "[]", get("/files/"), "the rest may be empty");
        assertEquals(404, get("/filesystem").statusCode());
    }

    @Test
    void patternLiteralSegmentsMustMatch() throws Exception {
        serve(Router.create().get("/a/{x}/c", (req, res) -> res.send(req.pathParameter("x"))));
        assertResponse(200, "b", get("/a/b/c"));
        assertResponse(200, "b", get("/a/b/%63"), "literal segments are compared decoded");
        assertEquals(404, get("/a/b/d").statusCode());
        assertEquals(404, get("/z/b/c").statusCode());
    }

    // ---- precedence ----

    @Test
    void exactBeatsPatternBeatsMountAndLongerMountsBeatShorter() throws Exception {
        // registered in the opposite order of precedence, so that registration order cannot explain the result
        serve(Router.create()
                .mount("/", (req, res) -> res.send("root mount"))
                .mount("/items/", (req, res) -> res.send("items mount"))
                .get("/items/{id}", (req, res) -> res.send("pattern " + req.pathParameter("id")))
                .get("/items/new", (req, res) -> res.send("exact"))
                .mount("/items/special/", (req, res) -> res.send("special mount")));

        assertResponse(200, "exact", get("/items/new"));
        assertResponse(200, "pattern 42", get("/items/42"));
        assertResponse(200, "items mount", get("/items/42/more"));
        assertResponse(200, "special mount", get("/items/special/x"));
        assertResponse(200, "items mount", get("/items/specialx/y"));
        assertResponse(200, "root mount", get("/elsewhere"));
        // a mount answers every method, so it takes what the GET-only exact route and pattern do not
        assertResponse(200, "items mount", send("POST", "/items/new"));
    }

    // ---- mounts ----

    @Test
    void aMountedHandlerSeesItsMountPathAndThePathWithinIt() throws Exception {
        Handler show = (req, res) -> res.send(req.mountPath() + "|" + req.pathWithinMount() + "|" + req.path());
        serve(Router.create()
                .mount("/static/", show)
                .mount("/", show)
                .get("/plain", show));

        assertResponse(200, "/static|/css/site.css|/static/css/site.css", get("/static/css/site.css"));
        assertResponse(200, "/static|/|/static/", get("/static/"));
        assertResponse(200, "/static|/a b|/static/a b", get("/static/a%20b"));
        assertResponse(200, "|/other|/other", get("/other"), "the root mount has an empty mount path");
        assertResponse(200, "|/plain|/plain", get("/plain"), "outside a mount the mount path is empty");
    }

    @Test
    void aRouterMountedInARouterGivesAMountPathThatIsAPrefixOfThePath() throws Exception {
        // Routers compose (a Router is a Handler). Whether the inner router routes on the full path or on the
        // path within the outer mount, the handler it mounts must see a mountPath() that prefixes path(), and
        // a pathWithinMount() that starts with '/' (Request's contract). Both interpretations are offered.
        Handler show = (req, res) -> res.send(req.mountPath() + "|" + req.pathWithinMount());
        Router inner = Router.create()
                .mount("/static/", show)        // relative to the outer mount
                .mount("/api/static/", show);   // or the full path
        serve(Router.create().mount("/api/", inner));

        HttpResponse<String> r = get("/api/static/x.css");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("/api/static|/x.css", r.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "BREW"})
    void aMountAnswersEveryMethod(String method) throws Exception {
        serve(Router.create().mount("/api/", (req, res) -> res.send("mount saw " + req.method())));
        assertResponse(200, "mount saw " + method, send(method, "/api/thing"));
    }

    @Test
    void aMountPrefixWithoutItsSlashRedirectsKeepingTheQuery() throws Exception {
        serve(Router.create().mount("/static/", (req, res) -> res.send("static")));

        HttpResponse<String> r = get("/static?x=1&y=a%20b");
        assertEquals(301, r.statusCode());
        assertEquals("/static/?x=1&y=a%20b", r.headers().firstValue("Location").orElse(null));

        HttpResponse<String> plain = get("/static");
        assertEquals(301, plain.statusCode());
        assertEquals("/static/", plain.headers().firstValue("Location").orElse(null));
    }

    // ---- not found, method not allowed, OPTIONS ----

    @Test
    void noMatchIs404ByDefault() throws Exception {
        serve(Router.create().get("/here", (req, res) -> res.send("here")));
        assertEquals(404, get("/there").statusCode());
        assertEquals(404, send("DELETE", "/there").statusCode(), "a path no route knows is 404 whatever the method");
    }

    @Test
    void aCustomNotFoundHandlerAnswersUnmatchedRequests() throws Exception {
        serve(Router.create()
                .get("/here", (req, res) -> res.send("here"))
                .notFound((req, res) -> res.status(404).send("custom: nothing at " + req.path())));
        assertResponse(404, "custom: nothing at /there", get("/there"));
        assertResponse(200, "here", get("/here"));
    }

    @Test
    void wrongMethodOnAKnownPathIs405WithAllow() throws Exception {
        serve(Router.create()
                .get("/thing", (req, res) -> res.send("get"))
                .post("/thing", (req, res) -> res.send("post"))
                .delete("/things/{id}", (req, res) -> res.send("deleted")));

        HttpResponse<String> r = send("DELETE", "/thing");
        assertEquals(405, r.statusCode());
        assertEquals(Set.of("GET", "HEAD", "POST", "OPTIONS"), allow(r), "GET implies HEAD; OPTIONS is always allowed");

        HttpResponse<String> p = send("PUT", "/things/7");
        assertEquals(405, p.statusCode());
        assertEquals(Set.of("DELETE", "OPTIONS"), allow(p), "no GET route here, so no HEAD either");
    }

    @Test
    void allowListsTheMethodsOfEveryRouteWhosePathMatched() throws Exception {
        serve(Router.create()
                .get("/mixed/x", (req, res) -> res.send("exact get"))
                .put("/mixed/{id}", (req, res) -> res.send("pattern put"))
                .patch("/{any}/x", (req, res) -> res.send("pattern patch")));

        HttpResponse<String> r = send("DELETE", "/mixed/x");
        assertEquals(405, r.statusCode());
        assertEquals(Set.of("GET", "HEAD", "PUT", "PATCH", "OPTIONS"), allow(r));
        assertResponse(200, "pattern put", send("PUT", "/mixed/x"), "the pattern answers the method the exact route lacks");
    }

    @Test
    void optionsOnAKnownPathIs204WithAllow() throws Exception {
        serve(Router.create()
                .get("/thing", (req, res) -> res.send("get"))
                .put("/thing", (req, res) -> res.send("put")));

        HttpResponse<String> r = send("OPTIONS", "/thing");
        assertEquals(204, r.statusCode());
        assertEquals(Set.of("GET", "HEAD", "PUT", "OPTIONS"), allow(r));
        assertEquals("", r.body());

        try (RawClient c = new RawClient(port)) {
            RawResponse raw = c.send("OPTIONS /thing HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertEquals(204, raw.status());
            assertNull(raw.header("Content-Length"), "RFC 9110 §8.6: no Content-Length in a 204");
            assertNull(raw.header("Transfer-Encoding"), "RFC 9112 §6.1: no Transfer-Encoding in a 204");
        }
    }

    @Test
    void optionsStarAsksAboutTheWholeServer() throws Exception {
        // RFC 9110 §9.3.7: "OPTIONS *" names no resource; the answer lists what the server takes anywhere
        Handler opaque = (req, res) -> res.send("mounted");
        serve(Router.create()
                .put("/thing", (req, res) -> res.send("put"))
                .mount("/api/", Router.create().delete("/x", (req, res) -> res.send("deleted")))
                .mount("/", opaque));
        try (RawClient c = new RawClient(port)) {
            RawResponse raw = c.send("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertEquals(204, raw.status(), raw.statusLine());
            assertEquals(Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"),
                    Set.of(raw.header("Allow").split(",\\s*")), "routes, a mounted router's routes, and what a mounted handler takes");
            // the connection goes on
            assertEquals("put", c.send("PUT /thing HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").read().text());
        }
    }

    @Test
    void anExplicitOptionsRouteAnswersOptions() throws Exception {
        serve(Router.create()
                .get("/thing", (req, res) -> res.send("get"))
                .route("OPTIONS", "/thing", (req, res) -> res.send("my options")));
        assertResponse(200, "my options", send("OPTIONS", "/thing"));
    }

    @Test
    void aStarRouteAnswersEveryMethod() throws Exception {
        serve(Router.create().route("*", "/any/{x}", (req, res) -> res.send(req.method() + " " + req.pathParameter("x"))));
        assertResponse(200, "DELETE 1", send("DELETE", "/any/1"));
        assertResponse(200, "BREW 2", send("BREW", "/any/2"));
    }

    // ---- malformed patterns ----

    @ParameterizedTest
    @ValueSource(strings = {"", "users", "users/{id}", "/users/{id", "/users/id}", "/users/{}", "/a{b}", "/{a}b",
            "/files/{rest...}/more", "/{...}", "/x/{...}"})
    void malformedPatternsAreRejected(String pattern) {
        Handler h = (req, res) -> res.send("x");
        assertThrows(IllegalArgumentException.class, () -> Router.create().get(pattern, h), pattern);
        assertThrows(IllegalArgumentException.class, () -> Router.create().route("PUT", pattern, h), pattern);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/users/{a}b}", "/users/{{id}", "/{a{b}"})
    void bracesInsideAParameterNameAreRejected(String pattern) {
        // a stray brace makes a parameter whose name ("a}b", "{id") no handler could ever ask for
        assertThrows(IllegalArgumentException.class, () -> Router.create().get(pattern, (req, res) -> res.send("x")), pattern);
    }

    @Test
    void aMountPrefixWithoutItsTrailingSlashIsTheSameMount() throws Exception {
        Handler show = (req, res) -> res.send(req.mountPath() + "|" + req.pathWithinMount());
        serve(Router.create().mount("/files", show).mount("/", (req, res) -> res.send("root")));
        assertResponse(200, "/files|/a.txt", get("/files/a.txt"));
        assertResponse(200, "/files|/", get("/files/"));
        HttpResponse<String> bare = get("/files");
        assertEquals(301, bare.statusCode(), "the bare prefix goes to the mount, as with '/files/'");
        assertEquals("/files/", bare.headers().firstValue("Location").orElse(""));
        assertResponse(200, "root", get("/filesystem"), "a longer name is not inside the mount");
    }

    @Test
    void theOneLineStartServesOnTheGivenPort() throws Exception {
        HttpServer server = HttpServer.start(0, (req, res) -> res.send("one line"));
        servers.add(server);
        assertTrue(server.port() > 0);
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertResponse(200, "one line", r);
    }

    @Test
    void aBindAddressGivenAsTextIsResolvedOrRefused() {
        assertEquals("127.0.0.1", ServerConfig.defaults().withBindAddress("127.0.0.1").bindAddress().getHostAddress());
        assertTrue(ServerConfig.defaults().withBindAddress("[::1]").bindAddress().isLoopbackAddress());
        assertTrue(ServerConfig.defaults().withBindAddress("::1").bindAddress() instanceof java.net.Inet6Address);
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.defaults().withBindAddress("no-such-host.invalid"));
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.defaults().withBindAddress(""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "static/", "static"})
    void malformedMountPrefixesAreRejected(String prefix) {
        assertThrows(IllegalArgumentException.class, () -> Router.create().mount(prefix, (req, res) -> res.send("x")), prefix);
    }

    // ---- helpers ----

    private void serve(Router router) throws IOException {
        HttpServer server = HttpServer.create(ServerConfig.defaults().withBindAddress(java.net.InetAddress.getByName("127.0.0.1"))
                .withPort(0), router).start();
        servers.add(server);
        port = server.port();
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).timeout(Duration.ofSeconds(5));
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return client.send(request(pathAndQuery).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String pathAndQuery) throws IOException, InterruptedException {
        return client.send(request(pathAndQuery).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Set<String> allow(HttpResponse<?> r) {
        List<String> values = r.headers().allValues("Allow");
        assertTrue(!values.isEmpty(), "an Allow field");
        return values.stream().flatMap(v -> Arrays.stream(v.split(","))).map(String::strip)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static void assertResponse(int status, String body, HttpResponse<String> r) {
        assertResponse(status, body, r, null);
    }

    private static void assertResponse(int status, String body, HttpResponse<String> r, String message) {
        String where = r.request().method() + " " + r.uri().getRawPath() + (message == null ? "" : " (" + message + ")");
        assertEquals(status, r.statusCode(), where + ": status; body " + r.body());
        assertEquals(body, r.body(), where + ": body");
    }
}
