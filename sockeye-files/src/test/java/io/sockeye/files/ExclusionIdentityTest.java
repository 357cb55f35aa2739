package io.sockeye.files;

import static io.sockeye.files.FilesTestSupport.get;
import static io.sockeye.files.FilesTestSupport.text;
import static io.sockeye.files.FilesTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.sockeye.HttpServer;

/**
 * An excluded directory is excluded by identity, not by the spelling of a path: on a case-insensitive file
 * system {@code /CGI-BIN/env.sh} is {@code /cgi-bin/env.sh}. No such file system can be made here (no
 * casefold, vfat or exFAT in this kernel), so what stands in is what a path string cannot see through
 * either: the directory bind-mounted under another name (as root; skipped where mounting is not allowed),
 * and a script hard-linked into a public directory.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ExclusionIdentityTest {

    static final String SCRIPT = "#!/bin/sh\necho script-source-must-not-be-sent\n";

    @TempDir
    static Path tmp;
    static Path www;
    static final List<Path> MOUNTS = new ArrayList<>();

    @BeforeAll
    static void site() throws Exception {
        www = Files.createDirectory(tmp.resolve("www"));
        write(www.resolve("cgi-bin/env.sh"), SCRIPT);
        write(www.resolve("cgi-bin/lib/helper.sh"), SCRIPT);
        write(www.resolve("pub/page.txt"), "public page");
        write(www.resolve("pub/shared-a.txt"), "shared between two public names");
        Files.createLink(www.resolve("pub/shared-b.txt"), www.resolve("pub/shared-a.txt"));
        Files.createLink(www.resolve("pub/env.txt"), www.resolve("cgi-bin/env.sh")); // the script under a public name
        for (String alias : new String[] {"CGI-BIN", "pub/scripts"}) {
            Path at = Files.createDirectories(www.resolve(alias));
            if (run("mount", "--bind", www.resolve("cgi-bin").toString(), at.toString())) MOUNTS.add(at);
        }
    }

    @AfterAll
    static void unmount() {
        for (Path m : MOUNTS) run("umount", m.toString());
    }

    static boolean run(String... command) {
        try {
            return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static HttpServer server(FilesTestSupport.Access access, boolean followSymlinks) throws IOException {
        return FilesTestSupport.start(access.builder(www).followSymlinks(followSymlinks).exclude(www.resolve("cgi-bin")).build());
    }

    static void assertRefused(HttpServer s, String path) throws Exception {
        HttpResponse<byte[]> r = get(s, path);
        assertTrue(r.statusCode() == 403 || r.statusCode() == 404, path + " refused, not " + r.statusCode());
        assertFalse(text(r).contains("script-source"), path + " sent the script");
    }

    @ParameterizedTest
    @EnumSource(FilesTestSupport.Access.class)
    void aScriptHardLinkedIntoAPublicDirectoryIsRefused(FilesTestSupport.Access access) throws Exception {
        for (boolean follow : new boolean[] {false, true}) {
            HttpServer s = server(access, follow);
            try {
                assertRefused(s, "/pub/env.txt");
                assertEquals("public page", text(get(s, "/pub/page.txt")));
                // a hard link between two public names is no reason to refuse either
                assertEquals("shared between two public names", text(get(s, "/pub/shared-a.txt")));
                assertEquals("shared between two public names", text(get(s, "/pub/shared-b.txt")));
            } finally {
                s.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(FilesTestSupport.Access.class)
    void theExcludedDirectoryUnderAnotherNameIsRefused(FilesTestSupport.Access access) throws Exception {
        assumeTrue(MOUNTS.size() == 2, "bind mounts are not allowed here");
        HttpServer s = server(access, false);
        try {
            for (String path : new String[] {"/CGI-BIN/env.sh", "/CGI-BIN/lib/helper.sh", "/CGI-BIN/", "/pub/scripts/env.sh",
                "/pub/scripts/lib/helper.sh", "/pub/scripts/"}) {
                assertRefused(s, path);
            }
            assertEquals("public page", text(get(s, "/pub/page.txt")));
            assertFalse(text(get(s, "/pub/")).contains("env.txt\""), "the listing offers no way to the script");
        } finally {
            s.close();
        }
    }

    @Test
    void theAliasesReallyLeadToTheScript() throws Exception {
        // without the exclusion, each alias serves the script: the refusals above are not vacuous
        HttpServer open = FilesTestSupport.start(FileHandler.of(www));
        try {
            assertTrue(text(get(open, "/pub/env.txt")).contains("script-source"));
            if (MOUNTS.size() == 2) assertTrue(text(get(open, "/CGI-BIN/env.sh")).contains("script-source"));
        } finally {
            open.close();
        }
    }

    @ParameterizedTest
    @EnumSource(FilesTestSupport.Access.class)
    void anExcludedDirectoryReplacedWhileServingIsStillRefused(FilesTestSupport.Access access, @TempDir Path site) throws Exception {
        write(site.resolve("cgi-bin/env.sh"), SCRIPT);
        write(site.resolve("page.txt"), "page");
        Files.createSymbolicLink(site.resolve("door"), Path.of("cgi-bin"));
        HttpServer s = FilesTestSupport.start(access.builder(site).exclude(site.resolve("cgi-bin")).build());
        try {
            assertRefused(s, "/door/env.sh");
            // replaced by a new directory (another inode) at the same path, after the first answers
            Files.move(site.resolve("cgi-bin"), site.resolve("old-bin"));
            write(site.resolve("cgi-bin/env.sh"), SCRIPT);
            assertRefused(s, "/door/env.sh");
            assertRefused(s, "/cgi-bin/env.sh");
            assertEquals("page", text(get(s, "/page.txt")));
            assertEquals(SCRIPT, text(get(s, "/old-bin/env.sh")), "what was moved out is no longer excluded");
        } finally {
            s.close();
        }
    }
}
