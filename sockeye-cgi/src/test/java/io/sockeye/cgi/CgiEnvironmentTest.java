package io.sockeye.cgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.sockeye.Version;
import io.sockeye.testing.TestRequest;

/** The meta-variables (RFC 3875 §4.1) built from a request, without a server. */
@Timeout(value = 5, unit = TimeUnit.SECONDS)
class CgiEnvironmentTest {

    /**
     * A request as the CGI handler sees it: mounted at {@code /cgi-bin}, from 192.0.2.7:54321 to
     * 198.51.100.1:8080, for host {@code example.test} unless a {@code Host} field says otherwise. A builder,
     * so that a test can make the same request more than once.
     */
    static TestRequest.Builder get(String target, String... headerNamesAndValues) throws Exception {
        TestRequest.Builder b = TestRequest.builder("GET", target).mountPath("/cgi-bin")
                .remoteAddress(new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 54321))
                .localAddress(new InetSocketAddress(InetAddress.getByName("198.51.100.1"), 8080));
        boolean host = false;
        for (int i = 0; i < headerNamesAndValues.length; i += 2) {
            b.header(headerNamesAndValues[i], headerNamesAndValues[i + 1]);
            host |= headerNamesAndValues[i].equalsIgnoreCase("Host");
        }
        return host ? b : b.header("Host", "example.test");
    }

    static final Path SCRIPT = Path.of("/srv/site/cgi-bin/env.sh");
    static final Path ROOT = Path.of("/srv/site");

    static Map<String, String> env(TestRequest.Builder r, String pathInfo, long length, boolean auth, Map<String, String> extra) {
        return CgiEnvironment.build(r.build(), "/cgi-bin/env.sh", pathInfo, SCRIPT, ROOT, length, auth, extra);
    }

    @Test
    void theStandardVariables() throws Exception {
        Map<String, String> e = env(get("/cgi-bin/env.sh/a/b?x=%20&y=1", "Host", "example.test:8080"),
                "/a/b", -1, false, Map.of());
        assertEquals("CGI/1.1", e.get("GATEWAY_INTERFACE"));
        assertEquals("Sockeye/" + Version.VERSION, e.get("SERVER_SOFTWARE"));
        assertEquals("example.test", e.get("SERVER_NAME"));
        assertEquals("8080", e.get("SERVER_PORT"));
        assertEquals("HTTP/1.1", e.get("SERVER_PROTOCOL"));
        assertEquals("GET", e.get("REQUEST_METHOD"));
        assertEquals("/cgi-bin/env.sh", e.get("SCRIPT_NAME"));
        assertEquals("/a/b", e.get("PATH_INFO"));
        assertEquals(ROOT.resolve("a/b").toString(), e.get("PATH_TRANSLATED"));
        assertEquals("x=%20&y=1", e.get("QUERY_STRING"));
        assertEquals("192.0.2.7", e.get("REMOTE_ADDR"));
        assertEquals("54321", e.get("REMOTE_PORT"));
        assertEquals("/cgi-bin/env.sh/a/b?x=%20&y=1", e.get("REQUEST_URI"));
        assertEquals(ROOT.toString(), e.get("DOCUMENT_ROOT"));
        assertEquals(CgiEnvironment.DEFAULT_PATH, e.get("PATH"));
        assertEquals("example.test:8080", e.get("HTTP_HOST"));
        assertFalse(e.containsKey("CONTENT_LENGTH"), "no body, no CONTENT_LENGTH");
        assertFalse(e.containsKey("CONTENT_TYPE"));
        assertFalse(e.containsKey("HTTPS"));
    }

    @Test
    void noQueryMeansAnEmptyQueryString() throws Exception {
        Map<String, String> e = env(get("/cgi-bin/env.sh"), "", -1, false, Map.of());
        assertEquals("", e.get("QUERY_STRING"));
        assertEquals("", e.getOrDefault("PATH_INFO", ""));
        assertFalse(e.containsKey("PATH_TRANSLATED"), "no PATH_INFO, no PATH_TRANSLATED");
    }

    @Test
    void noDocumentRootMeansNoPathTranslated() throws Exception {
        Map<String, String> e = CgiEnvironment.build(get("/cgi-bin/env.sh/x").build(), "/cgi-bin/env.sh", "/x",
                SCRIPT, null, -1, false, Map.of());
        assertEquals("/x", e.get("PATH_INFO"));
        assertFalse(e.containsKey("PATH_TRANSLATED"));
        assertFalse(e.containsKey("DOCUMENT_ROOT"));
    }

    @Test
    void bodyLengthAndType() throws Exception {
        Map<String, String> e = env(get("/cgi-bin/env.sh", "Content-Type", "text/plain", "Content-Length", "5"),
                "", 5, false, Map.of());
        assertEquals("5", e.get("CONTENT_LENGTH"));
        assertEquals("text/plain", e.get("CONTENT_TYPE"));
        assertFalse(e.containsKey("HTTP_CONTENT_TYPE"));
        assertFalse(e.containsKey("HTTP_CONTENT_LENGTH"));
        Map<String, String> empty = env(get("/cgi-bin/env.sh", "Content-Length", "0"), "", 0, false, Map.of());
        assertEquals("0", empty.get("CONTENT_LENGTH"));
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "User-Agent|curl/8|HTTP_USER_AGENT",
            "X-Forwarded-For|10.0.0.1|HTTP_X_FORWARDED_FOR",
            "accept-language|fr|HTTP_ACCEPT_LANGUAGE",
            "X-a-B-c|v|HTTP_X_A_B_C",
            "Dnt|1|HTTP_DNT",
    })
    void headersBecomeHttpVariables(String name, String value, String variable) throws Exception {
        Map<String, String> e = env(get("/cgi-bin/env.sh", name, value), "", -1, false, Map.of());
        assertEquals(value, e.get(variable));
    }

    @Test
    void repeatedFieldsAreJoinedAndCookiesWithSemicolons() throws Exception {
        Map<String, String> e = env(get("/cgi-bin/env.sh",
                "Accept", "text/html", "Cookie", "a=1", "accept", "text/plain", "Cookie", "b=2"), "", -1, false, Map.of());
        assertEquals("text/html, text/plain", e.get("HTTP_ACCEPT"));
        assertEquals("a=1; b=2", e.get("HTTP_COOKIE"));
    }

    @Test
    void proxyNeverBecomesHttpProxy() throws Exception {
        Map<String, String> e = env(get("/cgi-bin/env.sh", "Proxy", "http://evil", "proxy", "http://evil2"),
                "", -1, false, Map.of());
        assertFalse(e.containsKey("HTTP_PROXY"));
        assertFalse(e.containsValue("http://evil"));
        assertFalse(e.containsValue("http://evil2"));
    }

    @Test
    void authorizationOnlyWhenAllowed() throws Exception {
        TestRequest.Builder r = get("/cgi-bin/env.sh", "Authorization", "Basic Zm9vOmJhcg==");
        assertNull(env(r, "", -1, false, Map.of()).get("HTTP_AUTHORIZATION"));
        assertFalse(env(r, "", -1, false, Map.of()).containsValue("Basic Zm9vOmJhcg=="));
        assertEquals("Basic Zm9vOmJhcg==", env(r, "", -1, true, Map.of()).get("HTTP_AUTHORIZATION"));
    }

    @Test
    void namesWithAnUnderscoreAreDropped() throws Exception {
        // "X_Real_IP" would otherwise be indistinguishable from (and could shadow) "X-Real-IP"
        Map<String, String> e = env(get("/cgi-bin/env.sh", "X-Real-IP", "10.0.0.1", "X_Real_IP", "6.6.6.6"),
                "", -1, false, Map.of());
        assertEquals("10.0.0.1", e.get("HTTP_X_REAL_IP"));
        assertFalse(e.containsValue("6.6.6.6"));
    }

    @Test
    void extraVariablesAreAddedLast() throws Exception {
        Map<String, String> e = env(get("/cgi-bin/env.sh"), "", -1, false,
                Map.of("SITE_NAME", "demo", "PATH", "/opt/site/bin"));
        assertEquals("demo", e.get("SITE_NAME"));
        assertEquals("/opt/site/bin", e.get("PATH"));
    }

    @Test
    void nothingFromTheServersOwnEnvironment() throws Exception {
        Map<String, String> e = env(get("/cgi-bin/env.sh", "Host", "h"), "", -1, false, Map.of());
        for (String own : System.getenv().keySet()) {
            if (own.equals("PATH")) continue;
            assertFalse(e.containsKey(own), "the server's own " + own + " leaked");
        }
        assertTrue(e.keySet().stream().allMatch(k -> k.matches("[A-Z][A-Z0-9_]*")), e.keySet().toString());
    }

    @Test
    void httpsIsOnOnlyForHttps() throws Exception {
        TestRequest.Builder plain = get("/cgi-bin/env.sh");
        TestRequest.Builder tls = get("/cgi-bin/env.sh").scheme("https");
        assertFalse(env(plain, "", -1, false, Map.of()).containsKey("HTTPS"));
        assertEquals("on", env(tls, "", -1, false, Map.of()).get("HTTPS"));
    }
}
