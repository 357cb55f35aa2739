package io.sockeye.http1;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.sockeye.Headers;
import io.sockeye.HttpException;

/** RFC 9112 §2–§7 and RFC 9110 as {@link RequestParser} applies them: raw head in, meaning or status out. */
@Timeout(value = 5, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RequestParserTest {

    private static final long MAX_BODY = 1 << 20;
    private static final RequestParser PARSER = new RequestParser(MAX_BODY);

    /**
     * Parses a head placed in the middle of a larger buffer, with NUL bytes on both sides, so a parser
     * that ignores {@code start} or reads past {@code end} does not go unnoticed.
     */
    private static RequestHead parse(RequestParser parser, String head) {
        byte[] raw = head.getBytes(ISO_8859_1);
        byte[] b = new byte[raw.length + 10];
        System.arraycopy(raw, 0, b, 5, raw.length);
        return parser.parse(b, 5, 5 + raw.length);
    }

    private static RequestHead parse(String head) {
        return parse(PARSER, head);
    }

    private static int status(RequestParser parser, String head) {
        return assertThrows(HttpException.class, () -> parse(parser, head), head).status();
    }

    /** What a head means, as one comparable value. */
    record Meaning(String method, String target, String rawPath, String rawQuery, String targetHost, int minor,
                   long contentLength, boolean keepAlive, boolean expectContinue) {
        static Meaning of(RequestHead h) {
            return new Meaning(h.method(), h.target(), h.rawPath(), h.rawQuery(), h.targetHost(), h.minorVersion(),
                    h.contentLength(), h.keepAlive(), h.expectContinue());
        }
    }

    private static Arguments ok(String name, String head, String method, String target, String rawPath, String rawQuery,
                                String targetHost, int minor, long contentLength, boolean keepAlive, boolean expectContinue) {
        return arguments(name, head, new Meaning(method, target, rawPath, rawQuery, targetHost, minor, contentLength, keepAlive, expectContinue));
    }

    private static final String H = "Host: example.com\r\n";

    static Stream<Arguments> validRequests() {
        return Stream.of(
                ok("simple GET", "GET / HTTP/1.1\r\n" + H + "\r\n", "GET", "/", "/", null, null, 1, 0, true, false),
                ok("path and query", "GET /a/b%20c?x=1&y HTTP/1.1\r\n" + H + "\r\n", "GET", "/a/b%20c?x=1&y", "/a/b%20c", "x=1&y", null, 1, 0, true, false),
                ok("empty query", "GET /p? HTTP/1.1\r\n" + H + "\r\n", "GET", "/p?", "/p", "", null, 1, 0, true, false),
                ok("question mark inside the query", "GET /p?a?b HTTP/1.1\r\n" + H + "\r\n", "GET", "/p?a?b", "/p", "a?b", null, 1, 0, true, false),
                ok("extension method", "PROPFIND /d HTTP/1.1\r\n" + H + "\r\n", "PROPFIND", "/d", "/d", null, null, 1, 0, true, false),
                ok("method with token symbols", "M-SEARCH_!#$%&'*+.^`|~ / HTTP/1.1\r\n" + H + "\r\n", "M-SEARCH_!#$%&'*+.^`|~", "/", "/", null, null, 1, 0, true, false),
                ok("HTTP/1.0 without Host", "GET /old HTTP/1.0\r\n\r\n", "GET", "/old", "/old", null, null, 0, 0, false, false),
                ok("HTTP/1.0 with keep-alive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "GET", "/", "/", null, null, 0, 0, true, false),
                ok("HTTP/1.0 with Keep-Alive in another case", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", "GET", "/", "/", null, null, 0, 0, true, false),
                ok("HTTP/1.0 with keep-alive and close", "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", "GET", "/", "/", null, null, 0, 0, false, false),
                ok("HTTP/1.0 with a Host", "GET / HTTP/1.0\r\n" + H + "\r\n", "GET", "/", "/", null, null, 0, 0, false, false),
                ok("Connection: close", "GET / HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n", "GET", "/", "/", null, null, 1, 0, false, false),
                ok("Connection: CLOSE", "GET / HTTP/1.1\r\n" + H + "Connection: CLOSE\r\n\r\n", "GET", "/", "/", null, null, 1, 0, false, false),
                ok("close inside a list", "GET / HTTP/1.1\r\n" + H + "Connection: keep-alive , Close\r\n\r\n", "GET", "/", "/", null, null, 1, 0, false, false),
                ok("close in a second Connection field", "GET / HTTP/1.1\r\n" + H + "Connection: upgrade\r\nconnection: close\r\n\r\n", "GET", "/", "/", null, null, 1, 0, false, false),
                ok("a token merely containing close", "GET / HTTP/1.1\r\n" + H + "Connection: closed, x-close\r\n\r\n", "GET", "/", "/", null, null, 1, 0, true, false),
                ok("Content-Length", "POST / HTTP/1.1\r\n" + H + "Content-Length: 5\r\n\r\n", "POST", "/", "/", null, null, 1, 5, true, false),
                ok("Content-Length with leading zeros", "POST / HTTP/1.1\r\n" + H + "Content-Length: 0005\r\n\r\n", "POST", "/", "/", null, null, 1, 5, true, false),
                ok("Content-Length with OWS around it", "POST / HTTP/1.1\r\n" + H + "Content-Length: \t 7 \t\r\n\r\n", "POST", "/", "/", null, null, 1, 7, true, false),
                ok("Content-Length of exactly the maximum body", "POST / HTTP/1.1\r\n" + H + "Content-Length: " + MAX_BODY + "\r\n\r\n", "POST", "/", "/", null, null, 1, MAX_BODY, true, false),
                ok("Content-Length in HTTP/1.0", "POST / HTTP/1.0\r\nContent-Length: 3\r\n\r\n", "POST", "/", "/", null, null, 0, 3, false, false),
                ok("chunked", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n", "POST", "/", "/", null, null, 1, -1, true, false),
                ok("Chunked", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: Chunked\r\n\r\n", "POST", "/", "/", null, null, 1, -1, true, false),
                ok("CHUNKED", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: CHUNKED\r\n\r\n", "POST", "/", "/", null, null, 1, -1, true, false),
                ok("100-continue with a body", "PUT /f HTTP/1.1\r\n" + H + "Content-Length: 10\r\nExpect: 100-continue\r\n\r\n", "PUT", "/f", "/f", null, null, 1, 10, true, true),
                ok("100-Continue in another case", "PUT /f HTTP/1.1\r\n" + H + "Expect: 100-Continue\r\nContent-Length: 10\r\n\r\n", "PUT", "/f", "/f", null, null, 1, 10, true, true),
                ok("100-continue with a chunked body", "PUT /f HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n", "PUT", "/f", "/f", null, null, 1, -1, true, true),
                ok("100-continue without a body", "GET / HTTP/1.1\r\n" + H + "Expect: 100-continue\r\n\r\n", "GET", "/", "/", null, null, 1, 0, true, false),
                ok("100-continue with Content-Length 0", "PUT / HTTP/1.1\r\n" + H + "Expect: 100-continue\r\nContent-Length: 0\r\n\r\n", "PUT", "/", "/", null, null, 1, 0, true, false),
                ok("100-continue in HTTP/1.0 is ignored", "PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n", "PUT", "/", "/", null, null, 0, 4, false, false),
                ok("asterisk-form with OPTIONS", "OPTIONS * HTTP/1.1\r\n" + H + "\r\n", "OPTIONS", "*", "*", null, null, 1, 0, true, false),
                ok("absolute-form", "GET http://example.com:8080/a?b HTTP/1.1\r\n" + H + "\r\n", "GET", "http://example.com:8080/a?b", "/a", "b", "example.com:8080", 1, 0, true, false),
                ok("absolute-form without a path", "GET http://example.com HTTP/1.1\r\n" + H + "\r\n", "GET", "http://example.com", "/", null, "example.com", 1, 0, true, false),
                ok("absolute-form with a query but no path", "GET https://example.com?q=1 HTTP/1.1\r\n" + H + "\r\n", "GET", "https://example.com?q=1", "/", "q=1", "example.com", 1, 0, true, false),
                ok("absolute-form with an uppercase scheme", "GET HTTP://Example.COM/x HTTP/1.1\r\n" + H + "\r\n", "GET", "HTTP://Example.COM/x", "/x", null, "Example.COM", 1, 0, true, false),
                ok("absolute-form with an IPv6 literal", "GET http://[::1]:8080/x HTTP/1.1\r\n" + H + "\r\n", "GET", "http://[::1]:8080/x", "/x", null, "[::1]:8080", 1, 0, true, false),
                ok("empty Host (RFC 9112 §3.2)", "GET / HTTP/1.1\r\nHost:\r\n\r\n", "GET", "/", "/", null, null, 1, 0, true, false),
                ok("Host with a port", "GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n", "GET", "/", "/", null, null, 1, 0, true, false),
                ok("Host as an IPv6 literal", "GET / HTTP/1.1\r\nHost: [2001:db8::1]:80\r\n\r\n", "GET", "/", "/", null, null, 1, 0, true, false),
                ok("header names in any case", "GET / HTTP/1.1\r\nhOsT: a\r\ncontent-LENGTH: 2\r\n\r\n", "GET", "/", "/", null, null, 1, 2, true, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validRequests")
    void parsesAValidRequestToWhatItMeans(String name, String head, Meaning expected) {
        RequestHead h = parse(head);
        assertEquals(expected, Meaning.of(h));
        assertEquals(expected.contentLength() < 0, h.chunked());
    }

    static Stream<Arguments> invalidRequests() {
        return Stream.of(
                // request-line (§3)
                arguments("double space after the method", "GET  / HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("double space before the version", "GET /  HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("missing version", "GET /\r\n" + H + "\r\n", 400),
                arguments("empty version", "GET / \r\n" + H + "\r\n", 400),
                arguments("missing target and version", "GET\r\n" + H + "\r\n", 400),
                arguments("lowercase http/1.1", "GET / http/1.1\r\n" + H + "\r\n", 400),
                arguments("Http/1.1", "GET / Http/1.1\r\n" + H + "\r\n", 400),
                arguments("trailing space after the version", "GET / HTTP/1.1 \r\n" + H + "\r\n", 400),
                arguments("tabs as separators", "GET\t/\tHTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("tab before the version", "GET /\tHTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("leading space", " GET / HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("empty method", " / HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("parenthesis in the method", "GE(T / HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("colon in the method", "GE:T / HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("slash in the method", "GE/T / HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("space inside the target", "GET /a b HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("control char in the target", "GET /a\u0001b HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("DEL in the target", "GET /a\u007fb HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("NUL in the target", "GET /a\u0000b HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("bare CR in the target", "GET /a\rb HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("fragment in the target", "GET /a#b HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("fragment after the query", "GET /a?b#c HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("authority without a scheme", "GET example.com/a HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("unknown scheme", "GET ftp://example.com/a HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("absolute-form with userinfo", "GET http://user@example.com/ HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("absolute-form with an empty authority", "GET http:///a HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("absolute-form with a fragment and no path", "GET http://example.com#f HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("asterisk-form with GET", "GET * HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("asterisk followed by more", "OPTIONS *x HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("HTTP/1.10", "GET / HTTP/1.10\r\n" + H + "\r\n", 400),
                arguments("HTTP/a.b", "GET / HTTP/a.b\r\n" + H + "\r\n", 400),
                arguments("HTTP/1", "GET / HTTP/1\r\n" + H + "\r\n", 400),
                arguments("HTTP/11", "GET / HTTP/11\r\n" + H + "\r\n", 400),
                arguments("HTTP/1,1", "GET / HTTP/1,1\r\n" + H + "\r\n", 400),
                arguments("HTTP/2.0", "GET / HTTP/2.0\r\n" + H + "\r\n", 505),
                arguments("HTTP/3.0", "GET / HTTP/3.0\r\n" + H + "\r\n", 505),
                arguments("HTTP/0.9", "GET / HTTP/0.9\r\n" + H + "\r\n", 505),
                arguments("CONNECT in authority-form", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 501),
                // Host (§3.2)
                arguments("missing Host in HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", 400),
                arguments("two Host fields", "GET / HTTP/1.1\r\n" + H + H + "\r\n", 400),
                arguments("two Host fields in HTTP/1.0", "GET / HTTP/1.0\r\n" + H + H + "\r\n", 400),
                arguments("space inside Host", "GET / HTTP/1.1\r\nHost: exa mple.com\r\n\r\n", 400),
                arguments("slash in Host", "GET / HTTP/1.1\r\nHost: example.com/a\r\n\r\n", 400),
                arguments("userinfo in Host", "GET / HTTP/1.1\r\nHost: user@example.com\r\n\r\n", 400),
                arguments("invalid Host in HTTP/1.0", "GET / HTTP/1.0\r\nHost: a/b\r\n\r\n", 400),
                // field lines (§5)
                arguments("obs-fold with a space", "GET / HTTP/1.1\r\n" + H + "X-A: 1\r\n 2\r\n\r\n", 400),
                arguments("obs-fold with a tab", "GET / HTTP/1.1\r\n" + H + "X-A: 1\r\n\t2\r\n\r\n", 400),
                arguments("whitespace before the first field line", "GET / HTTP/1.1\r\n " + H + "\r\n", 400),
                arguments("space before the colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
                arguments("tab before the colon", "GET / HTTP/1.1\r\n" + H + "X-A\t: 1\r\n\r\n", 400),
                arguments("empty field name", "GET / HTTP/1.1\r\n" + H + ": v\r\n\r\n", 400),
                arguments("field line without a colon", "GET / HTTP/1.1\r\n" + H + "X-A\r\n\r\n", 400),
                arguments("non-token char in a field name", "GET / HTTP/1.1\r\n" + H + "X(A): 1\r\n\r\n", 400),
                arguments("NUL in a value", "GET / HTTP/1.1\r\n" + H + "X-A: a\u0000b\r\n\r\n", 400),
                arguments("bare CR in a value", "GET / HTTP/1.1\r\n" + H + "X-A: a\rb\r\n\r\n", 400),
                arguments("bare CR at the end of a value", "GET / HTTP/1.1\r\n" + H + "X-A: a\r\r\n\r\n", 400),
                arguments("ESC in a value", "GET / HTTP/1.1\r\n" + H + "X-A: a\u001bb\r\n\r\n", 400),
                arguments("DEL in a value", "GET / HTTP/1.1\r\n" + H + "X-A: a\u007fb\r\n\r\n", 400),
                // Content-Length (RFC 9110 §8.6, RFC 9112 §6.3)
                arguments("non-digit Content-Length", "POST / HTTP/1.1\r\n" + H + "Content-Length: abc\r\n\r\n", 400),
                arguments("hex Content-Length", "POST / HTTP/1.1\r\n" + H + "Content-Length: 0x5\r\n\r\n", 400),
                arguments("plus-signed Content-Length", "POST / HTTP/1.1\r\n" + H + "Content-Length: +5\r\n\r\n", 400),
                arguments("negative Content-Length", "POST / HTTP/1.1\r\n" + H + "Content-Length: -5\r\n\r\n", 400),
                arguments("space inside Content-Length", "POST / HTTP/1.1\r\n" + H + "Content-Length: 5 5\r\n\r\n", 400),
                arguments("Content-Length list of equal values", "POST / HTTP/1.1\r\n" + H + "Content-Length: 5, 5\r\n\r\n", 400),
                arguments("Content-Length list without spaces", "POST / HTTP/1.1\r\n" + H + "Content-Length: 5,5\r\n\r\n", 400),
                arguments("empty Content-Length", "POST / HTTP/1.1\r\n" + H + "Content-Length:\r\n\r\n", 400),
                arguments("duplicated Content-Length", "POST / HTTP/1.1\r\n" + H + "Content-Length: 5\r\nContent-Length: 5\r\n\r\n", 400),
                arguments("duplicated Content-Length in another case", "POST / HTTP/1.1\r\n" + H + "Content-Length: 5\r\ncontent-length: 6\r\n\r\n", 400),
                arguments("19-digit Content-Length", "POST / HTTP/1.1\r\n" + H + "Content-Length: 1000000000000000000\r\n\r\n", 413),
                arguments("Content-Length beyond a long", "POST / HTTP/1.1\r\n" + H + "Content-Length: 99999999999999999999999\r\n\r\n", 413),
                arguments("long non-digit Content-Length", "POST / HTTP/1.1\r\n" + H + "Content-Length: 9999999999999999999x\r\n\r\n", 400),
                arguments("Content-Length one over the maximum body", "POST / HTTP/1.1\r\n" + H + "Content-Length: " + (MAX_BODY + 1) + "\r\n\r\n", 413),
                // Transfer-Encoding (RFC 9112 §6.1, §6.3)
                arguments("Transfer-Encoding and Content-Length", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400),
                arguments("Content-Length and Transfer-Encoding", "POST / HTTP/1.1\r\n" + H + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
                arguments("Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
                arguments("chunked, chunked", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked, chunked\r\n\r\n", 400),
                arguments("chunked in two fields", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
                arguments("chunked, gzip", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked, gzip\r\n\r\n", 400),
                arguments("empty Transfer-Encoding", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding:\r\n\r\n", 400),
                arguments("empty element after chunked", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked,\r\n\r\n", 400),
                arguments("gzip, chunked", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip, chunked\r\n\r\n", 501),
                arguments("gzip then chunked in two fields", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n", 501),
                // Expect (RFC 9110 §10.1.1)
                arguments("unknown expectation", "PUT / HTTP/1.1\r\n" + H + "Expect: 200-ok\r\nContent-Length: 1\r\n\r\n", 417),
                arguments("100-continue in a list", "PUT / HTTP/1.1\r\n" + H + "Expect: 100-continue, x\r\nContent-Length: 1\r\n\r\n", 417));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("invalidRequests")
    void refusesAnInvalidRequestWithTheRightStatus(String name, String head, int status) {
        HttpException e = assertThrows(HttpException.class, () -> parse(head));
        assertEquals(status, e.status(), e.getMessage());
    }

    /**
     * RFC 9112 §6.3: "If a Transfer-Encoding header field is present in a request and the chunked transfer
     * coding is not the final encoding, the message body length cannot be determined reliably; the server
     * MUST respond with the 400 (Bad Request) status code". This MUST wins over §6.1's SHOULD (501 for
     * an unknown coding), which applies when chunked is final ({@code gzip, chunked}).
     */
    @ParameterizedTest(name = "Transfer-Encoding: {0}")
    @ValueSource(strings = {"gzip", "gzip, deflate", "identity"})
    void refusesTransferCodingsThatDoNotEndInChunkedWith400(String codings) {
        assertEquals(400, status(PARSER, "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: " + codings + "\r\n\r\n"));
    }

    @Test
    void acceptsAnEighteenDigitContentLengthWhenTheLimitAllowsIt() {
        RequestHead h = parse(new RequestParser(Long.MAX_VALUE), "POST / HTTP/1.1\r\n" + H + "Content-Length: 999999999999999999\r\n\r\n");
        assertEquals(999_999_999_999_999_999L, h.contentLength());
    }

    /** RFC 9110 §8.6: a recipient MUST prevent integer overflow; a wrapped length would read as negative (chunked). */
    @ParameterizedTest(name = "Content-Length: {0}")
    @ValueSource(strings = {"9223372036854775807", "9223372036854775808", "9999999999999999999", "18446744073709551616"})
    void refusesContentLengthsBeyondEighteenDigitsWith413EvenWithoutALimit(String value) {
        assertEquals(413, status(new RequestParser(Long.MAX_VALUE), "POST / HTTP/1.1\r\n" + H + "Content-Length: " + value + "\r\n\r\n"));
    }

    @Test
    void refusesAContentLengthOverTheConfiguredMaximumWith413() {
        RequestParser small = new RequestParser(100);
        assertEquals(100, parse(small, "POST / HTTP/1.1\r\n" + H + "Content-Length: 100\r\n\r\n").contentLength());
        assertEquals(413, status(small, "POST / HTTP/1.1\r\n" + H + "Content-Length: 101\r\n\r\n"));
    }

    @Test
    void trimsOptionalWhitespaceAroundValuesButKeepsInnerTabs() {
        Headers h = parse("GET / HTTP/1.1\r\n" + H + "X-A:  \t a \t b \t \r\nX-B:\r\nX-C:c\r\n\r\n").headers();
        assertEquals("a \t b", h.get("X-A"));
        assertEquals("", h.get("X-B"));
        assertEquals("c", h.get("X-C"));
    }

    @Test
    void keepsObsTextInValuesAsLatin1() {
        Headers h = parse("GET / HTTP/1.1\r\n" + H + "X-A: caf\u00e9\r\n\r\n").headers();
        assertEquals("caf\u00e9", h.get("x-a"));
    }

    @Test
    void keepsRepeatedFieldsApartAndInOrder() {
        Headers h = parse("GET / HTTP/1.1\r\nAccept: a\r\n" + H + "X-Tag: 1\r\naccept: b\r\nACCEPT: c\r\nX-Tag: 2\r\n\r\n").headers();
        assertEquals(6, h.size());
        assertEquals(List.of("a", "b", "c"), h.allValues("Accept"));
        assertEquals(List.of("1", "2"), h.allValues("x-tag"));
        assertEquals("a", h.get("ACCEPT"));
        assertEquals(List.of("Accept", "Host", "X-Tag", "Accept", "Accept", "X-Tag"),
                List.of(h.name(0), h.name(1), h.name(2), h.name(3), h.name(4), h.name(5)));
    }

    @Test
    void looksFieldsUpInAnyCase() {
        Headers h = parse("GET / HTTP/1.1\r\n" + H + "X-Custom-Thing: v\r\n\r\n").headers();
        assertEquals("v", h.get("x-custom-thing"));
        assertEquals("v", h.get("X-CUSTOM-THING"));
        assertEquals("example.com", h.get("hOST"));
        assertNull(h.get("X-Custom"));
    }

    @Test
    void givesCommonNamesAsTheSharedCanonicalStrings() {
        RequestHead head = parse("GET / HTTP/1.1\r\nhost: a\r\nCONTENT-LENGTH: 0\r\nuser-agent: t\r\nconnection: keep-alive\r\nexpect: 100-continue\r\n\r\n");
        Headers h = head.headers();
        assertSame(KnownNames.HOST, h.name(0));
        assertSame(KnownNames.CONTENT_LENGTH, h.name(1));
        assertSame(KnownNames.USER_AGENT, h.name(2));
        assertSame(KnownNames.CONNECTION, h.name(3));
        assertSame(KnownNames.EXPECT, h.name(4));
        assertSame(KnownNames.GET, head.method());
    }

    @Test
    void keepsTheCaseOfUnknownNamesAndMethods() {
        RequestHead head = parse("Get / HTTP/1.1\r\n" + H + "x-LoWeR-uPpEr: 1\r\nHosts: 2\r\n\r\n");
        assertEquals("Get", head.method());
        assertNotSame(KnownNames.GET, head.method());
        assertEquals("x-LoWeR-uPpEr", head.headers().name(1));
        assertEquals("Hosts", head.headers().name(2));
    }

    @Test
    void makesTheHeadersReadOnly() {
        Headers h = parse("GET / HTTP/1.1\r\n" + H + "\r\n").headers();
        assertTrue(h.isReadOnly());
        assertThrows(IllegalStateException.class, () -> h.add("X-A", "1"));
        assertThrows(IllegalStateException.class, () -> h.set("Host", "evil"));
        assertThrows(IllegalStateException.class, () -> h.remove("Host"));
        assertEquals("example.com", h.get("Host"));
    }

    @Test
    void describesTheRequestLineForLogs() {
        RequestHead h = parse("HEAD /x?y HTTP/1.0\r\n\r\n");
        assertEquals("HEAD /x?y HTTP/1.0", h.requestLine());
        assertTrue(h.isHead());
        assertEquals("HTTP/1.0", h.version());
    }
}
