package io.sockeye.cgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The header section of a script's output (RFC 3875 §6), parsed from bytes. */
@Timeout(value = 5, unit = TimeUnit.SECONDS)
class CgiResponseParserTest {

    static InputStream in(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    static CgiResponseHead parse(String output) throws IOException {
        return new CgiResponseParser(in(output)).parse();
    }

    /** Parses, and returns what is left on the stream: the body. */
    static String bodyAfter(String output, boolean nph) throws IOException {
        InputStream s = in(output);
        CgiResponseParser p = new CgiResponseParser(s);
        if (nph) p.parseNph();
        else p.parse();
        return new String(s.readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    // ---- document responses -------------------------------------------------------------------------

    @ParameterizedTest(name = "[{index}]")
    @ValueSource(strings = {"\n", "\r\n"})
    void contentTypeAloneIs200AndTheStreamIsLeftAtTheBody(String eol) throws IOException {
        String out = "Content-Type: text/html" + eol + eol + "<p>hi</p>" + eol;
        CgiResponseHead head = parse(out);
        assertEquals(200, head.status());
        assertEquals("text/html", head.headers().get("Content-Type"));
        assertEquals(1, head.headers().size());
        assertNull(head.location());
        assertFalse(head.localRedirect());
        assertEquals("<p>hi</p>" + eol, bodyAfter(out, false));
    }

    @Test
    void mixedLineEndingsAreAccepted() throws IOException {
        CgiResponseHead head = parse("Content-Type: text/plain\r\nX-A: 1\nX-B: 2\r\n\nbody");
        assertEquals(200, head.status());
        assertEquals("1", head.headers().get("X-A"));
        assertEquals("2", head.headers().get("X-B"));
    }

    @Test
    void bodyBytesAfterTheHeadAreLeftUntouched() throws IOException {
        // a binary body that itself holds CR, LF and blank lines
        String body = "\r\n\r\nStatus: 500\n\n\u00ff\u0000";
        assertEquals(body, bodyAfter("Content-Type: application/octet-stream\n\n" + body, false));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "Status: 404 Not Found|404",
            "Status: 404|404",
            "Status: 201|201",
            "Status:201 Created|201",
            "Status: 500 Internal Server Error|500",
            "Status: 299 Odd but valid|299",
    })
    void statusFieldSetsTheStatusAndIsNotPassedOn(String line, int status) throws IOException {
        CgiResponseHead head = parse(line + "\nContent-Type: text/plain\n\n");
        assertEquals(status, head.status());
        assertNull(head.headers().get("Status"));
        assertEquals("text/plain", head.headers().get("Content-Type"));
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 299, 418, 599})
    void everyStatusFrom200To599IsAccepted(int status) throws IOException {
        assertEquals(status, parse("Status: " + status + "\nContent-Type: text/plain\n\n").status());
    }

    @Test
    void repeatedListFieldsAreStillPassedOn() throws IOException {
        CgiResponseHead head = parse("Content-Type: text/plain\nVary: A\nVary: B\nSet-Cookie: a=1\nSet-Cookie: b=2\n\n");
        assertEquals(List.of("A", "B"), head.headers().allValues("Vary"));
        assertEquals(List.of("a=1", "b=2"), head.headers().allValues("Set-Cookie"));
    }

    @Test
    void statusAloneWithoutContentTypeIsEnough() throws IOException {
        // RFC 3875 §6.2: a script may answer with a Status and no body
        assertEquals(204, parse("Status: 204 No Content\n\n").status());
    }

    @Test
    void otherFieldsArePassedOnInOrderWithRepeats() throws IOException {
        CgiResponseHead head = parse("Content-Type: text/plain\nSet-Cookie: a=1\nX-Custom: yes\nSet-Cookie: b=2\n\n");
        assertEquals(List.of("a=1", "b=2"), head.headers().allValues("Set-Cookie"));
        assertEquals("yes", head.headers().get("X-Custom"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Connection: close", "Transfer-Encoding: chunked", "Keep-Alive: timeout=5",
            "Upgrade: websocket", "Proxy-Connection: keep-alive", "TE: trailers", "Trailer: X-Sum"})
    void hopByHopFieldsAreDropped(String field) throws IOException {
        CgiResponseHead head = parse("Content-Type: text/plain\n" + field + "\nX-Kept: 1\n\n");
        String name = field.substring(0, field.indexOf(':'));
        assertNull(head.headers().get(name), name + " must not be passed on");
        assertEquals("1", head.headers().get("X-Kept"));
        assertEquals("text/plain", head.headers().get("Content-Type"));
    }

    // ---- redirects ----------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"http://example.com/x", "https://example.com/a?b=c", "ftp://example.com/"})
    void absoluteLocationIsAClientRedirect(String url) throws IOException {
        CgiResponseHead head = parse("Location: " + url + "\n\n");
        assertEquals(302, head.status());
        assertEquals(url, head.location());
        assertEquals(url, head.headers().get("Location"));
        assertFalse(head.localRedirect());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/other", "/other?x=1", "/"})
    void pathLocationWithoutStatusIsALocalRedirect(String path) throws IOException {
        CgiResponseHead head = parse("Location: " + path + "\n\n");
        assertTrue(head.localRedirect());
        assertEquals(path, head.location());
    }

    @Test
    void pathLocationWithAStatusIsSentToTheClient() throws IOException {
        // §6.2.4: a client redirect with a document carries a Status
        CgiResponseHead head = parse("Status: 301 Moved\nLocation: /moved\nContent-Type: text/html\n\nsee /moved");
        assertFalse(head.localRedirect());
        assertEquals(301, head.status());
        assertEquals("/moved", head.headers().get("Location"));
    }

    // ---- malformed output ---------------------------------------------------------------------------

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "",                                           // nothing at all
            "\n",                                         // an empty header section: no field
            "X-Only: 1\n\nbody",                          // no Content-Type, Location or Status
            "Content-Type text/plain\n\nbody",            // no colon
            ": value\nContent-Type: text/plain\n\n",      // empty name
            "Bad Name: x\nContent-Type: text/plain\n\n",  // a space in the name
            "Content-Type: text/plain\n folded\n\n",      // obs-fold
            "Content-Type: text/plain\nX: a\u0001b\n\n",  // control character in a value
            "Content-Type: text/plain\n",                 // output ends inside the header section
            "Content-Type: text/plain",                   // no line end at all
            "Status: abc\n\n",
            "Status: 99\n\n",
            "Status: 1000\n\n",
            "Status: 100 Continue\nContent-Type: text/plain\n\n", // not a final status
            "Status: 199\nContent-Type: text/plain\n\n",
            "Status: 999\nContent-Type: text/plain\n\n",  // three digits, but no HTTP status (RFC 9110 §15)
            "Status: 600 Beyond\nContent-Type: text/plain\n\n",
            "Content-Type: text/plain\nContent-Type: text/html\n\n<script>", // which one a client obeys is unknown
            "Content-Type: text/plain\ncontent-type: text/plain\n\n",      // names are case-insensitive
            "Content-Type: text/plain\nETag: \"a\"\nETag: \"b\"\n\n",
            "Content-Type: text/plain\nLast-Modified: x\nLast-Modified: y\n\n",
            "Status: 200\nStatus: 404\nContent-Type: text/plain\n\n",
            "Location: /a\nLocation: /b\n\n",
            "Location: relative/path\n\n",
            "HTTP/1.1 200 OK\nContent-Type: text/plain\n\n", // a status line from a script that is not nph-
    })
    void malformedOutputIsRefused(String output) {
        assertThrows(CgiResponseParser.CgiException.class, () -> parse(output));
    }

    @Test
    void headerSectionOfExactly64KiBIsAcceptedAndOneMoreByteIsNot() throws IOException {
        String start = "Content-Type: text/plain\nX-Big: ";
        int fill = CgiResponseParser.MAX_HEADER_BYTES - start.length() - 2; // "\n" after the value, "\n" blank line
        String exact = start + "a".repeat(fill) + "\n\n";
        assertEquals(64 * 1024, exact.length());
        assertEquals(200, parse(exact + "body").status());
        String over = start + "a".repeat(fill + 1) + "\n\n";
        assertThrows(CgiResponseParser.CgiException.class, () -> parse(over + "body"));
    }

    @Test
    void headerSectionFarOver64KiBIsRefused() {
        String big = "Content-Type: text/plain\nX-Big: " + "a".repeat(70_000) + "\n\nbody";
        assertThrows(CgiResponseParser.CgiException.class, () -> parse(big));
    }

    @Test
    void endlessHeaderLineIsRefusedWithoutReadingItAll() {
        // a script that never ends its line: the parser stops at the limit rather than buffering forever
        InputStream endless = new InputStream() {
            long served;

            @Override
            public int read() {
                served++;
                if (served > 10L * CgiResponseParser.MAX_HEADER_BYTES) throw new AssertionError("read far past the limit");
                return 'a';
            }
        };
        assertThrows(CgiResponseParser.CgiException.class, () -> new CgiResponseParser(endless).parse());
    }

    @Test
    void atMost100Fields() throws IOException {
        StringBuilder ok = new StringBuilder("Content-Type: text/plain\n");
        for (int i = 1; i < CgiResponseParser.MAX_FIELDS; i++) ok.append("X-F").append(i).append(": v\n");
        assertEquals(200, parse(ok + "\n").status());
        String tooMany = ok + "X-Last: v\n\n";
        assertThrows(CgiResponseParser.CgiException.class, () -> parse(tooMany));
    }

    // ---- NPH ----------------------------------------------------------------------------------------

    @Test
    void nphStatusLineAndFields() throws IOException {
        String out = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Nph: yes\r\n\r\nhello";
        CgiResponseHead head = new CgiResponseParser(in(out)).parseNph();
        assertEquals(200, head.status());
        assertEquals("yes", head.headers().get("X-Nph"));
        assertEquals("hello", bodyAfter(out, true));
    }

    @Test
    void nphStatusLineDecidesEvenWithoutContentType() throws IOException {
        CgiResponseHead head = new CgiResponseParser(in("HTTP/1.0 404 Not Found\n\n")).parseNph();
        assertEquals(404, head.status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Content-Type: text/plain\n\n", "HTTP/2 200 OK\n\n", "HTTP/1.1 abc\n\n", "HTTP/1.1 100 Continue\n\n",
            "HTTP/1.1 999 Unknown\n\n", "HTTP/1.1 200 OK\nContent-Type: a/b\nContent-Type: c/d\n\n"})
    void nphWithoutAValidStatusLineIsRefused(String output) {
        assertThrows(CgiResponseParser.CgiException.class, () -> new CgiResponseParser(in(output)).parseNph());
    }

    /**
     * Any bytes as a script's output, plain or NPH: a head, or a CgiException (which the handler turns into
     * 502), never another exception. Replays the kept inputs under the tests; to search for more, see
     * {@code Http1FuzzTest} in the core module.
     */
    @FuzzTest(maxDuration = "2m")
    @Timeout(value = 10, unit = TimeUnit.MINUTES) // a search runs for minutes
    void anyOutputGivesAHeadOrABadGateway(byte[] output) throws IOException {
        for (boolean nph : new boolean[] {false, true}) {
            CgiResponseParser parser = new CgiResponseParser(new ByteArrayInputStream(output));
            try {
                CgiResponseHead head = nph ? parser.parseNph() : parser.parse();
                assertTrue(head.status() >= 200 && head.status() <= 599, "status " + head.status());
                if (head.localRedirect()) assertTrue(head.location().startsWith("/"), head.location());
            } catch (CgiResponseParser.CgiException e) {
                assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "says what was wrong");
            }
        }
    }
}
