package io.sockeye.files;

import static io.sockeye.files.FilesTestSupport.bytes;
import static io.sockeye.files.FilesTestSupport.get;
import static io.sockeye.files.FilesTestSupport.header;
import static io.sockeye.files.FilesTestSupport.request;
import static io.sockeye.files.FilesTestSupport.touch;
import static io.sockeye.files.FilesTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.aggregator.ArgumentsAccessor;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.sockeye.HttpDate;
import io.sockeye.HttpServer;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;

/** Validators and conditional requests (RFC 9110 §8.8, §13), on the wire and in {@link Preconditions}. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ConditionalRequestsTest {

    @TempDir
    static Path tmp;
    static HttpServer server;
    static HttpServer noCacheControl;
    static final Instant T = Instant.parse("2021-06-07T08:09:10Z");
    static final String LM = HttpDate.format(T);
    static final String EARLIER = HttpDate.format(T.minusSeconds(1));
    static final String LATER = HttpDate.format(T.plusSeconds(3600));

    @BeforeAll
    static void start() throws Exception {
        Path www = Files.createDirectory(tmp.resolve("www"));
        write(www.resolve("page.html"), "<p>hello</p>");
        write(www.resolve("big.bin"), bytes(300 * 1024));
        touch(www.resolve("page.html"), T);
        touch(www.resolve("big.bin"), T);
        write(www.resolve("fraction.txt"), "fraction");
        touch(www.resolve("fraction.txt"), T.plusMillis(700));
        write(www.resolve("future.txt"), "from the future");
        touch(www.resolve("future.txt"), Instant.now().plusSeconds(86_400));
        server = FilesTestSupport.start(FileHandler.builder(www).cacheControl("public, max-age=60").build());
        noCacheControl = FilesTestSupport.start(FileHandler.of(www));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (noCacheControl != null) noCacheControl.close();
    }

    static String etag(String path) throws Exception {
        return header(get(server, path), "ETag");
    }

    /**
     * Sends a conditional request followed, on the same connection, by a plain one, so that a body the
     * first response should not have had would show up as garbage before the second.
     */
    static RawResponse conditional(String method, String path, String... headerLines) throws Exception {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            StringBuilder sb = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: a\r\n");
            for (String h : headerLines) sb.append(h).append("\r\n");
            c.send(sb.append("\r\nGET /page.html HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").toString());
            RawResponse r = c.read(method.equals("HEAD"));
            RawResponse next = c.read();
            assertEquals(200, next.status(), "the next response on the connection: " + next.statusLine());
            assertEquals("<p>hello</p>", next.text());
            return r;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/page.html", "/big.bin"})
    void validatorsAreSent(String path) throws Exception {
        HttpResponse<byte[]> r = get(server, path);
        assertEquals(LM, header(r, "Last-Modified"));
        String tag = header(r, "ETag");
        assertTrue(tag.matches("\"[\\x21\\x23-\\x7e]*\""), "a strong entity-tag: " + tag);
        assertEquals(tag, etag(path), "stable");
        assertNotEquals(etag("/page.html"), etag("/big.bin"));
        assertEquals("public, max-age=60", header(r, "Cache-Control"));
        assertNull(header(get(noCacheControl, path), "Cache-Control"), "no Cache-Control unless configured");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/page.html|%s", "/page.html|\"nope\", %s", "/page.html|\"nope\",%s,\"other\"", "/page.html|W/%s", "/page.html|*",
        "/big.bin|%s", "/big.bin|W/%s", "/big.bin|*",
    })
    void ifNoneMatchGives304WithoutBodyKeepingTheETag(String path, String field) throws Exception {
        String tag = etag(path);
        for (String method : new String[] {"GET", "HEAD"}) {
            RawResponse r = conditional(method, path, "If-None-Match: " + field.replace("%s", tag));
            assertEquals(304, r.status(), method + " " + field);
            assertEquals(tag, r.header("ETag"));
            assertEquals("public, max-age=60", r.header("Cache-Control"), "Cache-Control is kept on 304 (§15.4.5)");
            String length = r.header("Content-Length");
            assertTrue(length == null || length.equals(header(get(server, path), "Content-Length")),
                    "a 304's Content-Length, if any, is the representation's (§8.6): " + length);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"nope\"", "\"nope\", W/\"other\"", "W/\"x\""})
    void ifNoneMatchWithOtherTagsGivesTheFile(String field) throws Exception {
        RawResponse r = conditional("GET", "/page.html", "If-None-Match: " + field);
        assertEquals(200, r.status());
        assertEquals("<p>hello</p>", r.text());
    }

    @Test
    void theVaryFieldIsKeptOn304() throws Exception {
        String vary = header(get(server, "/page.html"), "Vary");
        RawResponse r = conditional("GET", "/page.html", "If-None-Match: " + etag("/page.html"));
        assertEquals(304, r.status());
        assertEquals(vary, r.header("Vary"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/page.html", "/big.bin"})
    void ifModifiedSince(String path) throws Exception {
        assertEquals(304, conditional("GET", path, "If-Modified-Since: " + LM).status());
        assertEquals(304, conditional("GET", path, "If-Modified-Since: " + LATER).status());
        assertEquals(304, conditional("HEAD", path, "If-Modified-Since: " + LM).status());
        RawResponse older = conditional("GET", path, "If-Modified-Since: " + EARLIER);
        assertEquals(200, older.status());
        assertEquals(Integer.parseInt(older.header("Content-Length")), older.body().length);
        assertEquals(200, conditional("GET", path, "If-Modified-Since: yesterday").status(), "an invalid date is ignored");
    }

    @Test
    void aModificationTimeWithAFractionOfASecondStillValidates() throws Exception {
        HttpResponse<byte[]> r = get(server, "/fraction.txt");
        assertEquals(LM, header(r, "Last-Modified"), "HTTP dates have whole seconds");
        assertEquals(304, conditional("GET", "/fraction.txt", "If-Modified-Since: " + LM).status(),
                "the date the server sent validates the file");
        assertEquals(412, conditional("GET", "/fraction.txt", "If-Unmodified-Since: " + EARLIER).status());
        assertEquals(200, conditional("GET", "/fraction.txt", "If-Unmodified-Since: " + LM).status());
    }

    @Test
    void lastModifiedIsNeverLaterThanDate() throws Exception {
        // RFC 9110 §8.8.2.1: a modification time in the future MUST be replaced by the message origination date
        HttpResponse<byte[]> r = get(server, "/future.txt");
        assertEquals(200, r.statusCode());
        Instant date = HttpDate.parse(header(r, "Date"));
        Instant lastModified = HttpDate.parse(header(r, "Last-Modified"));
        assertNotNull(date);
        assertNotNull(lastModified);
        assertFalse(lastModified.isAfter(date), "Last-Modified " + header(r, "Last-Modified") + " is after Date " + header(r, "Date"));
    }

    @Test
    void ifNoneMatchTakesPrecedenceOverIfModifiedSince() throws Exception {
        String tag = etag("/page.html");
        assertEquals(200, conditional("GET", "/page.html", "If-None-Match: \"nope\"", "If-Modified-Since: " + LATER).status());
        assertEquals(304, conditional("GET", "/page.html", "If-None-Match: " + tag, "If-Modified-Since: " + EARLIER).status());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "If-Match: \"nope\"|412", "If-Match: W/%s|412", "If-Match: %s|200", "If-Match: *|200", "If-Match: \"a\", %s|200",
        "If-Unmodified-Since: EARLIER|412", "If-Unmodified-Since: LM|200", "If-Unmodified-Since: LATER|200",
        "If-Unmodified-Since: not a date|200",
    })
    void ifMatchAndIfUnmodifiedSince(String field, int status) throws Exception {
        for (String path : new String[] {"/page.html", "/big.bin"}) {
            String line = field.replace("%s", etag(path)).replace("EARLIER", EARLIER).replace("LATER", LATER).replace("LM", LM);
            RawResponse r = conditional("GET", path, line);
            assertEquals(status, r.status(), path + " " + line);
            if (status == 412) assertTrue(r.body().length < 1000 && !new String(r.body()).contains("hello"), "no file in a 412");
        }
    }

    @Test
    void ifUnmodifiedSinceIsIgnoredWhenIfMatchIsPresent() throws Exception {
        RawResponse r = conditional("GET", "/page.html", "If-Match: " + etag("/page.html"), "If-Unmodified-Since: " + EARLIER);
        assertEquals(200, r.status());
    }

    @Test
    void ifMatchFailureComesBeforeIfNoneMatch() throws Exception {
        RawResponse r = conditional("GET", "/page.html", "If-Match: \"nope\"", "If-None-Match: " + etag("/page.html"));
        assertEquals(412, r.status());
    }

    // ---- the pure functions ---------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "*|\"a\"|true|true", "*|W/\"a\"|true|true",
        "\"a\"|\"a\"|true|true", "W/\"a\"|\"a\"|false|true", "\"a\"|W/\"a\"|false|true", "W/\"a\"|W/\"a\"|false|true",
        "\"b\", \"a\"|\"a\"|true|true", "\"b\",W/\"a\"|\"a\"|false|true", "\"b\" ,\t\"a\" |\"a\"|true|true",
        "\"ab\"|\"a\"|false|false", "\"a\"|\"ab\"|false|false", "\"a,b\"|\"a\"|false|false", "\"b\"|\"a\"|false|false",
        "\"\"|\"a\"|false|false", "\"a|\"a\"|false|false", "a|\"a\"|false|false", "w/\"a\"|\"a\"|false|false",
        "\"x\", \"a\"|\"a\"|true|true",
    })
    void matchesComparesEntityTags(String list, String etag, boolean strong, boolean weak) {
        assertEquals(strong, Preconditions.matches(list, etag, false), "strong: " + list + " vs " + etag);
        assertEquals(weak, Preconditions.matches(list, etag, true), "weak: " + list + " vs " + etag);
    }

    static final Instant LAST = Instant.parse("2022-02-02T02:02:02Z");

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''|PROCEED",
        "If-None-Match|\"e1\"|NOT_MODIFIED", "If-None-Match|W/\"e1\"|NOT_MODIFIED", "If-None-Match|\"e2\"|PROCEED",
        "If-None-Match|*|NOT_MODIFIED",
        "If-Modified-Since|LAST|NOT_MODIFIED", "If-Modified-Since|AFTER|NOT_MODIFIED", "If-Modified-Since|BEFORE|PROCEED",
        "If-Modified-Since|garbage|PROCEED",
        "If-None-Match|\"e2\"|If-Modified-Since|AFTER|PROCEED", "If-None-Match|\"e1\"|If-Modified-Since|BEFORE|NOT_MODIFIED",
        "If-Match|\"e1\"|PROCEED", "If-Match|W/\"e1\"|PRECONDITION_FAILED", "If-Match|\"e2\"|PRECONDITION_FAILED",
        "If-Match|*|PROCEED",
        "If-Unmodified-Since|BEFORE|PRECONDITION_FAILED", "If-Unmodified-Since|LAST|PROCEED", "If-Unmodified-Since|AFTER|PROCEED",
        "If-Match|\"e1\"|If-Unmodified-Since|BEFORE|PROCEED",
        "If-Match|\"e2\"|If-None-Match|\"e1\"|PRECONDITION_FAILED",
        "If-Match|\"e1\"|If-None-Match|\"e1\"|NOT_MODIFIED",
    })
    void evaluateFollowsTheOrderOf13_2_2(ArgumentsAccessor accessor) {
        String[] args = new String[accessor.size()];
        for (int i = 0; i < args.length; i++) args[i] = accessor.getString(i);
        List<String> headers = new ArrayList<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].isEmpty()) continue;
            headers.add(args[i]);
            headers.add(args[i + 1].replace("BEFORE", HttpDate.format(LAST.minusSeconds(1)))
                    .replace("AFTER", HttpDate.format(LAST.plusSeconds(1))).replace("LAST", HttpDate.format(LAST)));
        }
        Preconditions.Outcome expected = Preconditions.Outcome.valueOf(args[args.length - 1]);
        assertEquals(expected, Preconditions.evaluate(request("GET", headers.toArray(String[]::new)), "\"e1\"", LAST),
                String.join(" ", args));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''|true", "\"e1\"|true", "\"e2\"|false", "W/\"e1\"|false", "LAST|true", "BEFORE|false", "AFTER|false", "garbage|false",
    })
    void rangeAppliesOnlyWhileIfRangeStillMatches(String ifRange, boolean applies) {
        String value = ifRange.replace("BEFORE", HttpDate.format(LAST.minusSeconds(1)))
                .replace("AFTER", HttpDate.format(LAST.plusSeconds(1))).replace("LAST", HttpDate.format(LAST));
        String[] headers = value.isEmpty() ? new String[0] : new String[] {"If-Range", value};
        assertEquals(applies, Preconditions.rangeApplies(request("GET", headers), "\"e1\"", LAST), ifRange);
    }

    @Test
    void aWeakRepresentationTagNeverSatisfiesIfMatch() {
        assertFalse(Preconditions.matches("W/\"g\"", "W/\"g\"", false));
        assertEquals(Preconditions.Outcome.PRECONDITION_FAILED,
                Preconditions.evaluate(request("GET", "If-Match", "W/\"g\""), "W/\"g\"", LAST));
        assertNotNull(Preconditions.evaluate(request("GET"), "W/\"g\"", LAST));
    }
}
