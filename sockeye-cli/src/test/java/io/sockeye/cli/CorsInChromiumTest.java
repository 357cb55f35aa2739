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
 * {@code --cors} and {@code --auth} as a browser meets them: a page served on one port fetch()es a file
 * from a second server on another port (another origin), sending a login, which makes Chromium ask a
 * preflight first. Without {@code --cors} the same fetch must fail, so the test shows that the headers,
 * not luck, let it through.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CorsInChromiumTest {

    @TempDir
    static Path tmp;
    static Chromium chromium;

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final List<Main.Launch> launches = new ArrayList<>();

    @BeforeAll
    static void startChromium() throws Exception {
        if (!Chromium.installed()) return;
        chromium = Chromium.start(Chromium.Options.defaults());
    }

    @AfterAll
    static void stopChromium() {
        if (chromium != null) chromium.close();
    }

    @BeforeEach
    void needsChromium() {
        assumeTrue(chromium != null, "no " + Chromium.BINARY + ": CORS is not tried in a browser");
    }

    @AfterEach
    void stopServers() {
        launches.forEach(Main.Launch::stop);
    }

    private int serve(Path dir, String... more) {
        List<String> args = new ArrayList<>(List.of("-q", "-b", "127.0.0.1", "-p", "0", "-d", dir.toString()));
        args.addAll(List.of(more));
        Main.Launch launch = Main.launch(args.toArray(String[]::new),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8));
        assertTrue(launch.started(), errBytes.toString(StandardCharsets.UTF_8));
        launches.add(launch);
        return launch.server().port();
    }

    private static String fetch(int apiPort) {
        // an Authorization field is not CORS-safelisted: Chromium sends an OPTIONS preflight first
        return "(async () => { try { const r = await fetch('http://127.0.0.1:" + apiPort + "/data.txt',"
                + " {headers: {Authorization: 'Basic ' + btoa('ann:pw')}});"
                + " return r.status + ' ' + (await r.text()); } catch (e) { return 'failed: ' + e.name; } })()";
    }

    @Test
    void aPageFromAnotherOriginReadsAGuardedFile() throws Exception {
        Path pages = Files.createDirectories(tmp.resolve("pages"));
        Files.writeString(pages.resolve("page.html"), "<!doctype html><title>app</title>");
        Path api = Files.createDirectories(tmp.resolve("api"));
        Files.writeString(api.resolve("data.txt"), "secret data");
        int pagePort = serve(pages);
        int apiPort = serve(api, "--auth", "ann:pw", "--cors", "http://127.0.0.1:" + pagePort);
        int closedPort = serve(api, "--auth", "ann:pw");
        try (Page page = chromium.open("http://127.0.0.1:" + pagePort + "/page.html")) {
            assertEquals("app", page.evaluate("document.title"));
            assertEquals("200 secret data", page.evaluate(fetch(apiPort)));
            assertEquals("failed: TypeError", page.evaluate(fetch(closedPort)), "without --cors the browser refuses");
        }
    }
}
