package io.sockeye.examples.guestbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The guestbook as users run it: the built, shaded jar ({@code java -jar sockeye-examples.jar guestbook
 * ...}, which {@code ./example} runs) in a process of its own. What only shows there, not on the test class
 * path: which JDBC drivers the jar registers (it once held SQLite's alone, so PostgreSQL had "No suitable
 * driver"), where the default database is written, and what a mistake on the command line prints.
 * Run by maven-failsafe-plugin after {@code package}; the jar's path comes in {@code sockeye.examples.jar}.
 */
@Timeout(120)
class GuestbookJarIT {

    private static final Path JAR = Path.of(System.getProperty("sockeye.examples.jar", "target/sockeye-examples.jar"));
    private static final Pattern BANNER = Pattern.compile("on port (\\d+); Ctrl-C stops");

    /** The process's working directory: the guestbook must write nothing there. */
    @TempDir
    Path work;
    /** Its {@code XDG_DATA_HOME}, so that the default database goes here and not to the user's. */
    @TempDir
    Path data;
    /** Its output, kept apart from the two above. */
    @TempDir
    Path logs;

    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private int runs;

    /** A guestbook process and the port it listens on. */
    private record Running(Process process, int port) {
    }

    @Test
    void withoutAUrlEntriesGoToSqliteInTheUsersDataFolderAndNothingIntoTheWorkingDirectory() throws Exception {
        addAndReadBackTwice();
        Path db = data.resolve("sockeye/guestbook.db");
        assertTrue(Files.size(db) > 0, "the database is in XDG_DATA_HOME/sockeye/");
        try (Stream<Path> left = Files.list(work)) {
            assertEquals(List.of(), left.toList(), "nothing was written to the working directory");
        }
    }

    @Test
    void entriesGoToPostgresqlThroughTheJarsDriver() throws Exception {
        addAndReadBackTwice(TestPostgres.url());
    }

    // (each run on a free port on 127.0.0.1 only, chosen by the kernel and read from the banner)
    private void addAndReadBackTwice(String... url) throws Exception {
        List<String> args = new ArrayList<>(List.of("127.0.0.1:0"));
        args.addAll(List.of(url));
        String token = "IT " + UUID.randomUUID(); // the PostgreSQL database may hold earlier runs' entries
        Running first = start(args);
        try {
            HttpResponse<String> added = send(HttpRequest.newBuilder(uri(first, "/entries"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("name=jar&message=" + token.replace(' ', '+'))));
            assertEquals(303, added.statusCode(), added.body());
            assertTrue(list(first).contains(token), "the entry is listed");
        } finally {
            stop(first);
        }
        Running second = start(args);
        try {
            assertTrue(list(second).contains(token), "the entry survived the restart");
        } finally {
            stop(second);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "abc                         | ''                           | not a port number",
        "70000                       | ''                           | not a port number",
        "127.0.0.1:0                 | guestbook.db                 | not a JDBC URL",
        "127.0.0.1:0                 | jdbc:nosuch:x                | not a JDBC URL",
    })
    void aMistakeOnTheCommandLineIsOneLineAndStatus2(String where, String url, String says) throws Exception {
        List<String> args = new ArrayList<>(List.of(where));
        if (!url.isEmpty()) args.add(url);
        assertFailsWithOneLine(2, says, args);
    }

    @Test
    void aDatabaseThatCannotBeReachedIsOneLineAndStatus1() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort(); // nothing listens there once closed
        }
        // the PostgreSQL driver is in the jar, so this is "refused", not "No suitable driver"
        String line = assertFailsWithOneLine(1, "cannot open the database",
                List.of("127.0.0.1:0", "jdbc:postgresql://127.0.0.1:" + closed + "/guestbook?user=u&password=secret"));
        assertTrue(line.contains("refused"), line);
        assertFalse(line.contains("secret"), "the password is not shown: " + line);
        assertFailsWithOneLine(1, "cannot open the database",
                List.of("127.0.0.1:0", "jdbc:sqlite:" + work.resolve("no/such/folder/g.db")));
    }

    @Test
    void aPortInUseIsOneLineAndStatus1() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String line = assertFailsWithOneLine(1, "cannot listen", List.of("127.0.0.1:" + taken.getLocalPort()));
            assertTrue(line.contains(String.valueOf(taken.getLocalPort())), line);
        }
    }

    private String assertFailsWithOneLine(int status, String says, List<String> args) throws Exception {
        Process p = launch(args, logs.resolve("failed-" + (++runs) + ".log"));
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the guestbook " + args + " did not exit");
            String out = Files.readString(logs.resolve("failed-" + runs + ".log"), StandardCharsets.UTF_8);
            List<String> lines = out.lines().toList();
            assertEquals(1, lines.size(), "one line, no stack trace: " + out);
            assertTrue(lines.get(0).startsWith("guestbook: ") && lines.get(0).contains(says), out);
            assertEquals(status, p.exitValue(), out);
            return lines.get(0);
        } finally {
            killTree(p);
        }
    }

    private Running start(List<String> args) throws Exception {
        Path log = logs.resolve("run-" + (++runs) + ".log");
        Process p = launch(args, log);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                String out = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
                Matcher m = BANNER.matcher(out); // printed once the server listens
                if (m.find()) return new Running(p, Integer.parseInt(m.group(1)));
                if (!p.isAlive()) fail("the guestbook exited with " + p.exitValue() + " before listening: " + out);
                Thread.sleep(50);
            }
            fail("the guestbook did not listen within 60 s: " + Files.readString(log, StandardCharsets.UTF_8));
            return null;
        } catch (Throwable t) {
            killTree(p);
            throw t;
        }
    }

    private Process launch(List<String> args, Path log) throws IOException {
        // the JDK running this test (21+, from Maven's toolchain), not whatever java is on the PATH
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toAbsolutePath().toString(), "guestbook"));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("XDG_DATA_HOME", data.toString());
        return pb.start();
    }

    /** Stops it as Ctrl-C would (SIGTERM: the server closes in its shutdown hook), then makes sure it is gone. */
    private static void stop(Running r) throws Exception {
        try {
            r.process().destroy();
            assertTrue(r.process().waitFor(30, TimeUnit.SECONDS), "the guestbook stopped on SIGTERM");
        } finally {
            killTree(r.process());
        }
    }

    private static void killTree(Process p) {
        ProcessHandle handle = p.toHandle();
        handle.descendants().forEach(ProcessHandle::destroyForcibly);
        handle.destroyForcibly();
    }

    private static URI uri(Running r, String path) {
        return URI.create("http://127.0.0.1:" + r.port() + path);
    }

    private String list(Running r) throws Exception {
        HttpResponse<String> page = send(HttpRequest.newBuilder(uri(r, "/")));
        assertEquals(200, page.statusCode(), page.body());
        return page.body();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
