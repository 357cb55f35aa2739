package io.sockeye.cgi;

import static io.sockeye.cgi.CgiTesting.script;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.sockeye.HttpServer;
import io.sockeye.Router;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;

/**
 * What may run: only executables inside the script directory, directly (no shell), with no arguments.
 * Sources are never sent; nothing outside the directory ever runs.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CgiSafetyTest {

    @TempDir
    static Path tmp;
    static Path cgiBin;
    static Path marks;
    /** A Router with the scripts at /cgi-bin/ (as a site mounts them). */
    static HttpServer routed;
    /** The CgiHandler alone as the server's handler: its own jail, with no router in front. */
    static HttpServer bare;

    /**
     * A script that leaves a mark in MARKS when it runs and answers "RAN-mark"; its source holds
     * "SOURCE-OF-mark" but not "RAN-", so a body tells which of the two was sent.
     */
    static String marking(String mark) {
        return "#!/bin/sh\n# SOURCE-OF-" + mark + "\n: > \"$MARKS/" + mark + "\"\nprintf 'Content-Type: text/plain\\n\\n%s-%s\\n' RAN " + mark + "\n";
    }

    @BeforeAll
    static void start() throws Exception {
        cgiBin = tmp.resolve("cgi-bin");
        marks = tmp.resolve("marks");
        Files.createDirectories(marks);
        script(cgiBin, "args.sh", """
                #!/bin/sh
                printf 'Content-Type: text/plain\\n\\n'
                echo "$#"
                for a in "$@"; do echo "[$a]"; done
                """);
        script(cgiBin, "args.py", """
                #!/usr/bin/env python3
                import sys
                print("Content-Type: text/plain")
                print()
                print(len(sys.argv) - 1)
                """);
        script(cgiBin, "ok.sh", marking("ok"));
        // not executable: its source must never be sent
        Files.writeString(cgiBin.resolve("noexec.sh"), marking("noexec"));
        Files.setPosixFilePermissions(cgiBin.resolve("noexec.sh"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.writeString(cgiBin.resolve("notes.txt"), "SOURCE-OF-notes: passwords go here\n");
        Files.createDirectories(cgiBin.resolve("dir"));
        script(cgiBin, ".hidden.sh", marking("hidden"));
        script(cgiBin, ".git/hook.sh", marking("git-hook"));
        // outside the script directory
        script(tmp, "secret.sh", marking("secret"));
        script(tmp, "outside/run.sh", marking("outside"));
        Files.createSymbolicLink(cgiBin.resolve("link.sh"), tmp.resolve("secret.sh"));
        Files.createSymbolicLink(cgiBin.resolve("relative-link.sh"), Path.of("../secret.sh"));
        Files.createSymbolicLink(cgiBin.resolve("linkdir"), tmp.resolve("outside"));
        // a FIFO is not a regular file
        new ProcessBuilder("mkfifo", cgiBin.resolve("fifo").toString()).start().waitFor();

        CgiHandler handler = CgiHandler.builder(cgiBin).environment("MARKS", marks.toString()).build();
        routed = CgiTesting.start(Router.create().mount("/cgi-bin/", handler));
        bare = CgiTesting.start(handler);
    }

    @AfterAll
    static void stop() throws Exception {
        if (routed != null) routed.close();
        if (bare != null) bare.close();
        CgiTesting.assertNoProcessesUnder(tmp);
    }

    @BeforeEach
    void clearMarks() throws Exception {
        try (var s = Files.list(marks)) {
            for (Path p : s.toList()) Files.delete(p);
        }
    }

    static Set<String> marksLeft() throws Exception {
        try (var s = Files.list(marks)) {
            return Set.copyOf(s.map(p -> p.getFileName().toString()).toList());
        }
    }

    static RawResponse raw(HttpServer server, String method, String target) throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            return c.send(method + " " + target + " HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").read();
        }
    }

    static void assertNothingLeaked(RawResponse r) {
        String body = r.text();
        assertFalse(body.contains("SOURCE-OF-"), "a source was sent: " + body);
        assertFalse(body.contains("RAN-"), "a script ran: " + body);
        assertFalse(body.contains(tmp.toString()), "a path of the machine in the body: " + body);
    }

    @Test
    void aScriptInTheDirectoryRuns() throws Exception {
        RawResponse r = raw(routed, "GET", "/cgi-bin/ok.sh");
        assertEquals(200, r.status());
        assertEquals("RAN-ok\n", r.text());
        assertEquals(Set.of("ok"), marksLeft());
    }

    // ---- no shell, no arguments -------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"", "?", "?-e", "?;touch%20MARK", "?%3Btouch%20MARK", "?a+b+c", "?$(touch%20MARK)",
            "?%60touch%20MARK%60", "?x%7Ctouch%20MARK", "?x&y;touch%20MARK", "?-c+touch+MARK", "?--help"})
    void theQueryIsNeverACommandLine(String query) throws Exception {
        String q = query.replace("MARK", marks.resolve("pwned").toString().replace("/", "%2F"));
        RawResponse r = raw(routed, "GET", "/cgi-bin/args.sh" + q);
        assertEquals(200, r.status(), q);
        assertEquals("0\n", r.text(), "the script got arguments from " + q);
        RawResponse py = raw(routed, "GET", "/cgi-bin/args.py" + q);
        assertEquals("0\n", py.text());
        assertEquals(Set.of(), marksLeft(), "something ran from " + q);
    }

    /**
     * A shell would split these names at ";" and " " and run "$(...)": run directly, each is one
     * executable that answers "direct".
     */
    @ParameterizedTest
    @ValueSource(strings = {"semi;colon.sh", "space name.sh", "dollar$(touch pwned).sh", "back`touch pwned`tick.sh", "glob*.sh"})
    void scriptsAreExecutedDirectlyNotThroughAShell(String name) throws Exception {
        script(cgiBin, name, "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\ndirect\\n'\n");
        try {
            String encoded = java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
            RawResponse r = raw(routed, "GET", "/cgi-bin/" + encoded);
            assertEquals(200, r.status(), name + ": " + r.statusLine());
            assertEquals("direct\n", r.text(), name);
            assertFalse(Files.exists(cgiBin.resolve("pwned")), "a shell ran part of the name " + name);
            assertFalse(Files.exists(tmp.resolve("pwned")));
        } finally {
            Files.delete(cgiBin.resolve(name));
        }
    }

    @Test
    void theScriptsParentIsTheServerItself() throws Exception {
        script(cgiBin, "ppid.sh", "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\necho \"$PPID\"\n");
        RawResponse r = raw(routed, "GET", "/cgi-bin/ppid.sh");
        assertEquals(Long.toString(ProcessHandle.current().pid()), r.text().strip(), "started by the server, not by a shell it ran");
    }

    @Test
    void pathInfoIsNeverACommandLineEither() throws Exception {
        RawResponse r = raw(routed, "GET", "/cgi-bin/args.sh/-e/%3Btouch%20x");
        assertEquals("0\n", r.text());
    }

    // ---- what is not a script --------------------------------------------------------------------

    @Test
    void nonExecutableFileIs403WithoutItsSource() throws Exception {
        for (String target : List.of("/cgi-bin/noexec.sh", "/cgi-bin/notes.txt", "/cgi-bin/noexec.sh/x")) {
            RawResponse r = raw(routed, "GET", target);
            assertEquals(403, r.status(), target);
            assertNothingLeaked(r);
        }
        RawResponse post = raw(routed, "POST", "/cgi-bin/noexec.sh");
        assertEquals(403, post.status());
        assertNothingLeaked(post);
        assertEquals(Set.of(), marksLeft());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/cgi-bin/", "/cgi-bin/dir", "/cgi-bin/dir/"})
    void directoryIs403(String target) throws Exception {
        RawResponse r = raw(routed, "GET", target);
        assertEquals(403, r.status(), target);
        assertNothingLeaked(r);
        assertFalse(r.text().contains("ok.sh"), "no listing");
    }

    @Test
    void fifoIsNotAScript() throws Exception {
        RawResponse r = raw(routed, "GET", "/cgi-bin/fifo");
        assertTrue(r.status() == 403 || r.status() == 404, r.statusLine());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/cgi-bin/missing.sh", "/cgi-bin/missing/x.sh", "/cgi-bin/dir/missing.sh", "/cgi-bin/OK.SH"})
    void missingScriptIs404(String target) throws Exception {
        RawResponse r = raw(routed, "GET", target);
        assertEquals(404, r.status(), target);
        assertNothingLeaked(r);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/cgi-bin/.hidden.sh", "/cgi-bin/.git/hook.sh", "/cgi-bin/%2Ehidden.sh", "/cgi-bin/dir/../.hidden.sh"})
    void hiddenNamesAreRefused(String target) throws Exception {
        RawResponse r = raw(routed, "GET", target);
        assertTrue(r.status() == 403 || r.status() == 404 || r.status() == 301, target + ": " + r.statusLine());
        assertNothingLeaked(r);
        assertEquals(Set.of(), marksLeft(), target);
    }

    // ---- nothing outside the directory ------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"/cgi-bin/link.sh", "/cgi-bin/relative-link.sh", "/cgi-bin/linkdir/run.sh", "/cgi-bin/link.sh/x"})
    void linksOutOfTheDirectoryAreNotRun(String target) throws Exception {
        for (String method : List.of("GET", "POST")) {
            RawResponse r = raw(routed, method, target);
            assertTrue(r.status() == 403 || r.status() == 404, method + " " + target + ": " + r.statusLine());
            assertNothingLeaked(r);
        }
        assertEquals(Set.of(), marksLeft(), target);
    }

    /** Traversal under a router: refused or redirected to a canonical path, never run from here. */
    @ParameterizedTest
    @ValueSource(strings = {"/cgi-bin/../secret.sh", "/cgi-bin/%2e%2e/secret.sh", "/cgi-bin/%2E%2E/secret.sh",
            "/cgi-bin/..%2fsecret.sh", "/cgi-bin/..%2Fsecret.sh", "/cgi-bin/%2e%2e%2fsecret.sh", "/cgi-bin/..%5csecret.sh",
            "/cgi-bin/dir/../../secret.sh", "/cgi-bin/./../secret.sh", "/cgi-bin/..;/secret.sh",
            "/cgi-bin/%2e%2e%2f%2e%2e%2fsecret.sh", "/cgi-bin/linkdir/../../secret.sh"})
    void traversalThroughARouterIsRefused(String target) throws Exception {
        for (String method : List.of("GET", "POST")) {
            RawResponse r = raw(routed, method, target);
            int s = r.status();
            assertTrue(s == 301 || s == 308 || s == 400 || s == 403 || s == 404, method + " " + target + ": " + r.statusLine());
            if (s == 301 || s == 308) {
                // the canonical path is outside the mount: following it gets nothing from the script directory
                String location = r.header("Location");
                assertFalse(location.startsWith("/cgi-bin/") && location.contains("secret"), location);
                RawResponse followed = raw(routed, method, location);
                assertEquals(404, followed.status(), location);
                assertNothingLeaked(followed);
            }
            assertNothingLeaked(r);
        }
        assertEquals(Set.of(), marksLeft(), target);
    }

    /** Traversal with the handler alone (no router canonicalizing in front): its own jail refuses it. */
    @ParameterizedTest
    @ValueSource(strings = {"/../secret.sh", "/%2e%2e/secret.sh", "/%2E%2E/secret.sh", "/..%2fsecret.sh",
            "/%2e%2e%2fsecret.sh", "/..%5csecret.sh", "/dir/../../secret.sh", "/./../secret.sh", "/dir/%2e%2e/%2e%2e/secret.sh",
            "/linkdir/run.sh", "/link.sh", "/linkdir/../../secret.sh", "/.hidden.sh", "/noexec.sh", "/dir/"})
    void traversalStraightToTheHandlerIsRefused(String target) throws Exception {
        for (String method : List.of("GET", "POST")) {
            RawResponse r = raw(bare, method, target);
            int s = r.status();
            assertTrue(s == 400 || s == 403 || s == 404, method + " " + target + ": " + r.statusLine());
            assertNothingLeaked(r);
        }
        assertEquals(Set.of(), marksLeft(), target);
    }

    @Test
    void theBareHandlerStillRunsItsOwnScripts() throws Exception {
        RawResponse r = raw(bare, "GET", "/ok.sh");
        assertEquals("RAN-ok\n", r.text());
        RawResponse sub = raw(bare, "GET", "/dir/../ok.sh");
        // ".." inside the directory is resolved, not refused: either way nothing outside runs
        assertTrue(sub.status() == 200 || sub.status() == 404, sub.statusLine());
        if (sub.status() == 200) assertEquals("RAN-ok\n", sub.text());
        assertFalse(marksLeft().contains("secret"));
    }

    @Test
    void nulInThePathIsRefused() throws Exception {
        RawResponse r = raw(routed, "GET", "/cgi-bin/ok.sh%00.txt");
        assertTrue(r.status() == 400 || r.status() == 404, r.statusLine());
        assertEquals(Set.of(), marksLeft());
        assertNothingLeaked(r);
    }
}
