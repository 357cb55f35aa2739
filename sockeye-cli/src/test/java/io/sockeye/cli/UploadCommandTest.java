package io.sockeye.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.sockeye.testsupport.ServerFixture;

/** {@code --upload}, {@code --overwrite}, {@code --mkdir}, {@code --delete} and {@code --max-body}, with curl and the JDK's client. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UploadCommandTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path site;
    @TempDir
    Path work;
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private Main.Launch launch;

    @AfterEach
    void stop() {
        if (launch != null) launch.stop();
    }

    private int run(String... args) {
        List<String> all = new ArrayList<>(List.of("-q", "-b", "127.0.0.1", "-d", site.toString()));
        all.addAll(List.of(args));
        all.add("0");
        PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
        launch = Main.launch(all.toArray(String[]::new), new PrintStream(new ByteArrayOutputStream()), err);
        assertTrue(launch.started(), errBytes.toString(StandardCharsets.UTF_8));
        return launch.server().port();
    }

    private static String url(int port, String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** Runs curl; @return its output (with -w, the status) */
    private static String curl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(40, TimeUnit.SECONDS));
        return out;
    }

    private static HttpResponse<String> send(String method, int port, String path, byte[] body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url(port, path))).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private Path file(String name, int size) throws IOException {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return Files.write(work.resolve(name), b);
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void curlUploadsWithPutAndWithTheForm() throws Exception {
        assumeTrue(ServerFixture.commandWorks("curl", "--version"), "curl is not installed");
        Files.createDirectory(site.resolve("in"));
        int port = run("--upload");
        Path one = file("one.bin", 300_000);
        assertEquals("201", curl("-o", "/dev/null", "-w", "%{http_code}", "-T", one.toString(), url(port, "/in/")));
        assertArrayEquals(Files.readAllBytes(one), Files.readAllBytes(site.resolve("in/one.bin")));
        assertEquals("409", curl("-o", "/dev/null", "-w", "%{http_code}", "-T", one.toString(), url(port, "/in/")),
                "an existing file is kept without --overwrite");

        Path two = file("two.bin", 2_000_000);
        Path three = file("three.txt", 10);
        assertEquals("201", curl("-o", "/dev/null", "-w", "%{http_code}", "-F", "file=@" + two, "-F", "file=@" + three,
                url(port, "/in/")));
        assertArrayEquals(Files.readAllBytes(two), Files.readAllBytes(site.resolve("in/two.bin")));
        assertArrayEquals(Files.readAllBytes(three), Files.readAllBytes(site.resolve("in/three.txt")));
        assertEquals(List.of("one.bin", "three.txt", "two.bin"), names(site.resolve("in")));

        HttpResponse<String> page = send("GET", port, "/in/", null);
        assertTrue(page.body().contains("enctype=\"multipart/form-data\""), "the listing carries the form: " + page.body());
        assertTrue(page.body().contains("two.bin"), page.body());
    }

    @Test
    void overwriteMkdirAndDeleteAreSwitchesOfTheirOwn() throws Exception {
        Files.writeString(site.resolve("a.txt"), "old");
        int port = run("--upload", "--overwrite", "--mkdir", "--delete");
        assertEquals(204, send("PUT", port, "/a.txt", "new".getBytes(StandardCharsets.UTF_8)).statusCode());
        assertEquals("new", Files.readString(site.resolve("a.txt")));
        assertEquals(201, send("PUT", port, "/x/y/z.txt", new byte[] {1}).statusCode());
        assertTrue(Files.isRegularFile(site.resolve("x/y/z.txt")));
        assertTrue(send("GET", port, "/", null).body().contains("name=\"folder\""), "--mkdir offers a new folder");
        assertEquals(204, send("DELETE", port, "/x/y/z.txt", null).statusCode());
        assertEquals(204, send("DELETE", port, "/x/y/", null).statusCode());
        assertFalse(Files.exists(site.resolve("x/y")));
    }

    @Test
    void whatIsOffIs403WithTheSwitchThatTurnsItOn() throws Exception {
        Files.writeString(site.resolve("a.txt"), "kept");
        Files.createDirectory(site.resolve("d"));
        int port = run();
        HttpResponse<String> r = send("PUT", port, "/b.txt", new byte[] {1});
        assertEquals(403, r.statusCode());
        assertTrue(r.body().contains("--upload"), r.body());
        // a form posted to a static server: the page says both ways a POST can be taken (issue #12, item 8)
        r = send("POST", port, "/", "name=x".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(403, r.statusCode());
        assertTrue(r.body().contains("--upload") && r.body().contains("--cgi"), r.body());
        r = send("DELETE", port, "/a.txt", null);
        assertEquals(403, r.statusCode());
        assertTrue(r.body().contains("--delete"), r.body());
        assertFalse(send("GET", port, "/", null).body().contains("<form"), "no form without --upload");
        launch.stop();

        port = run("--upload");
        r = send("PUT", port, "/a.txt", new byte[] {1});
        assertEquals(409, r.statusCode());
        assertTrue(r.body().contains("--overwrite"), r.body());
        r = send("PUT", port, "/new/b.txt", new byte[] {1});
        assertEquals(404, r.statusCode());
        assertTrue(r.body().contains("--mkdir"), r.body());
        assertEquals("kept", Files.readString(site.resolve("a.txt")));
        assertEquals(List.of("a.txt", "d"), names(site));
    }

    @Test
    void scriptsCannotBeUploadedOrReplaced() throws Exception {
        Path scripts = Files.createDirectory(site.resolve("cgi-bin"));
        Path hi = Files.writeString(scripts.resolve("hi.sh"), "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nhi\\n'\n");
        Files.setPosixFilePermissions(hi, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(site.resolve("scripts"), scripts);
        int port = run("--cgi", "--upload", "--overwrite", "--mkdir", "--delete");
        send("PUT", port, "/cgi-bin/evil.sh", "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8)); // a script's request, if anything
        send("PUT", port, "/cgi-bin/hi.sh", "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(403, send("PUT", port, "/scripts/evil.sh", new byte[] {1}).statusCode());
        assertEquals(403, send("PUT", port, "/scripts/hi.sh", new byte[] {1}).statusCode());
        assertEquals(403, send("DELETE", port, "/scripts/hi.sh", null).statusCode());
        assertEquals(List.of("hi.sh"), names(scripts));
        assertEquals("hi\n", send("GET", port, "/cgi-bin/hi.sh", null).body(), "the script is untouched");
    }

    @Test
    void maxBodyCapsUploadsAndLetsLargePostsReachScripts() throws Exception {
        Path scripts = Files.createDirectory(site.resolve("cgi-bin"));
        Path count = Files.writeString(scripts.resolve("count.sh"), "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\nwc -c | tr -d ' '\n");
        Files.setPosixFilePermissions(count, PosixFilePermissions.fromString("rwxr-xr-x"));
        byte[] twelveMiB = new byte[12 << 20];
        int port = run("--cgi", "--upload");
        assertEquals(413, send("POST", port, "/cgi-bin/count.sh", twelveMiB).statusCode(), "over the default 10M");
        assertEquals(413, send("PUT", port, "/big.bin", twelveMiB).statusCode());
        launch.stop();

        port = run("--cgi", "--upload", "--max-body", "16M");
        HttpResponse<String> r = send("POST", port, "/cgi-bin/count.sh", twelveMiB);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(String.valueOf(12 << 20), r.body().strip());
        assertEquals(201, send("PUT", port, "/big.bin", twelveMiB).statusCode());
        assertEquals(413, send("PUT", port, "/bigger.bin", new byte[17 << 20]).statusCode());
        assertFalse(Files.exists(site.resolve("bigger.bin")));
        launch.stop();

        assumeTrue(ServerFixture.commandWorks("curl", "--version"), "curl is not installed");
        port = run("--upload", "--max-body", "100K");
        Path big = file("big.bin", 300_000);
        assertEquals("413", curl("-o", "/dev/null", "-w", "%{http_code}", "-T", big.toString(), url(port, "/too-big.bin")));
        assertEquals("413", curl("-o", "/dev/null", "-w", "%{http_code}", "-F", "file=@" + big, url(port, "/")));
        assertEquals(List.of("big.bin", "cgi-bin"), names(site), "nothing is left of either");
    }

    @ParameterizedTest
    @CsvSource({"123, 123", "500K, 512000", "500k, 512000", "500M, 524288000", "2G, 2147483648", "2GB, 2147483648",
        "1KiB, 1024", "0, 0", "7B, 7"})
    void sizesHaveUnits(String text, long bytes) {
        assertEquals(bytes, Options.size(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"--max-body=1.5G", "--max-body=-1", "--max-body=10X", "--max-body=", "--max-body=99999999999T",
        "--overwrite", "--mkdir"})
    void badUploadOptionsAreUsageErrors(String option) {
        launch = Main.launch(new String[] {"-b", "127.0.0.1", option, "0"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8));
        assertEquals(2, launch.exitCode());
        assertFalse(launch.started());
        String err = errBytes.toString(StandardCharsets.UTF_8);
        assertTrue(err.contains(option.replaceAll("=.*", "")), err);
    }
}
