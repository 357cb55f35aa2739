package io.sockeye.files;

import static io.sockeye.files.FilesTestSupport.get;
import static io.sockeye.files.FilesTestSupport.header;
import static io.sockeye.files.FilesTestSupport.send;
import static io.sockeye.files.FilesTestSupport.text;
import static io.sockeye.files.FilesTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.sockeye.HttpServer;

/**
 * A {@code 404.html} at the root is the body of 404s, with status 404 and type text/html, found by the
 * same jailed walk as any file: a link out of the root or a FIFO in its place is not used.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class NotFoundPageTest {

    static final String PAGE = "<!doctype html><h1>Our own not-found page</h1>";

    @TempDir
    Path tmp;
    Path www;
    HttpServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) server.close();
        Path pipe = www == null ? null : www.resolve("404.html");
        if (pipe != null && Files.exists(pipe) && !Files.isRegularFile(pipe) && !Files.isSymbolicLink(pipe)) {
            FileChannel.open(pipe, StandardOpenOption.READ, StandardOpenOption.WRITE).close(); // frees a waiting open
        }
    }

    void start(FilesTestSupport.Access access, UnaryOperator<FileHandler.Builder> options) throws Exception {
        server = FilesTestSupport.start(options.apply(access.builder(www)).build());
    }

    Path site() throws Exception {
        www = Files.createDirectory(tmp.resolve("www"));
        write(www.resolve("page.txt"), "a page");
        return www;
    }

    void assertBuiltIn(HttpResponse<byte[]> r) {
        assertEquals(404, r.statusCode());
        assertFalse(text(r).contains("Our own") || text(r).contains("SECRET"), text(r));
        assertTrue(text(r).contains("404"), "the built-in page: " + text(r));
    }

    @ParameterizedTest
    @EnumSource(FilesTestSupport.Access.class)
    void the404PageIsTheBodyOf404s(FilesTestSupport.Access access) throws Exception {
        write(site().resolve("404.html"), PAGE);
        start(access, b -> b);
        for (String path : new String[] {"/missing", "/a/b/c.png", "/.git/config", "/page.txt/"}) {
            HttpResponse<byte[]> r = get(server, path);
            assertEquals(404, r.statusCode(), path);
            assertEquals(PAGE, text(r), path);
            assertEquals("text/html; charset=utf-8", header(r, "Content-Type"), path);
        }
        HttpResponse<byte[]> head = send(server, "HEAD", "/missing");
        assertEquals(404, head.statusCode());
        assertEquals(0, head.body().length);
        assertEquals(200, get(server, "/page.txt").statusCode(), "files are untouched");
    }

    @Test
    void aLarge404PageIsSentFromDisk() throws Exception {
        String big = PAGE + "<!--" + "x".repeat(300_000) + "-->";
        write(site().resolve("404.html"), big);
        start(FilesTestSupport.Access.JDK, b -> b.memoryCache(1024, 1 << 20));
        HttpResponse<byte[]> r = get(server, "/missing");
        assertEquals(404, r.statusCode());
        assertEquals(big, text(r));
    }

    @Test
    void withoutOneTheBuiltInPageIsSent() throws Exception {
        site();
        start(FilesTestSupport.Access.JDK, b -> b);
        assertBuiltIn(get(server, "/missing"));
    }

    @Test
    void itCanBeTurnedOffOrRenamed() throws Exception {
        write(site().resolve("404.html"), PAGE);
        write(www.resolve("errors/missing.html"), "<p>renamed</p>");
        start(FilesTestSupport.Access.JDK, b -> b.notFoundPage(null));
        assertBuiltIn(get(server, "/missing"));
        server.close();
        start(FilesTestSupport.Access.JDK, b -> b.notFoundPage("errors/missing.html"));
        HttpResponse<byte[]> r = get(server, "/missing");
        assertEquals(404, r.statusCode());
        assertEquals("<p>renamed</p>", text(r));
    }

    @ParameterizedTest
    @EnumSource(FilesTestSupport.Access.class)
    void aLinkOutOfTheRootIsNotUsed(FilesTestSupport.Access access) throws Exception {
        write(site().resolve("404.html"), PAGE);
        write(tmp.resolve("secret.html"), "TOP-SECRET outside the root");
        start(access, b -> b.revalidateAfter(java.time.Duration.ZERO));
        assertEquals(PAGE, text(get(server, "/missing")), "the page is used while it is a file");
        Files.delete(www.resolve("404.html"));
        Files.createSymbolicLink(www.resolve("404.html"), tmp.resolve("secret.html"));
        assertBuiltIn(get(server, "/missing"));
    }

    @Test
    void aLinkInsideTheRootIsUsed() throws Exception {
        write(site().resolve("pages/not-found.html"), PAGE);
        Files.createSymbolicLink(www.resolve("404.html"), Path.of("pages/not-found.html"));
        start(FilesTestSupport.Access.JDK, b -> b);
        assertEquals(PAGE, text(get(server, "/missing")));
    }

    @ParameterizedTest
    @EnumSource(FilesTestSupport.Access.class)
    void aFifoInItsPlaceDoesNotHang(FilesTestSupport.Access access) throws Exception {
        write(site().resolve("404.html"), PAGE);
        start(access, b -> b.revalidateAfter(java.time.Duration.ZERO));
        assertEquals(PAGE, text(get(server, "/missing")), "the page is used while it is a file");
        Files.delete(www.resolve("404.html"));
        Process p = new ProcessBuilder("mkfifo", www.resolve("404.html").toString()).inheritIO().start();
        assumeTrue(p.waitFor() == 0, "mkfifo is not available");
        assertBuiltIn(get(server, "/missing"));
    }

    @Test
    void anUnreadablePageIsNotUsed() throws Exception {
        Path page = write(site().resolve("404.html"), PAGE);
        assumeTrue(page.toFile().setReadable(false, false) && !Files.isReadable(page), "running as root: permissions do not bind");
        start(FilesTestSupport.Access.JDK, b -> b);
        assertBuiltIn(get(server, "/missing"));
    }
}
