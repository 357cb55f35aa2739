package io.sockeye.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code --auth}, {@code --auth-file} and friends from the command line, with the JDK's client and curl. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthOptionsTest {

    /** From PHP's crypt() documentation: "rasmuslerdorf", cost 7, as htpasswd -B writes ($2y$). */
    static final String RASMUS = "$2y$07$usesomesillystringfore2uDLvp1Ii2e./U9C8sBjqp8I90dH6hi";
    /** OpenBSD's and jBCrypt's test vector for "a", cost 6, written with the $2b$ prefix of OpenBSD's bcrypt. */
    static final String A_2B = "$2b$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe";
    /** jBCrypt's vector for the alphabet, $2a$. */
    static final String ALPHABET_2A = "$2a$06$.rCVZVOThsIa97pEDOxvGuRRgzG64bvtJ0938xuqzv18d3ZpQhstC";

    @TempDir
    Path tmp;
    Path site;

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private Main.Launch launch;

    @BeforeEach
    void site() throws Exception {
        site = Files.createDirectories(tmp.resolve("site"));
        Files.writeString(site.resolve("index.html"), "<p>private hello</p>");
    }

    @AfterEach
    void stop() {
        if (launch != null) launch.stop();
    }

    private Main.Launch run(String... args) {
        List<String> all = new ArrayList<>(List.of("-q", "-b", "127.0.0.1", "-d", site.toString()));
        all.addAll(List.of(args));
        all.add("0");
        launch = Main.launch(all.toArray(String[]::new), out, err);
        return launch;
    }

    private String errText() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    private HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + launch.server().port() + path))
                .method(method, method.equals("PUT") ? HttpRequest.BodyPublishers.ofString("x") : HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String userPass) {
        return "Basic " + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8));
    }

    /** @return the status curl got, asking with {@code -u} (or without a login when {@code userPass} is null) */
    private int curl(String userPass, String path) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10"));
        if (userPass != null) cmd.addAll(List.of("-u", userPass));
        cmd.add("http://127.0.0.1:" + launch.server().port() + path);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertTrue(p.waitFor(15, TimeUnit.SECONDS));
        return Integer.parseInt(output);
    }

    @Test
    void authAsksForTheLoginAndCurlGivesIt() throws Exception {
        assertTrue(run("--auth", "ann:s3cret:with colon", "--auth", "bob:other", "--auth-realm", "Ann's files").started(), errText());
        HttpResponse<String> none = send("GET", "/");
        assertEquals(401, none.statusCode());
        assertEquals("Basic realm=\"Ann's files\", charset=\"UTF-8\"", none.headers().firstValue("WWW-Authenticate").orElseThrow());
        assertFalse(none.body().contains("private hello"));
        assertEquals(200, curl("ann:s3cret:with colon", "/"));
        assertEquals(200, curl("bob:other", "/index.html"));
        assertEquals(401, curl("ann:wrong", "/"));
        assertEquals(401, curl("bob:s3cret:with colon", "/"), "one user's password is not another's");
        assertEquals(401, curl(null, "/"));
        HttpResponse<String> ok = send("GET", "/", "Authorization", basic("ann:s3cret:with colon"));
        assertEquals("<p>private hello</p>", ok.body());
        assertEquals(401, send("GET", "/", "Authorization", "Basic !!!").statusCode());
        assertEquals(401, send("GET", "/nothing-here", "Authorization", basic("ann:wrong")).statusCode(),
                "a wrong login does not learn which paths exist");
    }

    @Test
    void anHtpasswdFileOfBcryptHashesIsVerified() throws Exception {
        Path file = tmp.resolve(".htpasswd");
        Files.writeString(file, "# made by htpasswd -B\r\nrasmus:" + RASMUS + "\r\n\r\na:" + A_2B + "\nalpha:" + ALPHABET_2A + "\n");
        assertTrue(run("--auth-file", file.toString()).started(), errText());
        assertEquals(200, curl("rasmus:rasmuslerdorf", "/"));
        assertEquals(200, curl("a:a", "/"));
        assertEquals(200, curl("alpha:abcdefghijklmnopqrstuvwxyz", "/"));
        assertEquals(200, curl("rasmus:rasmuslerdorf", "/"), "again, now from the table of logins that passed");
        assertEquals(401, curl("rasmus:rasmuslerdorX", "/"));
        assertEquals(401, curl("a:b", "/"));
        assertEquals(401, curl("nobody:a", "/"));
        assertEquals(401, curl("rasmus:" + RASMUS, "/"), "the hash itself is not the password");
    }

    @Test
    void aHashOnTheCommandLineWorksToo() throws Exception {
        assertTrue(run("--auth", "rasmus:" + RASMUS).started(), errText());
        assertEquals(200, curl("rasmus:rasmuslerdorf", "/"));
        assertEquals(401, curl("rasmus:wrong", "/"));
    }

    @Test
    void otherHashKindsAreRefusedNamingTheLine() throws Exception {
        String[][] cases = {
            {"{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", "{SHA}"},
            {"$apr1$hj2b8ybe$sMzJUOK6V/Lf5GmUsh0qo.", "$apr1$"},
            {"$1$abcdefgh$0123456789abcdefghijkl", "MD5 crypt"},
            {"$6$salt$hash", "SHA crypt"},
            {"$2y$07$tooshort", "malformed bcrypt"},
            {"$2y$31$usesomesillystringfore2uDLvp1Ii2e./U9C8sBjqp8I90dH6hi", "cost 31"},
            {"rl1JSNmM1Y5gA", "DES crypt hash or a plain-text password"},
            {"hunter2", "plain-text password"},
        };
        for (String[] c : cases) {
            errBytes.reset();
            Path file = tmp.resolve("users");
            Files.writeString(file, "ok:" + RASMUS + "\nbad:" + c[0] + "\n");
            Main.Launch l = run("--auth-file", file.toString());
            assertFalse(l.started(), c[0]);
            assertEquals(Main.USAGE, l.exitCode());
            assertTrue(errText().contains(file + " line 2"), errText());
            assertTrue(errText().contains(c[1]), c[1] + " in " + errText());
        }
        errBytes.reset();
        Path dup = tmp.resolve("dup");
        Files.writeString(dup, "ann:" + RASMUS + "\nann:" + A_2B + "\n");
        assertFalse(run("--auth-file", dup.toString()).started());
        assertTrue(errText().contains("line 2: user ann appears twice"), errText());
        errBytes.reset();
        assertFalse(run("--auth-file", tmp.resolve("missing").toString()).started());
        assertTrue(errText().contains("cannot read --auth-file"), errText());
        errBytes.reset();
        assertFalse(run("--auth", "no-colon").started());
        assertTrue(errText().contains("--auth takes USER:PASSWORD"), errText());
        errBytes.reset();
        assertFalse(run("--auth-writes-only").started());
        assertTrue(errText().contains("need --auth or --auth-file"), errText());
    }

    @Test
    void plainTextInTheFileNeedsItsOwnOption() throws Exception {
        Path file = tmp.resolve("users");
        Files.writeString(file, "ann:hunter2\nrasmus:" + RASMUS + "\n");
        assertTrue(run("--auth-file", file.toString(), "--auth-plaintext").started(), errText());
        assertEquals(200, curl("ann:hunter2", "/"));
        assertEquals(200, curl("rasmus:rasmuslerdorf", "/"));
        assertEquals(401, curl("ann:hunter3", "/"));
    }

    @Test
    void writesOnlyLetsAnyoneRead() throws Exception {
        assertTrue(run("--auth", "ann:pw", "--auth-writes-only").started(), errText());
        assertEquals(200, curl(null, "/"));
        assertEquals(200, send("HEAD", "/").statusCode());
        assertEquals(401, send("PUT", "/new.txt").statusCode());
        assertEquals(401, send("DELETE", "/index.html").statusCode());
        assertEquals(401, send("POST", "/").statusCode());
        int withLogin = send("PUT", "/new.txt", "Authorization", basic("ann:pw")).statusCode();
        assertNotEquals(401, withLogin, "past the login, the file handler answers for itself");
        assertTrue(Files.exists(site.resolve("index.html")));
    }

    @Test
    void cgiScriptsSeeTheUser() throws Exception {
        Path scripts = Files.createDirectory(site.resolve("cgi-bin"));
        Path who = scripts.resolve("who.sh");
        Files.writeString(who, "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n%s %s %s\\n' \"$REMOTE_USER\" \"$AUTH_TYPE\" \"${HTTP_AUTHORIZATION:-none}\"\n");
        Files.setPosixFilePermissions(who, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertTrue(run("--cgi", "--auth", "ann:pw").started(), errText());
        HttpResponse<String> r = send("GET", "/cgi-bin/who.sh", "Authorization", basic("ann:pw"));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("ann Basic none\n", r.body(), "the user, but never the password");
    }

    @Test
    void loginFailuresAreLoggedAndSlowed() throws Exception {
        assertTrue(run("--auth", "ann:pw").started(), errText());
        long t0 = System.nanoTime();
        assertEquals(401, curl("mallory:guess", "/"));
        long first = (System.nanoTime() - t0) / 1_000_000;
        t0 = System.nanoTime();
        assertEquals(401, curl("mallory:guess2", "/"));
        long second = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(first >= 450 && second >= 950 && second < 5_000, first + " ms, then " + second + " ms");
        long deadline = System.currentTimeMillis() + 5_000;
        while (!errText().contains("401 for user \"mallory\" from 127.0.0.1") && System.currentTimeMillis() < deadline) Thread.sleep(20);
        assertTrue(errText().contains("401 for user \"mallory\" from 127.0.0.1"), errText());
        assertFalse(errText().contains("guess"), "never the password");
    }
}
