package io.sockeye.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code --spa}, the site's {@code 404.html}, folder downloads and {@code --no-archives}, through the command. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class SpaArchivesOptionsTest {

    @TempDir
    Path site;
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private Main.Launch launch;
    private int port;

    @BeforeEach
    void site() throws IOException {
        Files.writeString(site.resolve("index.html"), "<!doctype html><div id=app>app shell</div>");
        Files.writeString(site.resolve("404.html"), "<!doctype html><h1>lost?</h1>");
        Files.createDirectories(site.resolve("files/sub"));
        Files.writeString(site.resolve("files/a.txt"), "a");
        Files.writeString(site.resolve("files/sub/b.txt"), "b");
        Files.writeString(site.resolve("files/.secret"), "hidden");
        Path cgi = Files.createDirectories(site.resolve("files/cgi-bin"));
        Path script = cgi.resolve("hi.sh");
        Files.writeString(script, "#!/bin/sh\n# SCRIPT-SOURCE\nprintf 'Content-Type: text/plain\\n\\nhi\\n'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void stop() {
        if (launch != null) launch.stop();
    }

    private void run(String... options) {
        String[] args = new String[options.length + 5];
        System.arraycopy(new String[] {"-q", "-b", "127.0.0.1", "-d", site.toString()}, 0, args, 0, 5);
        System.arraycopy(options, 0, args, 5, options.length);
        args = java.util.Arrays.copyOf(args, args.length + 1);
        args[args.length - 1] = "0";
        launch = Main.launch(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8));
        assertTrue(launch.started(), errBytes.toString(StandardCharsets.UTF_8));
        port = launch.server().port();
    }

    private HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
        }
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void spaServesTheIndexForRoutes() throws Exception {
        run("--spa");
        HttpResponse<byte[]> route = get("/users/42/profile");
        assertEquals(200, route.statusCode());
        assertTrue(text(route).contains("app shell"), text(route));
        HttpResponse<byte[]> asset = get("/missing.js");
        assertEquals(404, asset.statusCode());
        assertEquals("<!doctype html><h1>lost?</h1>", text(asset), "the site's 404.html");
    }

    @Test
    void withoutSpaRoutesAre404sWithThe404Page() throws Exception {
        run();
        HttpResponse<byte[]> route = get("/users/42");
        assertEquals(404, route.statusCode());
        assertEquals("<!doctype html><h1>lost?</h1>", text(route));
        assertTrue(route.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    }

    @Test
    void foldersDownloadByDefaultWithoutScriptsOrHiddenFiles() throws Exception {
        run("--cgi-dir", "files/cgi-bin");
        assertTrue(text(get("/files/")).contains("?download=zip"), "the listing links to the archive");
        HttpResponse<byte[]> zip = get("/files/?download=zip");
        assertEquals(200, zip.statusCode());
        TreeSet<String> names = new TreeSet<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip.body()))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) names.add(e.getName());
        }
        assertEquals(new TreeSet<>(java.util.List.of("files/", "files/a.txt", "files/sub/", "files/sub/b.txt")), names);
        assertEquals("hi\n", text(get("/files/cgi-bin/hi.sh")), "the script still runs");
    }

    @Test
    void noArchivesTurnsThemOff() throws Exception {
        run("--no-archives");
        HttpResponse<byte[]> r = get("/files/?download=zip");
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), "the listing");
        assertFalse(text(r).contains("download="), text(r));
    }

    @Test
    void noListingMeansNoDownloadEither() throws Exception {
        run("--no-listing");
        assertEquals(403, get("/files/?download=zip").statusCode());
        assertEquals(403, get("/files/?download=tar.gz").statusCode());
    }

    @Test
    void theHelpDescribesBoth() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        launch = Main.launch(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8));
        String usage = out.toString(StandardCharsets.UTF_8);
        assertTrue(usage.contains("--spa") && usage.contains("--no-archives"), usage);
    }
}
