package io.sockeye.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;

/** The {@code sockeye} command, run in-process through {@link Main#launch}. */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class MainTest {

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
    private Main.Launch launch;

    @AfterEach
    void stop() {
        if (launch != null) launch.stop();
    }

    private Main.Launch run(String... args) {
        launch = Main.launch(args, out, err);
        return launch;
    }

    private String out() {
        synchronized (outBytes) {
            return outBytes.toString(StandardCharsets.UTF_8);
        }
    }

    private String err() {
        synchronized (errBytes) {
            return errBytes.toString(StandardCharsets.UTF_8);
        }
    }

    // ---- help, version, usage errors ----

    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h"})
    void helpPrintsUsageAndExitsZero(String flag) {
        Main.Launch l = run(flag);
        assertEquals(0, l.exitCode());
        assertFalse(l.started());
        String usage = out();
        assertTrue(usage.contains("Usage: sockeye"), usage);
        for (String option : new String[] {"--port", "--bind", "--quiet", "--verbose", "--help", "--version", "PORT"}) {
            assertTrue(usage.contains(option), "usage mentions " + option + ":\n" + usage);
        }
        assertEquals("", err(), "help goes to standard output only");
    }

    @Test
    void versionPrintsTheVersion() {
        Main.Launch l = run("--version");
        assertEquals(0, l.exitCode());
        assertFalse(l.started());
        String first = out().lines().findFirst().orElse("");
        assertTrue(first.equals("sockeye 0.1.0") || first.startsWith("sockeye 0.1.0 "), "version line: " + first);
        assertEquals("", err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--nope", "-x", "--port-number"})
    void anUnknownOptionIsAUsageError(String option) {
        Main.Launch l = run(option);
        assertEquals(2, l.exitCode());
        assertFalse(l.started());
        assertTrue(err().contains(option), "the message names the option: " + err());
        assertFalse(out().contains("Serving"), out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"70000", "65536", "99999999"})
    void aPortOutOfRangeIsAUsageError(String port) {
        Main.Launch l = run("-b", "127.0.0.1", port);
        assertEquals(2, l.exitCode());
        assertFalse(l.started());
        assertTrue(err().contains("port"), err());
    }

    @Test
    void aPortOptionOutOfRangeIsAUsageError() {
        assertEquals(2, run("-b", "127.0.0.1", "-p", "65536").exitCode());
        assertFalse(launch.started());
        assertTrue(err().contains("65536"), err());
    }

    @Test
    void aNegativePortIsAUsageError() {
        Main.Launch l = run("-b", "127.0.0.1", "--port=-1");
        assertEquals(2, l.exitCode());
        assertFalse(l.started());
        assertFalse(err().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "80.5", ""})
    void aPortThatIsNotANumberIsAUsageError(String port) {
        Main.Launch l = run("-b", "127.0.0.1", "-p", port);
        assertEquals(2, l.exitCode());
        assertFalse(l.started());
        assertFalse(err().isEmpty());
    }

    @Test
    void twoDifferentPortsAreAUsageError() {
        Main.Launch l = run("-b", "127.0.0.1", "-p", "0", "8123");
        assertEquals(2, l.exitCode());
        assertFalse(l.started());
        assertTrue(err().contains("8123"), err());
    }

    @Test
    void anUnresolvableBindAddressIsAUsageError() {
        Main.Launch l = run("-b", "no such host.invalid", "0");
        assertEquals(2, l.exitCode());
        assertFalse(l.started());
        assertTrue(err().contains("no such host.invalid"), err());
    }

    // ---- starting ----

    @Test
    void startsOnTheLoopbackAndServesThePage(@org.junit.jupiter.api.io.TempDir java.nio.file.Path site) throws Exception {
        java.nio.file.Files.writeString(site.resolve("index.html"), "<!DOCTYPE html><h1>Sockeye 0.1.0</h1><p>served from 127.0.0.1</p>");
        Main.Launch l = run("-b", "127.0.0.1", "-d", site.toString(), "0");
        assertEquals(0, l.exitCode());
        assertTrue(l.started());
        int port = l.server().port();
        assertNotEquals(0, port);
        assertEquals(InetAddress.getByName("127.0.0.1"), l.server().address().getAddress());

        Matcher m = Pattern.compile("Serving .+ at http://127\\.0\\.0\\.1:(\\d+)/").matcher(err() + out());
        assertTrue(m.find(), "a banner with the address: out=" + out() + " err=" + err());
        assertEquals(port, Integer.parseInt(m.group(1)), "the banner shows the real port, not 0");

        HttpResponse<String> r = get(port, "/");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), r.headers().toString());
        assertTrue(r.body().contains("Sockeye 0.1.0"), r.body());
        assertTrue(err().contains(site.toString()), "the banner names the directory served: " + err());
    }

    @Test
    void aCgiDirWithSlashesRunsItsScriptsAndNeverServesTheirSource(@org.junit.jupiter.api.io.TempDir java.nio.file.Path site)
            throws Exception {
        java.nio.file.Path scripts = java.nio.file.Files.createDirectory(site.resolve("scripts"));
        java.nio.file.Path hi = scripts.resolve("hi.sh");
        java.nio.file.Files.writeString(hi, "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nhi from a script\\n'\n");
        java.nio.file.Files.setPosixFilePermissions(hi, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Main.Launch l = run("-b", "127.0.0.1", "-d", site.toString(), "--cgi-dir", "/scripts/", "0");
        assertTrue(l.started(), err());
        HttpResponse<String> r = get(l.server().port(), "/scripts/hi.sh");
        assertEquals(200, r.statusCode());
        assertEquals("hi from a script\n", r.body());
        assertTrue(err().contains("scripts/"), "the banner names the CGI directory: " + err());
    }

    @Test
    void aCgiBinMadeAfterTheStartRunsItsScripts(@org.junit.jupiter.api.io.TempDir java.nio.file.Path site) throws Exception {
        Main.Launch l = run("-b", "127.0.0.1", "-d", site.toString(), "--cgi", "0");
        assertTrue(l.started(), err());
        assertEquals(404, get(l.server().port(), "/cgi-bin/hi.sh").statusCode());
        java.nio.file.Path scripts = java.nio.file.Files.createDirectory(site.resolve("cgi-bin"));
        java.nio.file.Path hi = scripts.resolve("hi.sh");
        java.nio.file.Files.writeString(hi, "#!/bin/sh\n# SOURCE\nprintf 'Content-Type: text/plain\\n\\nhi from a late script\\n'\n");
        java.nio.file.Files.setPosixFilePermissions(hi, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        HttpResponse<String> r = get(l.server().port(), "/cgi-bin/hi.sh");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("hi from a late script\n", r.body(), "run, not served as a file");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../up", "/", ".hidden", "a\\b"})
    void anUnusableCgiDirIsAUsageError(String dir) {
        Main.Launch l = run("-b", "127.0.0.1", "--cgi-dir", dir, "0");
        assertEquals(2, l.exitCode());
        assertFalse(l.started());
        assertTrue(err().contains("--cgi-dir"), err());
    }

    @Test
    void thePortOptionWorks() throws Exception {
        Main.Launch l = run("-b", "127.0.0.1", "-p", "0");
        assertTrue(l.started(), err());
        assertEquals(200, get(l.server().port(), "/").statusCode());
    }

    @Test
    void theLongOptionsWork() throws Exception {
        Main.Launch l = run("--bind=127.0.0.1", "--port", "0", "--quiet");
        assertTrue(l.started(), err());
        assertEquals(200, get(l.server().port(), "/").statusCode());
    }

    @Test
    void theSamePortGivenTwiceIsFine() throws Exception {
        Main.Launch l = run("-b", "127.0.0.1", "-p", "0", "0");
        assertTrue(l.started(), err());
        assertEquals(0, l.exitCode());
    }

    @Test
    void bindsTheIpv6Loopback() throws Exception {
        assumeTrue(canBind(InetAddress.getByName("::1")), "no IPv6 loopback");
        Main.Launch l = run("-b", "::1", "0");
        assertTrue(l.started(), err());
        int port = l.server().port();
        Matcher m = Pattern.compile("Serving .+ at http://\\[([0-9a-fA-F:]+)\\]:(\\d+)/").matcher(err() + out());
        assertTrue(m.find(), "a banner with a bracketed IPv6 address: " + err());
        assertEquals(InetAddress.getByName("::1"), InetAddress.getByName(m.group(1)));
        assertEquals(port, Integer.parseInt(m.group(2)));
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://[::1]:" + port + "/")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
    }

    @Test
    void aTakenPortFailsWithExitOneAndAMessageNamingThePort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            Main.Launch l = run("-b", "127.0.0.1", String.valueOf(port));
            assertEquals(1, l.exitCode());
            assertFalse(l.started());
            assertNull(l.server());
            assertTrue(err().contains(String.valueOf(port)), "the message names the port: " + err());
            assertFalse(err().contains("Exception"), "a message, not a stack trace: " + err());
            assertFalse((err() + out()).contains("Serving"), "no banner for a server that did not start");
        }
    }

    // ---- access log ----

    @Test
    void eachRequestIsLoggedToStandardOutputInCombinedLogFormat() throws Exception {
        Main.Launch l = run("-b", "127.0.0.1", "0");
        assertTrue(l.started(), err());
        RawResponse r;
        try (RawClient c = new RawClient(l.server().port())) {
            r = c.send("GET /?x=1 HTTP/1.1\r\nHost: localhost\r\nReferer: http://ref.example/page\r\nUser-Agent: test-agent/1.0\r\n\r\n").read();
        }
        assertEquals(200, r.status());
        String line = awaitLine(Pattern.compile("^127\\.0\\.0\\.1 - - \\[\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}\\] "
                + "\"GET /\\?x=1 HTTP/1\\.1\" 200 (\\d+) \"http://ref\\.example/page\" \"test-agent/1\\.0\"$", Pattern.MULTILINE));
        Matcher m = Pattern.compile(" 200 (\\d+) ").matcher(line);
        assertTrue(m.find());
        assertEquals(r.body().length, Integer.parseInt(m.group(1)), "the size field is the body's length");
        assertFalse(err().contains("GET /?x=1"), "the access log goes to standard output, not error: " + err());
    }

    @Test
    void aRequestWithoutRefererOrUserAgentLogsDashes() throws Exception {
        Main.Launch l = run("-b", "127.0.0.1", "0");
        assertTrue(l.started(), err());
        try (RawClient c = new RawClient(l.server().port())) {
            assertEquals(404, c.send("GET /missing HTTP/1.1\r\nHost: localhost\r\n\r\n").read().status());
        }
        awaitLine(Pattern.compile("^127\\.0\\.0\\.1 - - \\[[^\\]]+\\] \"GET /missing HTTP/1\\.1\" 404 \\d+ \"-\" \"-\"$", Pattern.MULTILINE));
    }

    @Test
    void quietLogsNoRequests() throws Exception {
        Main.Launch l = run("-q", "-b", "127.0.0.1", "0");
        assertTrue(l.started(), err());
        try (RawClient c = new RawClient(l.server().port())) {
            assertEquals(200, c.send("GET /?quiet=1 HTTP/1.1\r\nHost: localhost\r\n\r\n").read().status());
            assertEquals(200, c.send("GET /?quiet=2 HTTP/1.1\r\nHost: localhost\r\n\r\n").read().status());
        }
        Thread.sleep(500); // the log is flushed a few times a second
        assertFalse(out().contains("GET /"), "no access log with -q: " + out());
        assertFalse(err().contains("GET /"), "no access log with -q: " + err());
    }

    // ---- helpers ----

    private String awaitLine(Pattern pattern) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() - deadline < 0) {
            Matcher m = pattern.matcher(out());
            if (m.find()) return m.group();
            Thread.sleep(20);
        }
        fail("no line matching " + pattern + " on standard output:\n" + out() + "\nstandard error:\n" + err());
        return null;
    }

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static boolean canBind(InetAddress address) {
        try (ServerSocket s = new ServerSocket(0, 1, address)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
