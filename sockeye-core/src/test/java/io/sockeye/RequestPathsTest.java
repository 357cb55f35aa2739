package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.sockeye.testing.TestRequest;

class RequestPathsTest {

    /** Paths as long as a fuzzer makes them: the request-line limit is not what is under test here. */
    private static final ServerConfig LONG_PATHS = ServerConfig.defaults().withMaxRequestLineBytes(1 << 24);

    /** A GET of a path, mounted at {@code mount}, its path decoded up front (a bad escape throws here). */
    private static Request request(String rawPath, String mount) {
        TestRequest r = TestRequest.builder("GET", rawPath).mountPath(mount).config(LONG_PATHS).build();
        r.path();
        return r;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/|''", "/a|a", "/a/b/|a/b", "//a//b|a/b", "/a/./b|a/b", "/a/b/..|a", "/a/%2e%2E/b|b", "/caf%C3%A9|café",
        "/a%20b|a b", "/a/../../x|REFUSED", "/..|REFUSED", "/%2e%2e/etc/passwd|REFUSED", "/a%2fb|REFUSED", "/a%2Fb|REFUSED",
        "/a%5cb|REFUSED", "/a\\b|REFUSED", "/.git/config|REFUSED", "/a/.env|REFUSED", "/a/..%2f..%2fetc|REFUSED",
    })
    void jailedSegmentsResolveDotsAndRefuseEscapes(String raw, String expected) {
        List<String> segments = RequestPaths.jailedSegments(request(raw, ""), false);
        if (expected.equals("REFUSED")) assertNull(segments, raw);
        else assertEquals(expected, String.join("/", segments), raw);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/a", "/a/", "/a//", "/a/b//", "//a", "//a//b", "/a/./b", "/a/b/..", "/caf%C3%A9", "/a/../../x"})
    void jailedPathIsTheJailedSegmentsJoined(String raw) {
        // jailedPath has a fast path for plain paths; it must answer exactly as the full rules do
        List<String> segments = RequestPaths.jailedSegments(request(raw, ""), false);
        assertEquals(segments == null ? null : String.join("/", segments), RequestPaths.jailedPath(request(raw, ""), false), raw);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/.well-known/x", "/a/.hidden"})
    void hiddenSegmentsPassWhenAllowed(String raw) {
        assertEquals(2, RequestPaths.jailedSegments(request(raw, ""), true).size());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"/static/a/b|/static|a/b", "/static/|/static|''", "/static/../x|/static|REFUSED"})
    void jailedSegmentsAreBelowTheMount(String raw, String mount, String expected) {
        List<String> segments = RequestPaths.jailedSegments(request(raw, mount), false);
        if (expected.equals("REFUSED")) assertNull(segments);
        else assertEquals(expected, String.join("/", segments));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "//a|/a", "///evil.example/x|/evil.example/x", "/a/./b|/a/b", "/a/../b|/b", "/a/b/..|/a/", "/a/.|/a/",
        "/../../x|/x", "/a//b/|/a/b/", "/%2e%2e/x|/x", "/a/%2E/b|/a/b", "/x/../cgi-bin/p.py|/cgi-bin/p.py",
    })
    void canonicalFormsCollapseSlashesAndDots(String raw, String expected) {
        assertEquals(expected, RequestPaths.canonical(raw));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/a", "/a/", "/a/b.c", "/a..b/", "/...", "/.x", "/%2e%2e%2e", "/a%2Fb"})
    void canonicalPathsAreReturnedAsTheyAre(String raw) {
        assertSame(raw, RequestPaths.canonical(raw));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a%00b", "/%zz", "/%c3%28"})
    void decodingRefusesNulAndBadEscapes(String raw) {
        HttpException e = assertThrows(HttpException.class, () -> RequestPaths.decode(raw));
        assertEquals(400, e.status());
    }

    /**
     * Any path at all: the jail holds (nothing climbs above the root, no separator hides in a segment),
     * the fast path answers as the full rules do, and canonical forms are canonical. Replays the kept
     * inputs under the tests; to search for more, see {@code Http1FuzzTest}.
     */
    @FuzzTest(maxDuration = "2m")
    void anyPathStaysInTheJail(String path) {
        if (path == null) return;
        String raw = path.startsWith("/") ? path : "/" + path;
        if (raw.indexOf('?') >= 0 || raw.indexOf('#') >= 0 || raw.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
            return; // not a path as the request parser hands them over
        }
        Request request;
        try {
            request = request(raw, "");
        } catch (HttpException e) {
            assertEquals(400, e.status()); // a bad escape, bad UTF-8 or a NUL: refused before any handler
            return;
        }
        for (boolean allowHidden : new boolean[] {false, true}) {
            List<String> segments = RequestPaths.jailedSegments(request, allowHidden);
            String joined = segments == null ? null : String.join("/", segments);
            assertEquals(joined, RequestPaths.jailedPath(request, allowHidden), raw);
            if (segments == null) continue;
            for (String segment : segments) {
                assertFalse(segment.isEmpty() || segment.equals(".") || segment.equals(".."), raw);
                assertFalse(segment.contains("/") || segment.contains("\\") || segment.contains("\0"), raw);
                if (!allowHidden) assertFalse(segment.startsWith("."), raw);
            }
            Path root = Path.of("/srv/root");
            assertTrue(root.resolve(joined).normalize().startsWith(root), raw + " left the root");
        }
        String canonical = RequestPaths.canonical(raw);
        assertTrue(canonical.startsWith("/"), raw);
        assertEquals(canonical, RequestPaths.canonical(canonical), "canonical twice: " + raw);
    }
}
