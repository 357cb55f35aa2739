package io.sockeye.files;

import static io.sockeye.files.FilesTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.sockeye.HttpServer;
import io.sockeye.Router;
import io.sockeye.testsupport.RawClient;

/**
 * The docroot is a jail: no request target, however encoded, reads the secret files placed just outside
 * it, directly or through a Router mount; redirects stay on the site and lead to no secret either.
 */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class JailTest {

    @TempDir
    static Path tmp;
    static Path www;
    static HttpServer plain;
    static HttpServer mounted;
    static final String SECRET = "TOP-SECRET-outside-the-root";
    static final String SIBLING_SECRET = "TOP-SECRET-in-a-sibling";

    @BeforeAll
    static void start() throws Exception {
        www = Files.createDirectory(tmp.resolve("www"));
        write(tmp.resolve("secret.txt"), SECRET);
        write(tmp.resolve("www-secret/secret.txt"), SIBLING_SECRET); // shares the root's name as a prefix
        write(www.resolve("index.html"), "home");
        write(www.resolve("sub/page.txt"), "page");
        write(www.resolve("sub/deeper/x.txt"), "x");
        plain = FilesTestSupport.start(FileHandler.of(www));
        mounted = FilesTestSupport.start(Router.create()
                .get("/", (req, res) -> res.send("site home"))
                .mount("/static/", FileHandler.of(www)));
    }

    @AfterAll
    static void stop() {
        if (plain != null) plain.close();
        if (mounted != null) mounted.close();
    }

    /** A response read to the end of the connection: status, head and everything. */
    record Exchange(String target, int status, String head, String all) {
        String location() {
            for (String line : head.split("\r\n")) {
                if (line.regionMatches(true, 0, "Location:", 0, 9)) return line.substring(9).strip();
            }
            return null;
        }
    }

    static Exchange exchange(HttpServer server, String target) throws IOException {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            c.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            String all = c.readUntilClosed();
            int end = all.indexOf("\r\n\r\n");
            String head = end < 0 ? all : all.substring(0, end);
            assertTrue(all.startsWith("HTTP/1.1 "), "a response to " + target + ": " + all);
            return new Exchange(target, Integer.parseInt(all.substring(9, 12)), head, all);
        }
    }

    static void assertNothingLeaks(Exchange e) {
        String what = e.target + " -> " + e.head.lines().findFirst().orElse("");
        assertFalse(e.all.contains(SECRET), "the secret outside the root was sent for " + what);
        assertFalse(e.all.contains(SIBLING_SECRET), "the sibling directory's secret was sent for " + what);
        assertFalse(e.all.contains("root:x:0:0"), "/etc/passwd was sent for " + what);
        assertFalse(e.all.contains(tmp.toString()), "a path of the machine in the response to " + what);
        assertTrue(e.status < 500, "a traversal attempt is a client error, not a server failure: " + what);
    }

    /** Checks one target, and the redirects it leads to (twice at most): none may leave the site or leak. */
    static void assertJailed(HttpServer server, String target) throws IOException {
        Exchange e = exchange(server, target);
        assertNothingLeaks(e);
        for (int hops = 0; hops < 2 && e.status >= 300 && e.status < 400; hops++) {
            String location = e.location();
            assertTrue(location != null && location.startsWith("/") && !location.startsWith("//") && !location.contains("\\"),
                    "a redirect for " + target + " stays on this site: " + location);
            e = exchange(server, location);
            assertNothingLeaks(e);
        }
    }

    static Stream<String> targets() {
        List<String> t = new ArrayList<>(List.of(
                "/../secret.txt", "/../../secret.txt", "/sub/../../secret.txt", "/sub/deeper/../../../secret.txt",
                "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/%2e./secret.txt", "/.%2e/secret.txt", "/%2E%2e/secret.txt",
                "/.%2E/.%2E/secret.txt", "/%252e%252e/secret.txt", "/%252E%252E/%252E%252E/secret.txt",
                "/..%2fsecret.txt", "/..%2Fsecret.txt", "/%2e%2e%2fsecret.txt", "/sub%2f..%2f..%2fsecret.txt",
                "/%2f..%2fsecret.txt", "/sub/..%2f..%2fsecret.txt", "/..%252fsecret.txt",
                "/..\\secret.txt", "/sub\\..\\..\\secret.txt", "/..%5csecret.txt", "/..%5Csecret.txt", "/%2e%2e%5csecret.txt",
                "/..%255csecret.txt", "/\\..\\secret.txt",
                "/..%00/secret.txt", "/secret.txt%00", "/../secret.txt%00.html", "/%00/../secret.txt", "/sub/page.txt%00/../../../secret.txt",
                "/%c0%ae%c0%ae/secret.txt", "/%c0%ae%c0%ae%c0%afsecret.txt", "/%C0%AE%C0%AE/secret.txt",
                "/%e0%80%ae%e0%80%ae/secret.txt", "/..%c0%afsecret.txt", "/..%c1%9csecret.txt", "/..%e0%80%afsecret.txt",
                "/\u00c0\u00ae\u00c0\u00ae/secret.txt", "/%ef%bc%8e%ef%bc%8e/secret.txt",
                "/%%32%65%%32%65/secret.txt", "/%u002e%u002e/secret.txt", "/..%u2215secret.txt",
                "/./../secret.txt", "/.//../secret.txt", "//../secret.txt", "///..//..//secret.txt", "/sub/./../../secret.txt",
                "/sub//../../secret.txt",
                "http://x/../../secret.txt", "http://x/../secret.txt", "http://x/%2e%2e/secret.txt", "http://x//../secret.txt",
                "HTTP://x/..%2fsecret.txt",
                "/..;/secret.txt", "/sub/..;/..;/secret.txt", "/..;foo=bar/secret.txt",
                "/.../secret.txt", "/..../secret.txt", "/..%20/secret.txt", "/..%09/secret.txt", "/... /secret.txt",
                "/secret.txt.", "/sub/...", "/..", "/%2e%2e", "/sub/..", "/sub/../..",
                "/../www-secret/secret.txt", "/%2e%2e/www-secret/secret.txt", "/sub/../../www-secret/secret.txt",
                "/..%2fwww-secret%2fsecret.txt",
                "/../../../../../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                "/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd", "/etc/passwd", "/%2Fetc%2Fpasswd", "http://x/../../../../../etc/passwd"));
        String abs = tmp.toAbsolutePath().toString();
        t.add(abs + "/secret.txt");
        t.add("/" + abs + "/secret.txt");
        t.add(abs.replace("/", "%2F") + "%2Fsecret.txt");
        t.add("http://x" + abs + "/secret.txt");
        t.add("/.." + abs + "/secret.txt");
        return t.stream();
    }

    @Test
    void thereAreEnoughAttempts() {
        assertTrue(targets().count() >= 40);
        assertTrue(mountTargets().count() >= 15);
    }

    @ParameterizedTest
    @MethodSource("targets")
    void noTargetReadsOutsideTheRoot(String target) throws Exception {
        assertJailed(plain, target);
    }

    static Stream<String> mountTargets() {
        return Stream.of(
                "/static/../secret.txt", "/static/../../secret.txt", "/static/%2e%2e/secret.txt", "/static/%2e%2e/%2e%2e/secret.txt",
                "/static/.%2e/secret.txt", "/static/%2E%2E/secret.txt", "/static/%252e%252e/secret.txt",
                "/static/..%2fsecret.txt", "/static/..%2f..%2fsecret.txt", "/static%2f..%2fsecret.txt", "/static%2F..%2Fsecret.txt",
                "/static/sub/../../secret.txt", "/static/sub/../../../secret.txt", "/static/sub/..%2f..%2fsecret.txt",
                "/static/..\\secret.txt", "/static/..%5csecret.txt", "/static\\..\\secret.txt",
                "/static/./../secret.txt", "/static//../secret.txt", "/static/..;/secret.txt", "/static;/../secret.txt",
                "http://x/static/../secret.txt", "http://x/static/%2e%2e/secret.txt",
                "/static/../www-secret/secret.txt", "/static/../../www-secret/secret.txt", "/x/../static/../../secret.txt",
                "/static/..", "/static/%2e%2e", "/static/..%00/secret.txt", "/static/%c0%ae%c0%ae/secret.txt",
                "/static/../static/../../secret.txt", "//static/../../secret.txt");
    }

    @ParameterizedTest
    @MethodSource("mountTargets")
    void noTargetThroughAMountReadsOutsideTheRoot(String target) throws Exception {
        assertJailed(mounted, target);
    }

    @Test
    void theHarnessSeesWhatIsServed() throws Exception {
        // the checks above would be vacuous if nothing could be read through them
        assertEquals(200, exchange(plain, "/sub/page.txt").status);
        assertTrue(exchange(plain, "/sub/page.txt").all.endsWith("page"));
        assertTrue(exchange(plain, "/sub/deeper/../page.txt").all.endsWith("page"), "dots resolved inside the root");
        assertTrue(exchange(plain, "/sub/%2e%2e/sub/page.txt").all.endsWith("page"), "encoded dots resolved inside the root");
        assertTrue(exchange(mounted, "/static/sub/page.txt").all.endsWith("page"));
        // and the secrets are real files a server rooted one level up would send
        HttpServer above = FilesTestSupport.start(FileHandler.of(tmp));
        try {
            assertTrue(exchange(above, "/secret.txt").all.contains(SECRET));
            assertTrue(exchange(above, "/www-secret/secret.txt").all.contains(SIBLING_SECRET));
        } finally {
            above.close();
        }
    }
}
