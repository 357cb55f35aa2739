package io.sockeye.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sockeye.cli.browser.Chromium;
import io.sockeye.cli.browser.Page;

/**
 * A single-page app in a real browser with {@code sockeye --spa}: a deep link opens the app (its script is
 * served as a script, not as the fallback page), the app's own navigation survives a reload, and a missing
 * asset is a 404 the app can tell. Without {@code --spa} the deep link is the site's 404 page.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SpaInChromiumTest {

    @TempDir
    static Path site;
    static Chromium chromium;

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private Main.Launch launch;

    @BeforeAll
    static void start() throws Exception {
        Files.writeString(site.resolve("index.html"), """
                <!doctype html><html><head><meta charset="utf-8"><title>loading</title>
                <script src="/assets/app.js" defer></script></head>
                <body><h1 id="view"></h1><a id="next" href="/users/7">user 7</a></body></html>
                """);
        Files.createDirectories(site.resolve("assets"));
        // a router of a few lines: the view follows location.pathname; links navigate with pushState
        Files.writeString(site.resolve("assets/app.js"), """
                function render() {
                  document.getElementById('view').textContent = 'view of ' + location.pathname;
                  document.title = 'app';
                }
                document.getElementById('next').addEventListener('click', e => {
                  e.preventDefault();
                  history.pushState({}, '', e.target.getAttribute('href'));
                  render();
                });
                window.addEventListener('popstate', render);
                render();
                """);
        Files.writeString(site.resolve("404.html"), "<!doctype html><title>not found</title><h1>lost</h1>");
        if (Chromium.installed()) chromium = Chromium.start(Chromium.Options.defaults());
    }

    @AfterAll
    static void stopChromium() {
        if (chromium != null) chromium.close();
    }

    @BeforeEach
    void needsChromium() {
        assumeTrue(chromium != null, "no " + Chromium.BINARY + ": the single-page app is not tried in a browser");
    }

    @AfterEach
    void stopServer() {
        if (launch != null) launch.stop();
    }

    @Test
    void deepLinksReloadsAndMissingAssets() {
        int port = serve("--spa");
        try (Page page = chromium.open("http://localhost:" + port + "/projects/3/settings")) {
            page.waitFor("document.title === 'app'");
            assertEquals("view of /projects/3/settings", page.evaluate("document.getElementById('view').textContent"));
            page.click("#next");
            page.waitFor("location.pathname === '/users/7'");
            assertEquals("view of /users/7", page.evaluate("document.getElementById('view').textContent"));
            page.navigate("http://localhost:" + port + "/users/7"); // a reload of where the app went
            page.waitFor("document.title === 'app'");
            assertEquals("view of /users/7", page.evaluate("document.getElementById('view').textContent"));
            assertEquals(404L, page.evaluate("fetch('/assets/missing.js').then(r => r.status)"));
            assertEquals("text/html; charset=utf-8", page.evaluate("fetch('/users/9').then(r => r.headers.get('content-type'))"));
        }
    }

    @Test
    void withoutSpaADeepLinkIsTheSites404Page() {
        int port = serve();
        try (Page page = chromium.open("http://localhost:" + port + "/projects/3/settings")) {
            assertEquals("not found", page.evaluate("document.title"));
            assertEquals(404L, page.evaluate("fetch(location.href).then(r => r.status)"));
            assertTrue(((String) page.evaluate("document.body.textContent")).contains("lost"));
        }
    }

    private int serve(String... more) {
        List<String> args = new ArrayList<>(List.of("-q", "-b", "127.0.0.1", "-p", "0", "-d", site.toString()));
        args.addAll(List.of(more));
        launch = Main.launch(args.toArray(String[]::new), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8));
        assertTrue(launch.started(), errBytes.toString(StandardCharsets.UTF_8));
        return launch.server().port();
    }
}
