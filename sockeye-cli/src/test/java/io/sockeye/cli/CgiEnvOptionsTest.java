package io.sockeye.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a CGI script finds in its environment from the command line (issue #12, item 1): the user's PATH
 * (a {@code #!/usr/bin/env python3} script in a virtualenv), and {@code --cgi-env NAME[=VALUE]}.
 */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class CgiEnvOptionsTest {

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
    private Main.Launch launch;

    @TempDir
    Path site;

    @AfterEach
    void stop() {
        if (launch != null) launch.stop();
    }

    private Main.Launch run(String... args) {
        launch = Main.launch(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), err);
        return launch;
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    /** Starts the command with a cgi-bin/env.sh printing its environment, and returns what it printed. */
    private Map<String, String> scriptEnvironment(String... extraArgs) throws Exception {
        Path bin = Files.createDirectories(site.resolve("cgi-bin"));
        Path script = bin.resolve("env.sh");
        Files.writeString(script, "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\nenv\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        String[] args = new String[extraArgs.length + 5];
        System.arraycopy(new String[] {"-q", "-b", "127.0.0.1", "-d", site.toString()}, 0, args, 0, 5);
        System.arraycopy(extraArgs, 0, args, 5, extraArgs.length);
        String[] withPort = java.util.Arrays.copyOf(args, args.length + 1);
        withPort[args.length] = "0";
        Main.Launch l = run(withPort);
        assertTrue(l.started(), err());
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + l.server().port() + "/cgi-bin/env.sh")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        Map<String, String> env = new HashMap<>();
        for (String line : r.body().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) env.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return env;
    }

    @Test
    void aScriptGetsTheServersPathSoEnvFindsTheVirtualenvsInterpreter() throws Exception {
        String path = System.getenv("PATH");
        assumeTrue(path != null && !path.isEmpty(), "the test JVM has a PATH");
        Map<String, String> env = scriptEnvironment("--cgi");
        assertEquals(path, env.get("PATH"));
        if (System.getenv("HOME") != null) assertFalse(env.containsKey("HOME"), "not passed unless named: " + env);
    }

    @Test
    void cgiEnvPassesANamedVariableAndSetsAnother() throws Exception {
        assumeTrue(System.getenv("HOME") != null, "the test JVM has a HOME");
        Map<String, String> env = scriptEnvironment("--cgi", "--cgi-env", "HOME", "--cgi-env", "SITE=demo = yes", "--cgi-env", "TZ=UTC");
        assertEquals(System.getenv("HOME"), env.get("HOME"), "passed from the server's environment");
        assertEquals("demo = yes", env.get("SITE"), "set, split at the first '='");
        assertEquals("UTC", env.get("TZ"), "set wins over passed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP_PROXY", "http_proxy=http://evil", "REMOTE_ADDR=1.2.3.4", "A-B", "=x"})
    void aNameAScriptMustNotGetIsAUsageError(String entry) {
        Main.Launch l = run("-b", "127.0.0.1", "-d", site.toString(), "--cgi", "--cgi-env", entry, "0");
        assertEquals(Main.USAGE, l.exitCode(), err());
        assertFalse(l.started());
        assertTrue(err().contains("--cgi-env"), err());
    }

    @Test
    void cgiEnvWithoutCgiIsAUsageError() {
        Main.Launch l = run("-b", "127.0.0.1", "-d", site.toString(), "--cgi-env", "HOME", "0");
        assertEquals(Main.USAGE, l.exitCode());
        assertTrue(err().contains("--cgi"), err());
    }
}
