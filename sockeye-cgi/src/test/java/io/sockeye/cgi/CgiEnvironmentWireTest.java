package io.sockeye.cgi;

import static io.sockeye.cgi.CgiTesting.ENV_SCRIPT;
import static io.sockeye.cgi.CgiTesting.parseEnv;
import static io.sockeye.cgi.CgiTesting.script;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.sockeye.HttpServer;
import io.sockeye.Router;
import io.sockeye.Version;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;

/** The environment a real script sees (RFC 3875 §4.1), run by a real server over a real socket. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CgiEnvironmentWireTest {

    @TempDir
    static Path tmp;
    static Path root;
    static Path cgiBin;
    static HttpServer server;

    /** Variables this implementation sets beyond those the tests ask for: harmless, and none from the server. */
    static final Set<String> OPTIONAL = Set.of("SERVER_ADDR", "SCRIPT_FILENAME", "REMOTE_HOST", "REQUEST_SCHEME",
            "REDIRECT_STATUS", "AUTH_TYPE", "REMOTE_USER", "REMOTE_IDENT");

    @BeforeAll
    static void start() throws Exception {
        root = tmp.resolve("site");
        cgiBin = root.resolve("cgi-bin");
        script(cgiBin, "env.sh", ENV_SCRIPT);
        script(cgiBin, "sub/env.sh", ENV_SCRIPT);
        Router router = Router.create();
        router.mount("/cgi-bin/", CgiHandler.builder(cgiBin).documentRoot(root).environment("SITE_NAME", "demo site").build());
        router.mount("/auth-bin/", CgiHandler.builder(cgiBin).documentRoot(root).passAuthorization(true).build());
        server = CgiTesting.start(router);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        CgiTesting.assertNoProcessesUnder(tmp);
    }

    static Map<String, String> rawEnv(RawClient c, String request) throws Exception {
        RawResponse r = c.send(request).read();
        assertEquals(200, r.status(), r.statusLine() + " " + r.text());
        return parseEnv(r.body());
    }

    @Test
    void everyMetaVariableAndNothingElse() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            Map<String, String> e = rawEnv(c, "GET /cgi-bin/env.sh/a/b?x=1&y=%20 HTTP/1.1\r\n"
                    + "Host: example.test:8081\r\n"
                    + "User-Agent: raw-test\r\n"
                    + "X-Multi: one\r\n"
                    + "X-Multi: two\r\n"
                    + "Cookie: a=1\r\n"
                    + "Cookie: b=2\r\n"
                    + "Proxy: http://evil\r\n"
                    + "Authorization: Basic Zm9vOmJhcg==\r\n"
                    + "X_Under: sneaky\r\n"
                    + "\r\n");
            assertEquals("CGI/1.1", e.get("GATEWAY_INTERFACE"));
            assertEquals("Sockeye/" + Version.VERSION, e.get("SERVER_SOFTWARE"));
            assertEquals("example.test", e.get("SERVER_NAME"), "from Host, without its port");
            assertEquals(Integer.toString(server.port()), e.get("SERVER_PORT"), "the port the request arrived on");
            assertEquals("HTTP/1.1", e.get("SERVER_PROTOCOL"));
            assertEquals("GET", e.get("REQUEST_METHOD"));
            assertEquals("/cgi-bin/env.sh", e.get("SCRIPT_NAME"));
            assertEquals("/a/b", e.get("PATH_INFO"));
            assertEquals(root.toAbsolutePath().normalize().resolve("a/b").toString(), e.get("PATH_TRANSLATED"));
            assertEquals("x=1&y=%20", e.get("QUERY_STRING"));
            assertEquals("127.0.0.1", e.get("REMOTE_ADDR"));
            assertEquals(Integer.toString(c.localPort()), e.get("REMOTE_PORT"), "the client socket's port");
            assertEquals("/cgi-bin/env.sh/a/b?x=1&y=%20", e.get("REQUEST_URI"));
            assertEquals(root.toAbsolutePath().normalize().toString(), e.get("DOCUMENT_ROOT"));
            assertEquals(System.getenv().getOrDefault("PATH", CgiEnvironment.DEFAULT_PATH), e.get("PATH"), "the server's PATH");
            assertEquals("demo site", e.get("SITE_NAME"), "environment(k, v)");
            assertEquals("example.test:8081", e.get("HTTP_HOST"));
            assertEquals("raw-test", e.get("HTTP_USER_AGENT"));
            assertEquals("one, two", e.get("HTTP_X_MULTI"));
            assertEquals("a=1; b=2", e.get("HTTP_COOKIE"));
            assertFalse(e.containsKey("HTTP_PROXY"), "httpoxy");
            assertFalse(e.containsKey("HTTP_AUTHORIZATION"));
            assertFalse(e.containsKey("HTTP_X_UNDER"));
            assertFalse(e.containsKey("CONTENT_LENGTH"), "a GET without a body");
            assertFalse(e.containsKey("CONTENT_TYPE"));
            assertFalse(e.containsValue("http://evil"));
            assertFalse(e.containsValue("sneaky"));
            assertFalse(e.containsValue("Basic Zm9vOmJhcg=="));

            Set<String> expected = new HashSet<>(Set.of("GATEWAY_INTERFACE", "SERVER_SOFTWARE", "SERVER_NAME",
                    "SERVER_PORT", "SERVER_PROTOCOL", "REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "PATH_TRANSLATED",
                    "QUERY_STRING", "REMOTE_ADDR", "REMOTE_PORT", "REQUEST_URI", "DOCUMENT_ROOT", "PATH", "SITE_NAME",
                    "HTTP_HOST", "HTTP_USER_AGENT", "HTTP_X_MULTI", "HTTP_COOKIE"));
            Set<String> unexpected = new TreeSet<>(e.keySet());
            unexpected.removeAll(expected);
            unexpected.removeAll(OPTIONAL);
            unexpected.removeAll(Set.of("LANG", "LC_ALL", "LC_CTYPE", "TZ")); // the server's, when it has them
            assertEquals(Set.of(), unexpected, "variables nobody asked for; the whole environment: " + e);
            assertTrue(e.keySet().containsAll(expected), "missing: " + expected + " in " + e.keySet());
        }
    }

    @Test
    void ofTheServersOwnEnvironmentOnlyPathLocaleAndTimeZone() throws Exception {
        Map<String, String> e = parseEnv(CgiTesting.get(server, "/cgi-bin/env.sh").body());
        for (String own : new String[] {"HOME", "USER", "JAVA_HOME", "PWD", "SHELL", "MAVEN_OPTS", "CLASSPATH"}) {
            assertFalse(e.containsKey(own), own + " must not reach the script: " + e);
        }
        Set<String> passed = Set.of("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ");
        for (Map.Entry<String, String> own : System.getenv().entrySet()) {
            if (passed.contains(own.getKey())) {
                assertEquals(own.getValue(), e.get(own.getKey()), "the server's " + own.getKey() + " is passed");
            } else {
                assertFalse(e.containsKey(own.getKey()), "the server's own " + own.getKey() + " reached the script");
            }
        }
    }

    @Test
    void passedAndSetVariablesFromAnEnvironmentOtherThanTheJvms() throws Exception {
        Map<String, String> serverEnv = Map.of("PATH", "/home/u/venv/bin:/usr/bin:/bin", "LANG", "C.UTF-8",
                "TZ", "Europe/Paris", "AWS_SECRET_ACCESS_KEY", "s3cr3t", "http_proxy", "http://corp:3128",
                "PROJECT", "demo", "EMPTY", "");
        CgiHandler handler = CgiHandler.builder(cgiBin).serverEnvironment(serverEnv)
                .passEnvironment("PROJECT").passEnvironment("EMPTY").passEnvironment("NOT_SET_ANYWHERE")
                .environment("TZ", "UTC").build();
        try (HttpServer other = CgiTesting.start(Router.create().mount("/cgi-bin/", handler))) {
            Map<String, String> e = parseEnv(CgiTesting.get(other, "/cgi-bin/env.sh").body());
            assertEquals("/home/u/venv/bin:/usr/bin:/bin", e.get("PATH"), "a virtualenv's PATH reaches the script");
            assertEquals("C.UTF-8", e.get("LANG"));
            assertEquals("UTC", e.get("TZ"), "a set variable wins over a passed one");
            assertEquals("demo", e.get("PROJECT"), "passEnvironment(name)");
            assertEquals("", e.get("EMPTY"), "an empty value is still a value");
            assertFalse(e.containsKey("NOT_SET_ANYWHERE"));
            assertFalse(e.containsKey("AWS_SECRET_ACCESS_KEY"), "not named, not passed");
            assertFalse(e.containsKey("http_proxy"));
        }
        CgiHandler none = CgiHandler.builder(cgiBin).serverEnvironment(serverEnv).passNoEnvironment().build();
        try (HttpServer other = CgiTesting.start(Router.create().mount("/cgi-bin/", none))) {
            Map<String, String> e = parseEnv(CgiTesting.get(other, "/cgi-bin/env.sh").body());
            assertEquals(CgiEnvironment.DEFAULT_PATH, e.get("PATH"), "passNoEnvironment: the fixed PATH");
            assertFalse(e.containsKey("LANG"));
        }
    }

    @ParameterizedTest(name = "[{index}] ''{0}''")
    @CsvSource({"HTTP_PROXY", "http_proxy", "Http_Host", "REMOTE_ADDR", "SCRIPT_NAME", "SSL_CLIENT_S_DN", "HTTPS",
            "1ABC", "A-B", "'A B'", "''", "'A=B'"})
    void namesAScriptMustNotGetFromTheOperatorAreRefused(String name) {
        CgiHandler.Builder b = CgiHandler.builder(cgiBin);
        var passing = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> b.passEnvironment(name));
        var setting = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> b.environment(name, "x"));
        assertFalse(passing.getMessage().isBlank());
        assertEquals(passing.getMessage(), setting.getMessage());
    }

    @Test
    void authorizationIsPassedOnlyWhenAllowed() throws Exception {
        String request = " HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer t0ken\r\n\r\n";
        try (RawClient c = new RawClient(server.port())) {
            assertFalse(rawEnv(c, "GET /cgi-bin/env.sh" + request).containsKey("HTTP_AUTHORIZATION"));
            Map<String, String> allowed = rawEnv(c, "GET /auth-bin/env.sh" + request);
            assertEquals("Bearer t0ken", allowed.get("HTTP_AUTHORIZATION"));
            assertEquals("/auth-bin/env.sh", allowed.get("SCRIPT_NAME"));
            assertFalse(allowed.containsKey("SITE_NAME"), "environment(k, v) belongs to the other handler");
        }
    }

    @Test
    void postHasContentTypeAndLength() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            Map<String, String> e = rawEnv(c, "POST /cgi-bin/env.sh HTTP/1.1\r\nHost: a\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\nfoo=bar");
            assertEquals("POST", e.get("REQUEST_METHOD"));
            assertEquals("7", e.get("CONTENT_LENGTH"));
            assertEquals("application/x-www-form-urlencoded", e.get("CONTENT_TYPE"));
            assertFalse(e.containsKey("HTTP_CONTENT_LENGTH"));
            assertFalse(e.containsKey("HTTP_CONTENT_TYPE"));
        }
    }

    @Test
    void http10RequestSaysSo() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            RawResponse r = c.send("GET /cgi-bin/env.sh HTTP/1.0\r\nHost: old.example\r\n\r\n").read();
            Map<String, String> e = parseEnv(r.body());
            assertEquals("HTTP/1.0", e.get("SERVER_PROTOCOL"));
            assertEquals("old.example", e.get("SERVER_NAME"));
        }
    }

    @Test
    void serverNameWithoutHostIsTheLocalAddress() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            RawResponse r = c.send("GET /cgi-bin/env.sh HTTP/1.0\r\n\r\n").read();
            Map<String, String> e = parseEnv(r.body());
            assertEquals("127.0.0.1", e.get("SERVER_NAME"));
            assertFalse(e.containsKey("HTTP_HOST"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
            "/cgi-bin/env.sh|/cgi-bin/env.sh||NONE",
            "/cgi-bin/env.sh/a/b|/cgi-bin/env.sh|/a/b|a/b",
            "/cgi-bin/env.sh/a%20b|/cgi-bin/env.sh|/a b|a b",
            "/cgi-bin/env.sh/%C3%A9t%C3%A9|/cgi-bin/env.sh|/été|été",
            "/cgi-bin/sub/env.sh/x|/cgi-bin/sub/env.sh|/x|x",
            "/cgi-bin/sub/env.sh|/cgi-bin/sub/env.sh||NONE",
            "/cgi-bin/env.sh/a/b/|/cgi-bin/env.sh|/a/b/|a/b/",
            "/cgi-bin/env.sh/x.html|/cgi-bin/env.sh|/x.html|x.html",
    })
    void scriptNameAndPathInfo(String target, String scriptName, String pathInfo, String translated) throws Exception {
        var r = CgiTesting.get(server, target);
        assertEquals(200, r.statusCode(), target);
        Map<String, String> e = parseEnv(r.body());
        assertEquals(scriptName, e.get("SCRIPT_NAME"), target);
        assertEquals(pathInfo == null ? "" : pathInfo, e.getOrDefault("PATH_INFO", ""), target);
        assertEquals(target, e.get("REQUEST_URI"));
        if (translated == null) {
            assertFalse(e.containsKey("PATH_TRANSLATED"), "no PATH_INFO, no PATH_TRANSLATED: " + e.get("PATH_TRANSLATED"));
        } else {
            // documentRoot + PATH_INFO; a trailing slash may or may not survive the file system path
            String expected = root.toAbsolutePath().normalize().resolve(translated).toString();
            String actual = e.get("PATH_TRANSLATED");
            assertTrue(actual != null && (actual.equals(expected) || actual.equals(expected + "/")), target + ": " + actual);
        }
    }

    /**
     * RFC 3875 §4.1.5: PATH_INFO is the path after the script name, as sent; "/cgi-bin/env.sh/" has the
     * extra path "/" (an empty segment is still a segment: {@code path = lsegment *( "/" lsegment )}).
     */
    @Test
    void trailingSlashAfterTheScriptIsPathInfoSlash() throws Exception {
        Map<String, String> e = parseEnv(CgiTesting.get(server, "/cgi-bin/env.sh/").body());
        assertEquals("/cgi-bin/env.sh", e.get("SCRIPT_NAME"));
        assertEquals("/", e.get("PATH_INFO"));
    }

    @Test
    void queryStringIsPassedRawStillEncoded() throws Exception {
        String query = "a=%20&b=%2F&c=%C3%A9&d=%3D%26&e=+&f";
        Map<String, String> e = parseEnv(CgiTesting.get(server, "/cgi-bin/env.sh?" + query).body());
        assertEquals(query, e.get("QUERY_STRING"));
        assertEquals("", e.getOrDefault("PATH_INFO", ""));
    }

    /**
     * "c=é" sent as raw UTF-8 bytes (C3 A9): the server may refuse a target that is not ASCII (RFC 9112
     * §3.2 allows a 400), but if it runs the script, QUERY_STRING holds exactly the octets sent (RFC 3875
     * §4.1.7: the query as in the URI, not decoded, and so not re-encoded either).
     */
    @Test
    void rawUtf8InTheQueryReachesTheScriptUnchangedOrIsRefused() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            byte[] head = "GET /cgi-bin/env.sh?a=%20&b=%2F&c=é HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.UTF_8);
            RawResponse r = c.send(head).read();
            if (r.status() == 200) {
                // the environment's bytes, decoded as the UTF-8 they were sent in
                assertEquals("a=%20&b=%2F&c=é", parseEnv(r.body()).get("QUERY_STRING"));
            } else {
                assertEquals(400, r.status(), r.statusLine());
            }
        }
    }

    /** The same for a header field value with obs-text (RFC 9110 §5.5): the octets sent, not re-encoded. */
    @Test
    void rawUtf8InAHeaderValueReachesTheScriptUnchanged() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            byte[] head = "GET /cgi-bin/env.sh HTTP/1.1\r\nHost: a\r\nX-Name: José\r\n\r\n".getBytes(StandardCharsets.UTF_8);
            RawResponse r = c.send(head).read();
            if (r.status() == 200) {
                assertEquals("José", parseEnv(r.body()).get("HTTP_X_NAME"));
            } else {
                assertEquals(400, r.status(), r.statusLine());
            }
        }
    }

    @Test
    void emptyQueryIsEmptyString() throws Exception {
        Map<String, String> withMark = parseEnv(CgiTesting.get(server, "/cgi-bin/env.sh?").body());
        assertEquals("", withMark.get("QUERY_STRING"));
        Map<String, String> none = parseEnv(CgiTesting.get(server, "/cgi-bin/env.sh").body());
        assertEquals("", none.get("QUERY_STRING"), "QUERY_STRING is set, and empty, when there is no query");
    }

    @Test
    void scriptRunsInItsOwnDirectory() throws Exception {
        script(cgiBin, "pwd.sh", "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\n/bin/pwd -P\n");
        String body = CgiTesting.text(CgiTesting.get(server, "/cgi-bin/pwd.sh"));
        assertEquals(cgiBin.toRealPath().toString(), body.strip());
        assertTrue(Files.exists(cgiBin.resolve("pwd.sh")));
    }
}
