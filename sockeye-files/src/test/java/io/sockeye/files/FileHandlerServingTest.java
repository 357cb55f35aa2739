package io.sockeye.files;

import static io.sockeye.files.FilesTestSupport.bytes;
import static io.sockeye.files.FilesTestSupport.get;
import static io.sockeye.files.FilesTestSupport.header;
import static io.sockeye.files.FilesTestSupport.raw;
import static io.sockeye.files.FilesTestSupport.send;
import static io.sockeye.files.FilesTestSupport.text;
import static io.sockeye.files.FilesTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.sockeye.HttpServer;
import io.sockeye.Router;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;

/** Index pages, directory redirects (never off-site), methods, and HEAD. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FileHandlerServingTest {

    @TempDir
    static Path tmp;
    static Path www;
    static HttpServer plain;
    static HttpServer routed;
    static HttpServer mounted;
    static final int LARGE = 300 * 1024;

    @BeforeAll
    static void start() throws Exception {
        www = Files.createDirectory(tmp.resolve("www"));
        write(www.resolve("index.html"), "<h1>home</h1>");
        write(www.resolve("sub/index.html"), "sub home");
        write(www.resolve("onlyhtm/index.htm"), "htm home");
        write(www.resolve("both/index.html"), "html wins");
        write(www.resolve("both/index.htm"), "htm loses");
        write(www.resolve("evil.example/dir/index.html"), "inside");
        write(www.resolve("file.txt"), "hello");
        write(www.resolve("large.bin"), bytes(LARGE));
        write(www.resolve("empty.txt"), "");
        FileHandler files = FileHandler.of(www);
        plain = FilesTestSupport.start(files);
        routed = FilesTestSupport.start(Router.create().mount("/", FileHandler.of(www)));
        mounted = FilesTestSupport.start(Router.create().mount("/static/", FileHandler.of(www)));
    }

    @AfterAll
    static void stop() {
        for (HttpServer s : new HttpServer[] {plain, routed, mounted}) if (s != null) s.close();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/|<h1>home</h1>", "/sub/|sub home", "/onlyhtm/|htm home", "/both/|html wins", "/evil.example/dir/|inside",
        "/./sub/|sub home", "/sub/../both/|html wins",
    })
    void directoriesServeIndexHtmlThenIndexHtm(String path, String body) throws Exception {
        HttpResponse<byte[]> r = get(plain, path);
        assertEquals(200, r.statusCode(), path);
        assertEquals(body, text(r), path);
        assertEquals("text/html; charset=utf-8", header(r, "Content-Type"));
        assertNotNull(header(r, "ETag"));
    }

    @Test
    void indexUnderAMount() throws Exception {
        assertEquals("<h1>home</h1>", text(get(mounted, "/static/")));
        assertEquals("sub home", text(get(mounted, "/static/sub/")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/sub|/sub/", "/sub?x=1&y=%20z|/sub/?x=1&y=%20z", "/evil.example/dir|/evil.example/dir/", "/noindex-none|''",
        "/onlyhtm?a=%2F..%2F|/onlyhtm/?a=%2F..%2F",
    })
    void directoryWithoutSlashRedirectsKeepingTheQuery(String target, String location) throws Exception {
        RawResponse r = raw(plain, "GET", target);
        if (location.isEmpty()) {
            assertEquals(404, r.status(), target);
            return;
        }
        assertEquals(301, r.status(), target);
        assertEquals(location, r.header("Location"), target);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"/static/sub|/static/sub/", "/static/sub?q=a%26b|/static/sub/?q=a%26b"})
    void directoryRedirectUnderAMountKeepsThePrefix(String target, String location) throws Exception {
        RawResponse r = raw(mounted, "GET", target);
        assertEquals(301, r.status(), target);
        assertEquals(location, r.header("Location"));
    }

    @Test
    void aFileAskedForAsADirectoryIsNotFound() throws Exception {
        assertEquals(404, get(plain, "/file.txt/").statusCode());
        assertEquals(200, get(plain, "/file.txt").statusCode());
    }

    /** Requests that could turn a directory redirect into one to another site (CVE-2021-28861 and kin). */
    static final String[] OFF_SITE = {
        "//evil.example", "///evil.example", "////evil.example", "//evil.example/dir", "//evil.example?next=1",
        "/%2F%2Fevil.example", "/%2f%2fevil.example", "/%2F/evil.example", "/\\evil.example", "/\\\\evil.example",
        "/%5Cevil.example", "/%5cevil.example", "/%5C%5Cevil.example", "/\\/evil.example", "/.//evil.example",
        "/./evil.example", "//%65vil.example", "/%2e//evil.example", "http://127.0.0.1//evil.example",
        "http://127.0.0.1///evil.example/dir", "//evil.example/dir/..", "/evil.example/..//evil.example",
    };

    @Test
    void directoryRedirectsNeverLeaveTheSite() throws Exception {
        for (HttpServer server : List.of(plain, routed)) {
            for (String target : OFF_SITE) {
                RawResponse r = raw(server, "GET", target);
                String where = (server == plain ? "plain " : "routed ") + target + " -> " + r.statusLine();
                if (r.status() >= 300 && r.status() < 400) {
                    String location = r.header("Location");
                    assertNotNull(location, where);
                    assertTrue(location.startsWith("/") && !location.startsWith("//"), where + " Location " + location);
                    assertFalse(location.contains("\\"), where + " Location " + location);
                    URI resolved = URI.create("http://127.0.0.1:" + server.port() + target.replaceAll("^http://[^/]*", "")
                            .replace("\\", "%5C")).resolve(location);
                    assertEquals("127.0.0.1", resolved.getHost(), where + " Location " + location);
                } else {
                    assertTrue(r.status() == 200 || (r.status() >= 400 && r.status() < 500), where);
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "//evil.example|301|/evil.example/", "///evil.example/dir|301|/evil.example/dir/",
        "http://127.0.0.1//evil.example|301|/evil.example/", "/%2F%2Fevil.example|404|", "/%5Cevil.example|404|",
        "/\\evil.example|404|",
    })
    void leadingSlashesCollapseAndEncodedSeparatorsAreRefused(String target, int status, String location) throws Exception {
        RawResponse r = raw(plain, "GET", target);
        assertEquals(status, r.status(), target);
        assertEquals(location, r.header("Location"), target);
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH"})
    void otherMethodsGet405WithAllow(String method) throws Exception {
        for (String path : new String[] {"/file.txt", "/sub/", "/large.bin"}) {
            HttpResponse<byte[]> r = send(plain, method, path);
            assertEquals(405, r.statusCode(), method + " " + path);
            String allow = header(r, "Allow");
            assertNotNull(allow, method + " " + path);
            List<String> methods = List.of(allow.replace(" ", "").split(","));
            assertTrue(methods.contains("GET") && methods.contains("HEAD"), allow);
            assertFalse(methods.contains(method), allow);
            assertFalse(text(r).equals("hello"), "no file content for " + method);
        }
        // the file was not touched
        assertEquals("hello", Files.readString(www.resolve("file.txt")));
    }

    @Test
    void otherMethodsThroughARouterMountAlsoGet405() throws Exception {
        HttpResponse<byte[]> r = send(mounted, "DELETE", "/static/file.txt");
        assertEquals(405, r.statusCode());
        assertTrue(header(r, "Allow").contains("GET"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/file.txt", "/large.bin", "/sub/"})
    void headSendsTheSameHeadersAndNoBody(String path) throws Exception {
        HttpResponse<byte[]> g = get(plain, path);
        assertEquals(200, g.statusCode());
        try (RawClient c = new RawClient(plain.port(), 5_000)) {
            // a pipelined GET right behind the HEAD: any body bytes after the HEAD would corrupt its response
            c.send("HEAD " + path + " HTTP/1.1\r\nHost: a\r\n\r\nGET /file.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            RawResponse head = c.read(true);
            assertEquals(200, head.status());
            for (String name : new String[] {"Content-Length", "Content-Type", "ETag", "Last-Modified", "Accept-Ranges"}) {
                assertEquals(header(g, name), head.header(name), name + " for HEAD " + path);
            }
            assertEquals(Integer.toString(g.body().length), head.header("Content-Length"));
            RawResponse next = c.read();
            assertEquals(200, next.status(), next.statusLine());
            assertEquals("hello", next.text());
            assertTrue(c.closedByServer(), "nothing after the second response");
        }
    }

    @Test
    void anEmptyFileIsAnEmptyBody() throws Exception {
        HttpResponse<byte[]> r = get(plain, "/empty.txt", "Accept-Encoding", "gzip");
        assertEquals(200, r.statusCode());
        assertEquals("0", header(r, "Content-Length"));
        assertEquals(0, r.body().length);
        assertEquals(null, header(r, "Content-Encoding"));
    }

    @Test
    void largeFilesAreSentWhole() throws Exception {
        HttpResponse<byte[]> r = get(plain, "/large.bin");
        assertEquals(200, r.statusCode());
        assertEquals(Integer.toString(LARGE), header(r, "Content-Length"));
        assertArrayEquals(bytes(LARGE), r.body());
        assertEquals("bytes", header(r, "Accept-Ranges"));
    }
}
