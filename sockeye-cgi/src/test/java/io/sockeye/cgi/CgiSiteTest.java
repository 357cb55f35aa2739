package io.sockeye.cgi;

import static io.sockeye.cgi.CgiTesting.script;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.sockeye.Handler;
import io.sockeye.HttpServer;
import io.sockeye.Router;
import io.sockeye.files.FileHandler;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;

/**
 * A whole site as the CLI composes it ({@code Site.handler}): a Router with the scripts at /cgi-bin/
 * and a FileHandler for everything else that excludes the script directory. First the tutorial's demo
 * from {@code site/}, then the ways a script's source could leak or a file could be run.
 */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class CgiSiteTest {

    /** Lines of post.py that only its source holds, never its output. */
    static final List<String> POST_PY_SOURCE = List.of("parse_qs", "html.escape", "CONTENT_LENGTH", "#!/usr/bin/env python3");

    @TempDir
    static Path tmp;
    /** The repository's demo site, served as it is. */
    static Path demo;
    static HttpServer demoServer;
    /** A copy of it with traps added: links into cgi-bin, an executable in the docroot. */
    static Path site;
    static Path marks;
    static HttpServer siteServer;
    /** The same copy, with the file handler following symbolic links. */
    static HttpServer followingServer;

    /** The same composition as the CLI's Site.handler. */
    static Handler compose(Path root, boolean followSymlinks) {
        Path cgiBin = root.resolve("cgi-bin");
        Router router = Router.create();
        router.mount("/cgi-bin/", CgiHandler.builder(cgiBin)
                .documentRoot(root)
                .timeout(Duration.ofSeconds(10))
                .localRedirects(router)
                .build());
        router.mount("/", FileHandler.builder(root).followSymlinks(followSymlinks).exclude(cgiBin).build());
        return router;
    }

    static Path findDemo() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("site");
            if (Files.isRegularFile(candidate.resolve("cgi-bin/post.py")) && Files.isRegularFile(candidate.resolve("index.html"))) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("the demo site (site/cgi-bin/post.py) is not above " + Path.of("").toAbsolutePath());
    }

    @BeforeAll
    static void start() throws Exception {
        demo = findDemo();
        assertTrue(Files.isExecutable(demo.resolve("cgi-bin/post.py")), "post.py is checked in executable");
        demoServer = CgiTesting.start(compose(demo, false));

        site = tmp.resolve("site");
        marks = tmp.resolve("marks");
        Files.createDirectories(marks);
        try (Stream<Path> all = Files.walk(demo)) {
            for (Path p : all.toList()) {
                Path to = site.resolve(demo.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(to);
                else Files.copy(p, to, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        // an executable in the docroot, outside cgi-bin: must never run (its output, "RAN-run", is not in its source)
        script(site, "run.sh", "#!/bin/sh\n# SOURCE-OF-run\n: > '" + marks.resolve("run-ran") + "'\nprintf 'Content-Type: text/plain\\n\\n%s-%s\\n' RAN run\n");
        script(site, "sub/run.py", "#!/usr/bin/env python3\n# SOURCE-OF-runpy\nopen('" + marks.resolve("runpy-ran") + "', 'w').close()\n"
                + "print('Content-Type: text/plain')\nprint()\nprint('RAN' + '-runpy')\n");
        // links elsewhere in the docroot that lead into cgi-bin
        Files.createSymbolicLink(site.resolve("alias"), site.resolve("cgi-bin"));
        Files.createSymbolicLink(site.resolve("relative-alias"), Path.of("cgi-bin"));
        Files.createSymbolicLink(site.resolve("post-link.py"), site.resolve("cgi-bin/post.py"));
        Files.createSymbolicLink(site.resolve("post.txt"), Path.of("cgi-bin/post.py"));
        Files.createDirectories(site.resolve("deep"));
        Files.createSymbolicLink(site.resolve("deep/up"), Path.of("../cgi-bin"));
        siteServer = CgiTesting.start(compose(site, false));
        followingServer = CgiTesting.start(compose(site, true));
    }

    @AfterAll
    static void stop() throws Exception {
        if (demoServer != null) demoServer.close();
        if (siteServer != null) siteServer.close();
        if (followingServer != null) followingServer.close();
        CgiTesting.assertNoProcessesUnder(tmp);
    }

    @BeforeEach
    void clearMarks() throws Exception {
        try (var s = Files.list(marks)) {
            for (Path p : s.toList()) Files.delete(p);
        }
    }

    static RawResponse raw(HttpServer server, String method, String target) throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            return c.send(method + " " + target + " HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").read();
        }
    }

    static HttpResponse<byte[]> postForm(HttpServer server, String form) throws Exception {
        return CgiTesting.post(server, "/cgi-bin/post.py", "application/x-www-form-urlencoded",
                form.getBytes(StandardCharsets.US_ASCII));
    }

    static void assertNoSource(String what, RawResponse r) {
        String body = r.text();
        for (String s : POST_PY_SOURCE) assertFalse(body.contains(s), what + ": post.py's source was sent (" + s + "): " + body);
        assertFalse(body.contains("SOURCE-OF-"), what + ": a script's source was sent");
    }

    // ---- the tutorial's demo ----------------------------------------------------------------------

    @Test
    void indexIsTheWowPageWithTheForm() throws Exception {
        HttpResponse<byte[]> r = CgiTesting.get(demoServer, "/");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        String page = CgiTesting.text(r);
        assertTrue(page.contains("<title>WOW</title>"), page);
        assertTrue(page.contains("Wow, Python Server"), page);
        assertTrue(page.contains("action=\"cgi-bin/post.py\""), page);
        assertTrue(page.contains("method=\"post\""), page);
        assertTrue(page.contains("name=\"firstname\""), page);
        assertTrue(page.contains("<img src=\"test.jpg\"/>"), page);
    }

    @Test
    void theImageIsAJpegWithTheFilesBytes() throws Exception {
        HttpResponse<byte[]> r = CgiTesting.get(demoServer, "/test.jpg");
        assertEquals(200, r.statusCode());
        assertEquals("image/jpeg", r.headers().firstValue("Content-Type").orElse(null));
        assertArrayEquals(Files.readAllBytes(demo.resolve("test.jpg")), r.body());
    }

    @Test
    void postingTheFormGreetsByName() throws Exception {
        HttpResponse<byte[]> r = postForm(demoServer, "firstname=Vamei");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        String page = CgiTesting.text(r);
        assertTrue(page.contains("<p>Hello world!</p>"), page);
        assertTrue(page.contains("<p>Vamei</p>"), page);
    }

    @Test
    void theNameIsEscaped() throws Exception {
        HttpResponse<byte[]> r = postForm(demoServer, "firstname=" + URLEncoder.encode("<script>x</script>", StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode());
        String page = CgiTesting.text(r);
        assertTrue(page.contains("&lt;script&gt;x&lt;/script&gt;"), page);
        assertFalse(page.contains("<script>"), page);
    }

    @Test
    void aUtf8NameComesBack() throws Exception {
        HttpResponse<byte[]> r = postForm(demoServer, "firstname=%E5%BC%A0%E4%B8%89");
        assertEquals(200, r.statusCode());
        assertTrue(CgiTesting.text(r).contains("<p>张三</p>"), CgiTesting.text(r));
    }

    @Test
    void theFormAlsoWorksAsAGet() throws Exception {
        HttpResponse<byte[]> r = CgiTesting.get(demoServer, "/cgi-bin/post.py?firstname=Vamei");
        assertEquals(200, r.statusCode());
        assertTrue(CgiTesting.text(r).contains("<p>Vamei</p>"));
    }

    @Test
    void theFormActionResolvesToTheScript() throws Exception {
        // the browser resolves action="cgi-bin/post.py" against "/" to "/cgi-bin/post.py"
        java.net.URI action = CgiTesting.uri(demoServer, "/").resolve("cgi-bin/post.py");
        HttpResponse<byte[]> r = CgiTesting.CLIENT.send(java.net.http.HttpRequest.newBuilder(action)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("firstname=Vamei")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertTrue(CgiTesting.text(r).contains("<p>Vamei</p>"));
    }

    // ---- the script's source never leaks ----------------------------------------------------------

    @Test
    void theScriptRunsAtItsPath() throws Exception {
        RawResponse r = raw(siteServer, "GET", "/cgi-bin/post.py");
        assertEquals(200, r.status());
        assertTrue(r.text().contains("<p>Hello world!</p>"), r.text());
        assertNoSource("/cgi-bin/post.py", r);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/x/../cgi-bin/post.py", "//cgi-bin/post.py", "/./cgi-bin/post.py", "/cgi-bin//post.py",
            "/cgi-bin/./post.py", "/CGI-BIN/post.py", "/Cgi-Bin/post.py", "/cgi-bin/POST.PY", "/%63gi-bin/post.py",
            "/cgi%2Dbin/post.py", "/%2563gi-bin/post.py", "/cgi-bin%2fpost.py", "/cgi-bin%2Fpost.py", "/cgi-bin/post.py/",
            "/cgi-bin/post.py%00", "/cgi-bin/post.py.", "/cgi-bin/post.py%20", "/cgi-bin/", "/cgi-bin",
            "/alias/post.py", "/relative-alias/post.py", "/deep/up/post.py", "/post-link.py", "/post.txt",
            "/alias/", "/alias", "/%61lias/post.py", "/x/../alias/post.py", "/deep/up/", "/cgi-bin/post.py?download=1"})
    void noPathReturnsTheScriptsSource(String target) throws Exception {
        for (HttpServer server : List.of(siteServer, followingServer)) {
            for (String method : List.of("GET", "HEAD")) {
                RawResponse r;
                try (RawClient c = new RawClient(server.port())) {
                    r = c.send(method + " " + target + " HTTP/1.1\r\nHost: a\r\n\r\n").read(method.equals("HEAD"));
                }
                assertNoSource(method + " " + target, r);
                if (method.equals("HEAD") && r.status() == 200) {
                    // a HEAD has no body to look at: the type must not be that of a file served as such
                    String type = r.header("Content-Type");
                    assertTrue(type == null || type.startsWith("text/html"), method + " " + target + ": " + type);
                }
                // following a redirect must not lead to the source either
                if (r.status() >= 300 && r.status() < 400 && r.header("Location") != null && r.header("Location").startsWith("/")) {
                    RawResponse followed = raw(server, "GET", r.header("Location"));
                    assertNoSource(target + " -> " + r.header("Location"), followed);
                }
            }
        }
    }

    @Test
    void linksIntoCgiBinAreRefused() throws Exception {
        for (String target : List.of("/alias/post.py", "/post-link.py", "/post.txt", "/deep/up/post.py", "/relative-alias/post.py")) {
            for (HttpServer server : List.of(siteServer, followingServer)) {
                RawResponse r = raw(server, "GET", target);
                assertTrue(r.status() == 403 || r.status() == 404, target + ": " + r.statusLine());
            }
        }
    }

    // ---- nothing outside cgi-bin runs --------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST", "HEAD", "PUT"})
    void anExecutableInTheDocrootIsNeverRun(String method) throws Exception {
        for (String target : List.of("/run.sh", "/run.sh/x", "/sub/run.py", "/run.sh?x=1", "/cgi-bin/../run.sh", "/sub/run.py/info")) {
            for (HttpServer server : List.of(siteServer, followingServer)) {
                RawResponse r;
                try (RawClient c = new RawClient(server.port())) {
                    r = c.send(method + " " + target + " HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").read(method.equals("HEAD"));
                }
                assertFalse(r.text().contains("RAN-run"), method + " " + target + " ran: " + r.text());
                if (r.status() == 200 && !method.equals("HEAD")) {
                    // served as a file: its bytes, not its output
                    assertTrue(r.text().contains("SOURCE-OF-"), method + " " + target + ": " + r.text());
                }
            }
        }
        try (var s = Files.list(marks)) {
            assertEquals(List.of(), s.toList(), "a script outside cgi-bin ran");
        }
    }

    @Test
    void anExecutableInTheDocrootIsServedAsAFile() throws Exception {
        RawResponse r = raw(siteServer, "GET", "/run.sh");
        assertEquals(200, r.status());
        assertEquals(Files.readString(site.resolve("run.sh")), r.text());
        assertFalse(Files.exists(marks.resolve("run-ran")));
    }

    @Test
    void aLocalRedirectFromAScriptCanReachAFile() throws Exception {
        script(site.resolve("cgi-bin"), "to-index.sh", "#!/bin/sh\nprintf 'Location: /index.html\\n\\n'\n");
        HttpResponse<byte[]> r = CgiTesting.get(siteServer, "/cgi-bin/to-index.sh");
        assertEquals(200, r.statusCode());
        assertTrue(CgiTesting.text(r).contains("<title>WOW</title>"));
        assertTrue(r.headers().firstValue("Location").isEmpty());
    }

    @Test
    void aLocalRedirectFromAScriptCannotReachAScriptsSource() throws Exception {
        script(site.resolve("cgi-bin"), "to-alias.sh", "#!/bin/sh\nprintf 'Location: /alias/post.py\\n\\n'\n");
        script(site.resolve("cgi-bin"), "to-dots.sh", "#!/bin/sh\nprintf 'Location: /x/../cgi-bin/post.py\\n\\n'\n");
        for (String t : List.of("/cgi-bin/to-alias.sh", "/cgi-bin/to-dots.sh")) {
            RawResponse r = raw(siteServer, "GET", t);
            assertNoSource(t, r);
        }
    }
}
