package io.sockeye.cgi;

import static io.sockeye.cgi.CgiTesting.script;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sockeye.HttpServer;
import io.sockeye.Router;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;

/** The script directory is looked up per request: created after the start, removed, replaced, relinked. */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class CgiDirectoryTest {

    static RawResponse get(HttpServer server, String target) throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            return c.send("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
        }
    }

    static String answering(String text) {
        return "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n" + text + "\\n'\n";
    }

    @Test
    void askingForTheFolderItselfSaysScriptsAreRunNotListed(@TempDir Path site) throws Exception {
        Path cgiBin = site.resolve("cgi-bin");
        script(cgiBin, "sub/hello.sh", answering("hello"));
        try (HttpServer server = CgiTesting.start(Router.create().mount("/cgi-bin/", CgiHandler.of(cgiBin)))) {
            for (String folder : new String[] {"/cgi-bin/", "/cgi-bin/sub/", "/cgi-bin/sub"}) {
                RawResponse r = get(server, folder);
                assertEquals(403, r.status(), folder);
                String expected = (folder.endsWith("/") ? folder : folder + "/") + " is a folder of CGI scripts, which are"
                        + " run, not listed: ask for a script in it, as " + (folder.endsWith("/") ? folder : folder + "/") + "NAME";
                org.junit.jupiter.api.Assertions.assertTrue(r.text().contains(expected), folder + ": " + r.text());
            }
        }
    }

    @Test
    void aDirectoryCreatedAfterTheStartIsServedOnceItExists(@TempDir Path site) throws Exception {
        Path cgiBin = site.resolve("cgi-bin");
        try (HttpServer server = CgiTesting.start(Router.create().mount("/cgi-bin/", CgiHandler.of(cgiBin)))) {
            assertEquals(404, get(server, "/cgi-bin/hello.sh").status(), "no directory yet");
            script(cgiBin, "hello.sh", answering("hello"));
            RawResponse r = get(server, "/cgi-bin/hello.sh");
            assertEquals(200, r.status(), r.statusLine());
            assertEquals("hello\n", r.text());

            // removed: 404 again; made anew (another inode): its scripts run, jailed to it
            Files.delete(cgiBin.resolve("hello.sh"));
            Files.delete(cgiBin);
            assertEquals(404, get(server, "/cgi-bin/hello.sh").status());
            script(cgiBin, "hello.sh", answering("again"));
            assertEquals("again\n", get(server, "/cgi-bin/hello.sh").text());
        }
        CgiTesting.assertNoProcessesUnder(site);
    }

    @Test
    void aLinkPointedAtAnotherDirectoryIsFollowedAndStillJails(@TempDir Path site) throws Exception {
        Path one = Files.createDirectories(site.resolve("one"));
        Path two = Files.createDirectories(site.resolve("two"));
        script(one, "which.sh", answering("one"));
        script(two, "which.sh", answering("two"));
        Files.createSymbolicLink(two.resolve("escape.sh"), one.resolve("which.sh")); // a link out of "two"
        Path cgiBin = site.resolve("cgi-bin");
        Files.createSymbolicLink(cgiBin, one);
        try (HttpServer server = CgiTesting.start(CgiHandler.of(cgiBin))) {
            assertEquals("one\n", get(server, "/which.sh").text());
            Files.delete(cgiBin);
            Files.createSymbolicLink(cgiBin, two);
            assertEquals("two\n", get(server, "/which.sh").text());
            RawResponse escape = get(server, "/escape.sh");
            assertEquals(403, escape.status(), "a link from the new directory into the old one leads outside it: " + escape.statusLine());
            Files.delete(cgiBin);
            Files.writeString(cgiBin, "now a file");
            assertEquals(404, get(server, "/which.sh").status(), "not a directory");
        }
    }
}
