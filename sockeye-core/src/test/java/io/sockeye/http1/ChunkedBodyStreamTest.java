package io.sockeye.http1;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.sockeye.Headers;
import io.sockeye.HttpException;

/** RFC 9112 §7.1: the chunked decoder, driven over in-memory bytes arriving in pieces of every size. */
@Timeout(value = 5, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ChunkedBodyStreamTest {

    /** Bytes the channel hands out per read: 1 crosses every state boundary; 4096 delivers all at once. */
    private static final int[] PIECES = {1, 2, 3, 16, 4096};
    /** Buffer sizes the handler reads with: 0 means {@code read()} one byte at a time. */
    private static final int[] READS = {0, 7, 8192};
    private static final long MAX_BODY = 1000;
    private static final int MAX_TRAILER_BYTES = 64;
    private static final int MAX_TRAILERS = 3;
    private static final String NEXT = "GET /next HTTP/1.1\r\nHost: a\r\n\r\n";

    private PieceChannel channel;
    private SocketInput in;

    private ChunkedBodyStream body(String wire, int piece, long maxBody) {
        channel = new PieceChannel(wire, piece);
        in = new SocketInput(channel, Deadlines.NONE, 16, 64, 0);
        return new ChunkedBodyStream(in, Deadlines.NONE, maxBody, MAX_TRAILER_BYTES, MAX_TRAILERS);
    }

    private ChunkedBodyStream body(String wire, int piece) {
        return body(wire, piece, MAX_BODY);
    }

    private String unread() {
        return PieceChannel.unread(in, channel);
    }

    static String readAll(BodyStream s, int bufferSize) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (bufferSize == 0) {
            for (int c; (c = s.read()) != -1; ) out.write(c);
        } else {
            byte[] buf = new byte[bufferSize];
            for (int n; (n = s.read(buf, 0, bufferSize)) != -1; ) {
                assertTrue(n > 0, "read returned " + n);
                out.write(buf, 0, n);
            }
        }
        assertEquals(-1, s.read(new byte[4], 0, 4), "the end of the body stays the end");
        return out.toString(ISO_8859_1);
    }

    /** Reads until the stream throws, collecting what came before; fails if it never throws. */
    static Exception readUntilFailure(BodyStream s, ByteArrayOutputStream got) {
        return assertThrows(Exception.class, () -> {
            byte[] buf = new byte[5];
            for (int n; (n = s.read(buf, 0, buf.length)) != -1; ) got.write(buf, 0, n);
        });
    }

    static Stream<Arguments> withPiecesAndReads(Stream<Arguments> cases) {
        return withPiecesAndReads(cases, READS);
    }

    static Stream<Arguments> withPiecesAndReads(Stream<Arguments> cases, int[] reads) {
        List<Arguments> all = cases.toList();
        return all.stream().flatMap(a -> {
            Stream.Builder<Arguments> b = Stream.builder();
            for (int piece : PIECES) {
                for (int read : reads) {
                    Object[] g = a.get();
                    Object[] row = java.util.Arrays.copyOf(g, g.length + 2);
                    row[g.length] = piece;
                    row[g.length + 1] = read;
                    b.add(arguments(row));
                }
            }
            return b.build();
        });
    }

    static Stream<Arguments> validBodies() {
        String ext4000 = "a".repeat(4000);
        return withPiecesAndReads(Stream.of(
                arguments("one chunk", "5\r\nhello\r\n0\r\n\r\n", "hello", Map.of()),
                arguments("several chunks", "3\r\nabc\r\n1\r\nd\r\n4\r\nefgh\r\n0\r\n\r\n", "abcdefgh", Map.of()),
                arguments("an empty body", "0\r\n\r\n", "", Map.of()),
                arguments("uppercase hex", "1A\r\n" + "x".repeat(26) + "\r\n0\r\n\r\n", "x".repeat(26), Map.of()),
                arguments("lowercase hex", "1a\r\n" + "y".repeat(26) + "\r\n0\r\n\r\n", "y".repeat(26), Map.of()),
                arguments("leading zeros", "0003\r\nabc\r\n000\r\n\r\n", "abc", Map.of()),
                arguments("many leading zeros", "0".repeat(40) + "2\r\nab\r\n0\r\n\r\n", "ab", Map.of()),
                arguments("data holding CRLFs and digits", "6\r\n\r\n0\r\n\r\r\n0\r\n\r\n", "\r\n0\r\n\r", Map.of()),
                arguments("a token extension", "3;name\r\nabc\r\n0;last\r\n\r\n", "abc", Map.of()),
                arguments("extensions with values", "3;a=b;c=d\r\nabc\r\n0\r\n\r\n", "abc", Map.of()),
                arguments("a quoted-string extension", "3;q=\"x; y=\\\"z\\\"\"\r\nabc\r\n0\r\n\r\n", "abc", Map.of()),
                arguments("whitespace before an extension", "3 ;a=b\r\nabc\r\n0\t; z\r\n\r\n", "abc", Map.of()),
                arguments("a 4000-byte extension", "3;" + ext4000 + "\r\nabc\r\n0\r\n\r\n", "abc", Map.of()),
                arguments("a trailer", "3\r\nabc\r\n0\r\nX-Sum: 123\r\n\r\n", "abc", Map.of("X-Sum", "123")),
                arguments("trailers up to the limits", "2\r\nhi\r\n0\r\nA: 1\r\nB:  two words \t\r\nC:\r\n\r\n", "hi", Map.of("A", "1", "B", "two words", "C", "")),
                arguments("chunks adding up to exactly the maximum", "1f4\r\n" + "p".repeat(500) + "\r\n1F4\r\n" + "q".repeat(500) + "\r\n0\r\n\r\n",
                        "p".repeat(500) + "q".repeat(500), Map.of())));
    }

    @ParameterizedTest(name = "{0}, pieces of {4}, reads of {5}")
    @MethodSource("validBodies")
    void decodesAValidBodyAndLeavesThePipelinedRequestUnread(String name, String wire, String data, Map<String, String> trailers,
                                                          int piece, int read) throws IOException {
        ChunkedBodyStream s = body(wire + NEXT, piece);
        assertFalse(s.atEnd());
        assertEquals(data, readAll(s, read));
        assertTrue(s.atEnd());
        assertFalse(s.broken());
        assertNull(s.protocolError());
        assertEquals(NEXT, unread(), "bytes after the body belong to the next request");
        Headers t = s.trailers();
        assertEquals(trailers.size(), t.size(), t.toString());
        trailers.forEach((k, v) -> assertEquals(v, t.get(k), k));
        assertTrue(t.isReadOnly());
    }

    static Stream<Arguments> invalidBodies() {
        return withPiecesAndReads(Stream.of(
                arguments("no size digits", "\r\nabc\r\n0\r\n\r\n", 400),
                arguments("an extension without a size", ";a\r\n0\r\n\r\n", 400),
                arguments("a non-hex size", "g\r\n", 400),
                arguments("0x prefix", "0x10\r\n" + "z".repeat(16) + "\r\n0\r\n\r\n", 400),
                arguments("a negative size", "-1\r\na\r\n0\r\n\r\n", 400),
                arguments("a plus sign", "+1\r\na\r\n0\r\n\r\n", 400),
                arguments("a space before the size", " 1\r\na\r\n0\r\n\r\n", 400),
                arguments("a space after the size with no extension", "5 \r\nhello\r\n0\r\n\r\n", 400),
                arguments("a tab after the size with no extension", "5\t\r\nhello\r\n0\r\n\r\n", 400),
                arguments("a space inside the size", "1 0\r\n", 400),
                arguments("LF-only line endings", "5\nhello\n0\n\n", 400),
                arguments("a bare CR after the size", "5\rhello\r\n0\r\n\r\n", 400),
                arguments("a bare LF after an extension", "5;a\nhello\r\n0\r\n\r\n", 400),
                arguments("data followed by something else", "3\r\nabcX\r\n0\r\n\r\n", 400),
                arguments("data followed by LF only", "3\r\nabc\n0\r\n\r\n", 400),
                arguments("data followed by CR and something else", "3\r\nabc\rX0\r\n\r\n", 400),
                arguments("more data than the size", "3\r\nabcd\r\n0\r\n\r\n", 400),
                arguments("a NUL in an extension", "3;a=\u0000\r\nabc\r\n0\r\n\r\n", 400),
                arguments("an ESC in an extension", "3;a\u001bb\r\nabc\r\n0\r\n\r\n", 400),
                arguments("a DEL in an extension", "3;a=\u007f\r\nabc\r\n0\r\n\r\n", 400),
                arguments("an extension line over 4096 bytes", "3;" + "e".repeat(5000) + "\r\nabc\r\n0\r\n\r\n", 400),
                arguments("zeros making a size line over 4096 bytes", "0".repeat(5000) + "3\r\nabc\r\n0\r\n\r\n", 400),
                arguments("no final CRLF, the next request instead", "3\r\nabc\r\n0\r\n" + NEXT, 400),
                arguments("a bare LF ending the trailer section", "0\r\n\n", 400),
                arguments("a bare LF ending a trailer", "0\r\nA: 1\n\r\n", 400),
                arguments("a bare CR in a trailer", "0\r\nA: 1\rB: 2\r\n\r\n", 400),
                arguments("a trailer obs-fold with a space", "0\r\nA: 1\r\n 2\r\n\r\n", 400),
                arguments("a trailer obs-fold with a tab", "0\r\nA: 1\r\n\t2\r\n\r\n", 400),
                arguments("a trailer without a colon", "0\r\nNoColon\r\n\r\n", 400),
                arguments("a trailer with an empty name", "0\r\n: v\r\n\r\n", 400),
                arguments("a trailer with a space before the colon", "0\r\nA : v\r\n\r\n", 400),
                arguments("a trailer with a space in its name", "0\r\nA B: v\r\n\r\n", 400),
                arguments("a trailer with a NUL in its value", "0\r\nA: x\u0000y\r\n\r\n", 400),
                arguments("a trailer section over the byte limit", "0\r\nA: " + "t".repeat(MAX_TRAILER_BYTES) + "\r\n\r\n", 431),
                arguments("one trailer more than the limit", "0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", 431),
                arguments("a chunk larger than the maximum body", "3E9\r\n", 413),
                arguments("chunks adding up to more than the maximum body", "1f4\r\n" + "p".repeat(500) + "\r\n1f5\r\n", 413),
                arguments("16 significant hex digits", "1000000000000000\r\n", 413),
                arguments("a size beyond a long", "FFFFFFFFFFFFFFFFFFFF\r\n", 413)), new int[] {0, 8192});
    }

    @ParameterizedTest(name = "{0} -> {2}, pieces of {3}, reads of {4}")
    @MethodSource("invalidBodies")
    void refusesAMalformedBodyWithTheRightStatusAndKeepsRefusing(String name, String wire, int status, int piece, int read) {
        ChunkedBodyStream s = body(wire, piece);
        HttpException e = assertThrows(HttpException.class, () -> readAll(s, read));
        assertEquals(status, e.status(), e.getMessage());
        assertTrue(s.broken());
        assertSame(e, s.protocolError());
        assertSame(e, assertThrows(HttpException.class, () -> s.read(new byte[8], 0, 8)), "read keeps throwing");
        assertSame(e, assertThrows(HttpException.class, s::read), "read() keeps throwing");
        assertFalse(s.drain(1 << 20));
        assertEquals(0, s.available());
    }

    @ParameterizedTest(name = "the connection ends after [{0}]")
    @ValueSource(strings = {"", "5", "5\r", "5\r\n", "5\r\nhel", "5\r\nhello", "5\r\nhello\r", "5\r\nhello\r\n", "5;ext", "5 ",
            "0", "0\r\n", "0\r\nA: 1", "0\r\nA: 1\r\n", "0\r\n\r"})
    void failsWithAnIoExceptionWhenTheConnectionEndsEarly(String wire) {
        for (int piece : PIECES) {
            ChunkedBodyStream s = body(wire, piece);
            IOException e = assertThrows(IOException.class, () -> readAll(s, 8192));
            assertTrue(s.broken());
            assertNull(s.protocolError());
            assertFalse(s.timedOut());
            assertSame(e, assertThrows(IOException.class, () -> s.read(new byte[8], 0, 8)), "read keeps throwing");
            assertFalse(s.drain(100));
        }
    }

    @Test
    void refusesATooLargeChunkBeforeReadingItsData() {
        for (int piece : PIECES) {
            String rest = "abcdef\r\n0\r\n\r\n";
            ChunkedBodyStream s = body("5\r\n12345\r\n6\r\n" + rest, piece, 10);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            HttpException e = assertInstanceOf(HttpException.class, readUntilFailure(s, got));
            assertEquals(413, e.status());
            assertEquals("12345", got.toString(ISO_8859_1));
            assertEquals(rest, unread(), "the refused chunk's data must not have been read");
        }
    }

    @Test
    void refusesATooLargeChunkEvenIfItsDataNeverComes() {
        ChunkedBodyStream s = body("5\r\n12345\r\n6\r\n", 1, 10);
        HttpException e = assertInstanceOf(HttpException.class, readUntilFailure(s, new ByteArrayOutputStream()));
        assertEquals(413, e.status());
    }

    @Test
    void refusesSixteenSignificantDigitsBeforeTheSizeLineEnds() {
        ChunkedBodyStream s = body("1234567890abcdef", 1, Long.MAX_VALUE);
        HttpException e = assertThrows(HttpException.class, () -> s.read(new byte[8], 0, 8));
        assertEquals(413, e.status());
    }

    @Test
    void acceptsFifteenSignificantDigitsWhenTheBodyLimitAllowsThem() {
        ChunkedBodyStream s = body("0fffffffffffffff\r\nabc", 1, Long.MAX_VALUE);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        Exception e = readUntilFailure(s, got);
        assertFalse(e instanceof HttpException, "15 significant digits are allowed: " + e);
        assertInstanceOf(IOException.class, e);
        assertEquals("abc", got.toString(ISO_8859_1));
    }

    @Test
    void neverReturnsMoreThanTheCurrentChunkInOneRead() throws IOException {
        ChunkedBodyStream s = body("3\r\nabc\r\n20\r\n" + "d".repeat(32) + "\r\n0\r\n\r\n", 4096);
        byte[] buf = new byte[100];
        assertEquals(3, s.read(buf, 0, 100));
        int n = 0;
        while (n < 32) n += s.read(buf, n, 100 - n);
        assertEquals(32, n);
        assertEquals(-1, s.read(buf, 0, 100));
    }

    @Test
    void readsNothingForAZeroLengthRead() throws IOException {
        ChunkedBodyStream s = body("3\r\nabc\r\n0\r\n\r\n", 4096);
        assertEquals(0, s.read(new byte[4], 0, 0));
        assertFalse(s.started());
        assertEquals("abc", readAll(s, 8192));
    }

    @Test
    void runsTheFirstReadActionOnceAndOnlyOnRead() throws IOException {
        ChunkedBodyStream s = body("3\r\nabc\r\n0\r\n\r\n", 1);
        AtomicInteger runs = new AtomicInteger();
        s.beforeFirstRead(runs::incrementAndGet);
        assertEquals(0, runs.get());
        assertEquals('a', s.read());
        assertEquals("bc", readAll(s, 8192));
        assertEquals(1, runs.get());
        assertTrue(s.started());
    }

    @Test
    void drainingDoesNotRunTheFirstReadAction() {
        ChunkedBodyStream s = body("3\r\nabc\r\n0\r\n\r\n", 1);
        AtomicInteger runs = new AtomicInteger();
        s.beforeFirstRead(runs::incrementAndGet);
        s.drain(100);
        assertEquals(0, runs.get(), "draining must not send 100 Continue");
    }

    // BodyStream.drain: "@return whether the body is now read to its end (so the connection can carry another request)"

    @Test
    void drainReturnsTrueWhenTheUnreadBodyFits() {
        for (int piece : PIECES) {
            ChunkedBodyStream s = body("3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\nT: 1\r\n\r\n" + NEXT, piece);
            assertTrue(s.drain(1000), "pieces of " + piece);
            assertTrue(s.atEnd());
            assertFalse(s.broken());
            assertEquals(NEXT, unread());
            assertEquals("1", s.trailers().get("T"));
        }
    }

    @Test
    void drainReturnsTrueForAnEmptyChunkedBody() {
        ChunkedBodyStream s = body("0\r\n\r\n" + NEXT, 4096);
        assertTrue(s.drain(10));
        assertTrue(s.atEnd());
        assertEquals(NEXT, unread());
    }

    @Test
    void drainReturnsTrueWhenTheHandlerReadPartOfTheBody() throws IOException {
        ChunkedBodyStream s = body("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n" + NEXT, 3);
        assertEquals('h', s.read());
        assertTrue(s.drain(1000));
        assertTrue(s.atEnd());
        assertEquals(NEXT, unread());
    }

    @Test
    void drainReturnsTrueWhenTheRestIsExactlyTheMaximum() {
        ChunkedBodyStream s = body("5\r\nhello\r\n0\r\n\r\n" + NEXT, 4096);
        assertTrue(s.drain(5));
        assertTrue(s.atEnd());
        assertEquals(NEXT, unread());
    }

    @Test
    void drainReturnsFalseWhenTheRestIsLargerThanTheMaximum() {
        ChunkedBodyStream s = body("a\r\n0123456789\r\n0\r\n\r\n" + NEXT, 4096);
        assertFalse(s.drain(5));
        assertFalse(s.atEnd());
    }

    @Test
    void drainReturnsTrueAtOnceWhenTheBodyWasReadToItsEnd() throws IOException {
        ChunkedBodyStream s = body("2\r\nhi\r\n0\r\n\r\n" + NEXT, 4096);
        assertEquals("hi", readAll(s, 8192));
        assertTrue(s.drain(0));
        assertEquals(NEXT, unread());
    }

    /**
     * InputStream.available(): "A single read or skip of this many bytes will not block". Buffered chunk
     * framing is not body: once "abc" is read from {@code 3\r\nabc\r\n5\r\n}, no body byte is there, and a
     * read of 5 bytes would wait for the next chunk's data (here: reach the end of the input and fail).
     */
    @Test
    void availableDoesNotCountChunkFramingAsReadableBytes() throws IOException {
        ChunkedBodyStream s = body("3\r\nabc\r\n5\r\n", 4096);
        byte[] buf = new byte[3];
        assertEquals(3, s.read(buf, 0, 3));
        assertEquals(0, s.available(), "buffered: \\r\\n5\\r\\n, none of it body");

        ChunkedBodyStream partial = body("3\r\nabc\r\n5\r\nde", 4096);
        assertEquals(3, partial.read(buf, 0, 3));
        int available = partial.available();
        assertTrue(available <= 2, "only \"de\" can be read without waiting, available() said " + available);
    }

    @Test
    void availableNeverCountsBytesOnceTheBodyHasEnded() throws IOException {
        ChunkedBodyStream s = body("2\r\nhi\r\n0\r\n\r\n" + NEXT, 4096);
        assertEquals("hi", readAll(s, 8192));
        assertEquals(0, s.available());
        assertNotNull(s.trailers());
    }

    // ---- checking what has arrived without consuming it (at commit: a malformed body gets its 400) ----

    /** A body whose whole wire form fits the input buffer, so that one fill has it all. */
    private ChunkedBodyStream received(String wire) throws IOException {
        channel = new PieceChannel(wire, 4096);
        in = new SocketInput(channel, Deadlines.NONE, 4096, 4096, 0);
        ChunkedBodyStream s = new ChunkedBodyStream(in, Deadlines.NONE, MAX_BODY, MAX_TRAILER_BYTES, MAX_TRAILERS);
        in.fill();
        return s;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 5, 9, 14, 22, 27})
    void aPeekAtAValidBodyFindsNothingAndConsumesNothing(int readFirst) throws IOException {
        String wire = "5\r\nhello\r\n3;x=y\r\nabc\r\n0\r\nT-One: 1\r\nT-Two: 2\r\n\r\n" + NEXT;
        ChunkedBodyStream s = received(wire);
        // read part of the body, leaving the decoder in the middle of a chunk, a size line or a trailer
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] one = new byte[1];
        while (got.size() < Math.min(readFirst, 8) && s.read(one, 0, 1) == 1) got.write(one[0]);
        assertNull(s.checkReceivedFraming(), "a valid body has no framing error");
        assertFalse(s.broken());
        got.writeBytes(readAll(s, 7).getBytes(ISO_8859_1));
        assertEquals("helloabc", got.toString(ISO_8859_1), "the peek consumed nothing");
        assertEquals("1", s.trailers().get("T-One"));
        assertEquals("2", s.trailers().get("T-Two"));
        assertEquals(2, s.trailers().size(), "the peek kept no trailer of its own");
        assertEquals(NEXT, unread(), "the next request is where it was");
    }

    @ParameterizedTest
    @ValueSource(strings = {"5x\r\nhello\r\n0\r\n\r\n", "5\r\nhelloX\r\n0\r\n\r\n", "5\nhello\r\n0\r\n\r\n",
        "5\r\nhello\r\n0\r\nbad trailer\r\n\r\n", "5\r\nhello\r\n0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n"})
    void aPeekFindsAMalformedBodyAndBreaksIt(String wire) throws IOException {
        ChunkedBodyStream s = received(wire);
        HttpException e = s.checkReceivedFraming();
        assertNotNull(e, "a framing error in " + wire);
        assertTrue(e.status() == 400 || e.status() == 431, e.status() + " " + e.getMessage());
        assertTrue(s.broken(), "the body is broken: the connection closes after the answer");
        assertSame(e, s.protocolError());
    }

    @Test
    void aPeekWaitsForNothing() throws IOException {
        ChunkedBodyStream s = received("5\r\nhel");
        assertNull(s.checkReceivedFraming(), "nothing wrong so far, and the rest is not waited for");
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        assertInstanceOf(IOException.class, readUntilFailure(s, got), "the body ends early, as the channel does");
        assertEquals("hel", got.toString(ISO_8859_1), "what had arrived is read as usual");
    }
}
