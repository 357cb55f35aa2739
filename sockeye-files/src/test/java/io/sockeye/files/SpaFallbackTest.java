package io.sockeye.files;

import static io.sockeye.files.FilesTestSupport.get;
import static io.sockeye.files.FilesTestSupport.header;
import static io.sockeye.files.FilesTestSupport.send;
import static io.sockeye.files.FilesTestSupport.text;
import static io.sockeye.files.FilesTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.sockeye.HttpServer;
import io.sockeye.Router;

/**
 * The single-page-app fallback over real sockets: a missing route gets the app's page with 200 and its
 * validators; missing files with an extension, hidden paths, paths into excluded or refused directories
 * and other methods do not; off by default.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class SpaFallbackTest {

    static final String APP = "<!doctype html><title>app</title><div id=app>the app shell</div>";

    @TempDir
    Path tmp;
    Path www;
    HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    void start(FilesTestSupport.Access access, UnaryOperator<FileHandler.Builder> options) throws Exception {
        www = Files.createDirectory(tmp.resolve("www"));
        write(www.resolve("index.html"), APP);
        write(www.resolve("app.js"), "console.log('app')");
        write(www.resolve("assets/logo.txt"), "logo");
        write(www.resolve("cgi-bin/script.sh"), "#!/bin/sh\necho SCRIPT-SOURCE\n");
        write(tmp.resolve("outside/secret.txt"), "TOP-SECRET");
        Files.createSymbolicLink(www.resolve("scripts"), www.resolve("cgi-bin")); // an alias of the excluded dir
        Files.createSymbolicLink(www.resolve("out"), tmp.resolve("outside")); // a link out of the root
        server = FilesTestSupport.start(options.apply(access.builder(www).exclude(www.resolve("cgi-bin"))).build());
    }

    void assertApp(HttpResponse<byte[]> r) {
        assertEquals(200, r.statusCode(), "status of a route");
        assertEquals(APP, text(r));
        assertTrue(header(r, "Content-Type").startsWith("text/html"), header(r, "Content-Type"));
        assertNotNull(header(r, "ETag"), "the page's own validators");
        assertNotNull(header(r, "Last-Modified"));
    }

    @ParameterizedTest
    @EnumSource(FilesTestSupport.Access.class)
    void missingRoutesGetTheAppPage(FilesTestSupport.Access access) throws Exception {
        start(access, b -> b.spaFallback("index.html"));
        assertApp(get(server, "/users/42"));
        assertApp(get(server, "/settings/"));
        assertApp(get(server, "/deep/ly/nested/route"));
        assertApp(get(server, "/assets/unknown-route")); // under an existing directory
        // the real files are still themselves
        assertEquals("console.log('app')", text(get(server, "/app.js")));
        assertEquals("logo", text(get(server, "/assets/logo.txt")));
    }

    @Test
    void theFallbackHonoursConditionalRequestsAndHead() throws Exception {
        start(FilesTestSupport.Access.JDK, b -> b.spaFallback("/index.html"));
        HttpResponse<byte[]> first = get(server, "/users/42");
        assertApp(first);
        HttpResponse<byte[]> again = get(server, "/other/route", "If-None-Match", header(first, "ETag"));
        assertEquals(304, again.statusCode());
        HttpResponse<byte[]> head = send(server, "HEAD", "/users/42");
        assertEquals(200, head.statusCode());
        assertEquals(String.valueOf(APP.length()), header(head, "Content-Length"));
    }

    @ParameterizedTest
    @EnumSource(FilesTestSupport.Access.class)
    void whatIsNotARouteStill404s(FilesTestSupport.Access access) throws Exception {
        start(access, b -> b.spaFallback("index.html"));
        assertApp(get(server, "/a/route")); // the fallback is on
        assertEquals(404, get(server, "/missing.js").statusCode(), "a missing file with an extension");
        assertEquals(404, get(server, "/assets/missing.png").statusCode());
        assertEquals(404, get(server, "/.env").statusCode(), "a hidden path");
        assertEquals(404, get(server, "/.git/config-route").statusCode(), "into a hidden directory");
        assertFalse(text(get(server, "/scripts/route")).contains("the app shell"), "into the excluded directory by a link");
        assertFalse(text(get(server, "/cgi-bin/route")).contains("the app shell"), "into the excluded directory");
        assertFalse(text(get(server, "/out/route")).contains("the app shell"), "into a directory out of the root");
        assertEquals(405, send(server, "POST", "/users/42").statusCode(), "POST gets no page");
        assertEquals(405, send(server, "DELETE", "/users/42").statusCode());
    }

    @Test
    void hiddenPathsGetNoFallbackEvenWhenHiddenFilesAreServed() throws Exception {
        start(FilesTestSupport.Access.JDK, b -> b.spaFallback("index.html").dotfiles(true));
        assertEquals(404, get(server, "/.well-known/route").statusCode());
        assertApp(get(server, "/visible/route"));
    }

    @Test
    void extensionsMayBeRoutesToo() throws Exception {
        start(FilesTestSupport.Access.JDK, b -> b.spaFallback("index.html").spaForExtensions(true));
        assertApp(get(server, "/releases/v1.2"));
        assertApp(get(server, "/missing.js"));
        assertEquals(404, get(server, "/.env").statusCode());
    }

    @Test
    void offByDefault() throws Exception {
        start(FilesTestSupport.Access.JDK, b -> b);
        assertEquals(404, get(server, "/users/42").statusCode());
    }

    @Test
    void aMissingFallbackPageIsA404() throws Exception {
        start(FilesTestSupport.Access.JDK, b -> b.spaFallback("shell.html").revalidateAfter(java.time.Duration.ZERO));
        assertEquals(404, get(server, "/users/42").statusCode());
        write(www.resolve("shell.html"), APP);
        assertApp(get(server, "/users/42")); // once it is there
    }

    @Test
    void underAMountThePageIsTheMountedRootsOwn() throws Exception {
        www = Files.createDirectory(tmp.resolve("www"));
        write(www.resolve("index.html"), APP);
        server = FilesTestSupport.start(Router.create().mount("/app/", FileHandler.builder(www).spaFallback("index.html").build()));
        assertApp(get(server, "/app/users/42"));
    }

    @Test
    void onlyPlainRelativePathsAreAccepted() {
        FileHandler.Builder b = FileHandler.builder(tmp);
        assertThrows(IllegalArgumentException.class, () -> b.spaFallback("../index.html"));
        assertThrows(IllegalArgumentException.class, () -> b.spaFallback(".hidden/index.html"));
        assertThrows(IllegalArgumentException.class, () -> b.spaFallback(""));
        assertThrows(IllegalArgumentException.class, () -> b.notFoundPage("a//b.html"));
    }
}
