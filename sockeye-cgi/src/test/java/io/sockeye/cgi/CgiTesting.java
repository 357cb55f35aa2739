package io.sockeye.cgi;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.sockeye.Handler;
import io.sockeye.HttpServer;
import io.sockeye.testsupport.ServerFixture;

/** Helpers shared by the CGI tests: scripts on disk, a loopback server, an HTTP client, process checks. */
final class CgiTesting {

    private CgiTesting() {
    }

    /**
     * A script that answers with its whole environment as the exec'd process received it: the bytes of
     * {@code /proc/<pid>/environ} (NUL-separated {@code NAME=value}). Reading the kernel's copy of the
     * shell's own environment, as it was exec'd, instead of running {@code env} keeps the shell (which
     * exports PWD) or Python (whose locale coercion sets LC_CTYPE) from adding variables of their own. Not
     * {@code exec cat}: that would show cat's environment, which the shell made. Linux only.
     */
    static final String ENV_SCRIPT = """
            #!/bin/sh
            printf 'Content-Type: application/octet-stream\\n\\n'
            cat /proc/$$/environ
            """;

    /** Writes an executable script (mode 755). */
    static Path script(Path dir, String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    static HttpServer start(Handler handler) throws IOException {
        return ServerFixture.start(ServerFixture.loopback(), handler);
    }

    static final HttpClient CLIENT = ServerFixture.httpClient();

    static URI uri(HttpServer server, String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.port() + pathAndQuery);
    }

    static HttpResponse<byte[]> get(HttpServer server, String pathAndQuery) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri(server, pathAndQuery)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<byte[]> post(HttpServer server, String path, String contentType, byte[] body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri(server, path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    /** Parses the NUL-separated output of {@link #ENV_SCRIPT}. */
    static Map<String, String> parseEnv(byte[] body) {
        Map<String, String> env = new LinkedHashMap<>();
        String all = new String(body, StandardCharsets.UTF_8);
        for (String entry : all.split("\0")) {
            if (entry.isEmpty()) continue;
            int eq = entry.indexOf('=');
            if (eq < 0) fail("not NAME=value: " + entry);
            String name = entry.substring(0, eq);
            if (env.put(name, entry.substring(eq + 1)) != null) fail("variable set twice: " + name);
        }
        return env;
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** Deterministic bytes, every value 0..255 included, so a lost, added or changed byte shows. */
    static byte[] content(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 31 + i / 251);
        return b;
    }

    /** A PID a script wrote into a file, and when: a process with that PID started later is another one. */
    record RecordedPid(long pid, java.time.Instant recordedAt) {
    }

    /** Waits up to a few seconds for a file to appear and hold a PID. */
    static RecordedPid awaitPid(Path file) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                String s = Files.readString(file).strip();
                if (!s.isEmpty()) return new RecordedPid(Long.parseLong(s), Files.getLastModifiedTime(file).toInstant());
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no PID written to " + file);
    }

    static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) return;
            Thread.sleep(10);
        }
        throw new AssertionError("never created: " + file);
    }

    /**
     * @return whether the process the script recorded is still alive: the PID is taken, and by a process
     * that started before the PID was recorded (a later one merely reuses the number)
     */
    static boolean alive(RecordedPid r) {
        Optional<ProcessHandle> h = ProcessHandle.of(r.pid());
        if (h.isEmpty() || !h.get().isAlive() || zombie(r.pid())) return false;
        Optional<java.time.Instant> started = h.get().info().startInstant();
        return started.isEmpty() || !started.get().isAfter(r.recordedAt().plusSeconds(1));
    }

    /**
     * @return whether the process has ended but not been reaped yet: an orphan is reaped by PID 1, which in
     * some containers never does it; a zombie runs nothing and holds no pipe
     */
    static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Kills what the script recorded, if it is still that process (cleanup after a failed assertion). */
    static void killIfOurs(RecordedPid r) {
        Optional<ProcessHandle> h = ProcessHandle.of(r.pid());
        if (h.isEmpty()) return;
        Optional<java.time.Instant> started = h.get().info().startInstant();
        if (started.isPresent() && !started.get().isAfter(r.recordedAt().plusSeconds(1))) h.get().destroyForcibly();
    }

    /** Asserts that the process is gone (or never existed) within the time. */
    static void assertGoneWithin(RecordedPid r, Duration within, String what) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (alive(r)) {
            if (System.nanoTime() > deadline) {
                String cmd = ProcessHandle.of(r.pid()).flatMap(h -> h.info().commandLine()).orElse("?");
                killIfOurs(r); // leave nothing behind even when the assertion fails
                fail(what + " (pid " + r.pid() + ", " + cmd + ") still running after " + within.toMillis() + " ms");
            }
            Thread.sleep(20);
        }
    }

    /**
     * The processes whose command line names something under {@code dir}: the scripts of one test class
     * (their interpreters run {@code /bin/sh /tmp/junit.../script}). Only for a test's own temporary
     * directory, which nothing but its scripts can name: what is found there may be killed.
     */
    static List<ProcessHandle> processesUnder(Path dir) {
        String marker = dir.toAbsolutePath() + "/";
        List<ProcessHandle> found = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> {
            if (p.pid() == ProcessHandle.current().pid()) return;
            Optional<String> cmd = p.info().commandLine();
            if (p.isAlive() && !zombie(p.pid()) && cmd.isPresent() && cmd.get().contains(marker)) found.add(p);
        });
        return found;
    }

    /** Asserts, within a few seconds, that no script of this test class is still running; kills stragglers after. */
    static void assertNoProcessesUnder(Path dir) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<ProcessHandle> left = processesUnder(dir);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            left = processesUnder(dir);
        }
        if (!left.isEmpty()) {
            List<String> what = left.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
            left.forEach(ProcessHandle::destroyForcibly);
            fail("processes of the tests' scripts left running: " + what);
        }
        assertTrue(processesUnder(dir).isEmpty());
    }

    /** Asserts that none of the PIDs written into {@code *.pid} files under the directory is still alive. */
    static void assertRecordedPidsGone(Path pidDir) throws Exception {
        if (!Files.isDirectory(pidDir)) return;
        List<String> alive = new ArrayList<>();
        long deadline = System.nanoTime() + 5_000_000_000L;
        try (var files = Files.list(pidDir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
                String s = Files.readString(f).strip();
                if (s.isEmpty()) continue;
                RecordedPid r = new RecordedPid(Long.parseLong(s), Files.getLastModifiedTime(f).toInstant());
                while (alive(r) && System.nanoTime() < deadline) Thread.sleep(20);
                if (alive(r)) {
                    alive.add(f.getFileName() + "=" + r.pid());
                    killIfOurs(r);
                }
            }
        }
        if (!alive.isEmpty()) fail("orphan processes left by the scripts: " + alive);
    }
}
