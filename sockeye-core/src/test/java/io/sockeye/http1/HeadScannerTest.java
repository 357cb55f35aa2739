package io.sockeye.http1;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.Arrays;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.sockeye.HttpException;

@Timeout(value = 5, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HeadScannerTest {

    private static final int MAX_LINE = 64;
    private static final int MAX_FIELD_BYTES = 256;
    private static final int MAX_FIELDS = 8;

    private static HeadScanner scanner() {
        return new HeadScanner(MAX_LINE, MAX_FIELD_BYTES, MAX_FIELDS);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(ISO_8859_1);
    }

    /** @return a request-line of exactly {@code length} bytes, without its CRLF */
    private static String requestLine(int length) {
        return "GET /" + "a".repeat(length - 14) + " HTTP/1.1";
    }

    /** @return one field line of exactly {@code length} bytes, its CRLF included */
    private static String fieldLine(int length) {
        return "X: " + "v".repeat(length - 5) + "\r\n";
    }

    private static String fields(int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) sb.append("F").append(i).append(": v\r\n");
        return sb.toString();
    }

    /**
     * Feeds {@code head} one byte at a time by growing the limit, and after every call overwrites every
     * byte already scanned (except the last, which the CR check may still need) with LF: a scanner that
     * looked at a byte twice would see a bare LF and refuse the head.
     *
     * @return what the call that completed the head returned, or -1
     */
    private static int scanByteByByte(HeadScanner s, byte[] head) {
        byte[] work = new byte[head.length];
        for (int limit = 1; limit <= head.length; limit++) {
            work[limit - 1] = head[limit - 1];
            int end = s.scan(work, 0, limit);
            if (end >= 0) {
                assertEquals(limit, end, "the head must end where its last byte arrived");
                return end;
            }
            Arrays.fill(work, 0, limit - 1, (byte) '\n');
        }
        return -1;
    }

    static Stream<Arguments> completeHeads() {
        String get = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        return Stream.of(
                arguments("a request-line alone", "GET / HTTP/1.0\r\n\r\n", "", 0),
                arguments("a request-line and one field", get, "", 0),
                arguments("several fields", "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nX: y\r\n\r\n", "", 0),
                arguments("a head followed by its body", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n", "hello", 0),
                arguments("a head followed by a pipelined request", get, get, 0),
                arguments("a head followed by a stray LF", get, "\n", 0),
                arguments("one empty line before the request-line", "\r\n" + get, "", 2),
                arguments("four empty lines before the request-line", "\r\n".repeat(4) + get, "", 8),
                arguments("a CR inside a line, which is the parser's business", "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", "", 0),
                arguments("a request-line of exactly the maximum length", requestLine(MAX_LINE) + "\r\n\r\n", "", 0),
                arguments("a maximal request-line after four empty lines", "\r\n".repeat(4) + requestLine(MAX_LINE) + "\r\n\r\n", "", 8),
                arguments("field lines of exactly the maximum size", requestLine(MAX_LINE) + "\r\n" + fieldLine(MAX_FIELD_BYTES) + "\r\n", "", 0),
                arguments("two field lines of exactly the maximum size", "GET / HTTP/1.1\r\n" + fieldLine(100) + fieldLine(MAX_FIELD_BYTES - 100) + "\r\n", "", 0),
                arguments("exactly the maximum number of fields", "GET / HTTP/1.1\r\n" + fields(MAX_FIELDS) + "\r\n", "", 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("completeHeads")
    void findsTheEndOfAHeadFedAllAtOnce(String name, String head, String after, int headStart) {
        HeadScanner s = scanner();
        byte[] b = bytes(head + after);
        assertEquals(head.length(), s.scan(b, 0, b.length));
        assertEquals(headStart, s.headStart());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("completeHeads")
    void findsTheSameEndFedOneByteAtATimeWithoutLookingAtAnyByteTwice(String name, String head, String after, int headStart) {
        HeadScanner s = scanner();
        assertEquals(head.length(), scanByteByByte(s, bytes(head)));
        assertEquals(headStart, s.headStart());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("completeHeads")
    void reportsOffsetsRelativeToTheBaseWhereverTheHeadSits(String name, String head, String after, int headStart) {
        HeadScanner s = scanner();
        byte[] b = bytes("\r\n\n\r\nGET / HTTP/1.1\r\n\r\n" + head + after); // junk before the base
        int base = b.length - head.length() - after.length();
        assertEquals(head.length(), s.scan(b, base, b.length));
        assertEquals(headStart, s.headStart());
    }

    @Test
    void keepsItsPlaceWhenTheCallerMovesTheBytesToANewBaseBetweenCalls() {
        byte[] head = bytes("\r\n\r\nPUT /upload HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\nX-A: 1\r\n\r\n");
        for (int split = 1; split < head.length; split++) {
            for (int[] bases : new int[][] {{0, 9}, {9, 0}, {5, 5}, {3, 40}}) {
                HeadScanner s = scanner();
                byte[] before = new byte[bases[0] + split];
                Arrays.fill(before, (byte) '\n');
                System.arraycopy(head, 0, before, bases[0], split);
                assertEquals(-1, s.scan(before, bases[0], before.length), "split at " + split);

                byte[] after = new byte[bases[1] + head.length + 7]; // a compacted or grown buffer
                Arrays.fill(after, (byte) '\n');
                System.arraycopy(head, 0, after, bases[1], head.length);
                assertEquals(head.length, s.scan(after, bases[1], bases[1] + head.length), "split at " + split + ", bases " + Arrays.toString(bases));
                assertEquals(4, s.headStart(), "split at " + split);
            }
        }
    }

    @Test
    void returnsMinusOneUntilTheFinalEmptyLineArrives() {
        HeadScanner s = scanner();
        byte[] b = bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertEquals(-1, s.scan(b, 0, b.length - 1), "CR of the final empty line only");
        assertEquals(b.length, s.scan(b, 0, b.length));
    }

    @Test
    void scansTheNextHeadAfterAReset() {
        HeadScanner s = scanner();
        byte[] b = bytes("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
        int first = s.scan(b, 0, b.length);
        assertEquals(28, first);
        s.reset();
        assertEquals(b.length - first, s.scan(b, first, b.length));
        assertEquals(2, s.headStart(), "the empty line between the requests is skipped");
    }

    @Test
    void startsCountingOnlyOnceARequestLineByteArrives() {
        HeadScanner s = scanner();
        byte[] b = bytes("\r\n\r\nGET / HTTP/1.1\r\n");
        assertEquals(-1, s.scan(b, 0, 4));
        assertFalse(s.started(), "empty lines before the request-line do not count");
        assertEquals(-1, s.scan(b, 0, 5));
        assertTrue(s.started());
    }

    static Stream<Arguments> refusedHeads() {
        String rl = "GET / HTTP/1.1";
        return Stream.of(
                arguments("a bare LF ending the request-line", rl + "\nHost: a\r\n\r\n", 400),
                arguments("a bare LF ending a field line", rl + "\r\nHost: a\n\r\n", 400),
                arguments("a bare LF as the final empty line", rl + "\r\nHost: a\r\n\n", 400),
                arguments("a bare LF as the final empty line after the request-line", rl + "\r\n\n", 400),
                arguments("a bare LF as a leading empty line", "\n" + rl + "\r\n\r\n", 400),
                arguments("a bare LF after a leading empty line", "\r\n\n" + rl + "\r\n\r\n", 400),
                arguments("five empty lines before the request-line", "\r\n".repeat(5) + rl + "\r\n\r\n", 400),
                arguments("a request-line one byte over the maximum", requestLine(MAX_LINE + 1) + "\r\n\r\n", 414),
                arguments("an unfinished request-line known to be over the maximum", requestLine(MAX_LINE + 2), 414),
                arguments("an unfinished request-line far over the maximum", "GET /" + "a".repeat(10 * MAX_LINE), 414),
                arguments("field lines one byte over the maximum", rl + "\r\n" + fieldLine(MAX_FIELD_BYTES + 1) + "\r\n", 431),
                arguments("two field lines one byte over the maximum", rl + "\r\n" + fieldLine(100) + fieldLine(MAX_FIELD_BYTES - 99) + "\r\n", 431),
                arguments("an unfinished field line far over the maximum", rl + "\r\nX: " + "v".repeat(2 * MAX_FIELD_BYTES), 431),
                arguments("one field more than the maximum", rl + "\r\n" + fields(MAX_FIELDS + 1) + "\r\n", 431),
                // the limit decides before the line's end is looked at, as it must when the line comes in
                // pieces (found by Http1FuzzTest: whole, these were 400)
                arguments("a request-line far over the maximum, ending in a bare LF", "GET /" + "a".repeat(2 * MAX_LINE) + "\n\r\n", 414),
                arguments("a field line far over the maximum, ending in a bare LF", rl + "\r\nX: " + "v".repeat(2 * MAX_FIELD_BYTES) + "\n\r\n", 431));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("refusedHeads")
    void refusesABadHeadFedAllAtOnce(String name, String head, int status) {
        byte[] b = bytes(head);
        HttpException e = assertThrows(HttpException.class, () -> scanner().scan(b, 0, b.length));
        assertEquals(status, e.status(), e.getMessage());
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("refusedHeads")
    void refusesABadHeadFedOneByteAtATime(String name, String head, int status) {
        HttpException e = assertThrows(HttpException.class, () -> scanByteByByte(scanner(), bytes(head)));
        assertEquals(status, e.status(), e.getMessage());
    }

    @Test
    void refusesALongRequestLineBeforeItsEndArrives() {
        HeadScanner s = scanner();
        byte[] b = bytes("GET /" + "a".repeat(1000) + " HTTP/1.1\r\n\r\n");
        int limit = 0;
        HttpException e = null;
        while (e == null) {
            limit++;
            try {
                s.scan(b, 0, limit);
            } catch (HttpException thrown) {
                e = thrown;
            }
        }
        assertEquals(414, e.status());
        assertTrue(limit <= MAX_LINE + 2, "refused only after " + limit + " bytes");
    }

    @Test
    void refusesLargeFieldsBeforeTheirEndArrives() {
        HeadScanner s = scanner();
        String rl = "GET / HTTP/1.1\r\n";
        byte[] b = bytes(rl + "X: " + "v".repeat(1000) + "\r\n\r\n");
        int limit = 0;
        HttpException e = null;
        while (e == null) {
            limit++;
            try {
                s.scan(b, 0, limit);
            } catch (HttpException thrown) {
                e = thrown;
            }
        }
        assertEquals(431, e.status());
        assertTrue(limit <= rl.length() + MAX_FIELD_BYTES + 2, "refused only after " + limit + " bytes");
    }

    @Test
    void acceptsAnUnfinishedRequestLineOfExactlyTheMaximumWithItsCr() {
        byte[] b = bytes(requestLine(MAX_LINE) + "\r");
        assertEquals(-1, scanner().scan(b, 0, b.length));
    }

    @Test
    void acceptsUnfinishedFieldsOfExactlyTheMaximumAwaitingTheFinalLf() {
        byte[] b = bytes("GET / HTTP/1.1\r\n" + fieldLine(MAX_FIELD_BYTES) + "\r");
        assertEquals(-1, scanner().scan(b, 0, b.length));
    }

    @Test
    void doesNotCountTheRequestLineOrTheFinalEmptyLineAgainstTheFieldLimit() {
        HeadScanner s = new HeadScanner(MAX_LINE, 9, 1);
        byte[] b = bytes(requestLine(MAX_LINE) + "\r\nHost: a\r\n\r\n"); // "Host: a\r\n" is 9 bytes
        assertEquals(b.length, s.scan(b, 0, b.length));
    }
}
