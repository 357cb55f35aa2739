package io.sockeye.http1;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 9112 §6.2: a body of exactly Content-Length bytes, then the next request, untouched. */
@Timeout(value = 5, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FixedLengthBodyStreamTest {

    private static final int INITIAL_BUFFER = 16;
    private static final String NEXT = "GET /next HTTP/1.1\r\nHost: a\r\n\r\n";

    private PieceChannel channel;
    private SocketInput in;

    private FixedLengthBodyStream body(String wire, int piece, long length) {
        channel = new PieceChannel(wire, piece);
        in = new SocketInput(channel, Deadlines.NONE, INITIAL_BUFFER, 64, 0);
        return new FixedLengthBodyStream(in, Deadlines.NONE, length);
    }

    private String unread() {
        return PieceChannel.unread(in, channel);
    }

    private static String bytes(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) sb.append((char) ('a' + i % 26));
        return sb.toString();
    }

    static Stream<Arguments> lengthsPiecesAndReads() {
        return IntStream.of(0, 1, 15, 16, 17, 100).boxed().flatMap(length ->
                IntStream.of(1, 3, 16, 4096).boxed().flatMap(piece ->
                        IntStream.of(0, 1, 7, 16, 8192).mapToObj(read -> arguments(length, piece, read))));
    }

    @ParameterizedTest(name = "length {0}, pieces of {1}, reads of {2}")
    @MethodSource("lengthsPiecesAndReads")
    void readsExactlyTheLengthAndLeavesThePipelinedRequestUnread(int length, int piece, int read) throws IOException {
        String data = bytes(length);
        FixedLengthBodyStream s = body(data + NEXT, piece, length);
        assertEquals(length == 0, s.atEnd());
        assertEquals(data, ChunkedBodyStreamTest.readAll(s, read));
        assertTrue(s.atEnd());
        assertFalse(s.broken());
        assertEquals(NEXT, unread(), "bytes after the body belong to the next request");
    }

    @Test
    void returnsEndOfStreamAtOnceForAnEmptyBodyWithoutTouchingTheInput() throws IOException {
        FixedLengthBodyStream s = body(NEXT, 4096, 0);
        assertEquals(-1, s.read());
        assertEquals(-1, s.read(new byte[10], 0, 10));
        assertEquals(0, channel.reads(), "an empty body must not read from the connection");
        assertEquals(NEXT, unread());
    }

    @Test
    void readsBytesAbove0x7fAsNonNegativeValues() throws IOException {
        FixedLengthBodyStream s = body("\u00ff\u0080\u0000", 1, 3);
        assertEquals(0xff, s.read());
        assertEquals(0x80, s.read());
        assertEquals(0, s.read());
        assertEquals(-1, s.read());
    }

    @Test
    void neverReadsPastTheLengthEvenWhenReadingStraightFromTheSocket() throws IOException {
        String data = bytes(100);
        FixedLengthBodyStream s = body(data + NEXT, 4096, 100);
        byte[] buf = new byte[8192]; // large enough for SocketInput to bypass its buffer
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        for (int n; (n = s.read(buf, 0, buf.length)) != -1; ) got.write(buf, 0, n);
        assertEquals(data, got.toString(ISO_8859_1));
        assertEquals(NEXT, unread());
    }

    @Test
    void takesTheBodyFromBytesAlreadyBuffered() throws IOException {
        channel = new PieceChannel("hello" + NEXT, 4096);
        in = new SocketInput(channel, Deadlines.NONE, 64, 64, 0);
        assertTrue(in.fill() > 0); // as after reading a head: the body and the next request are buffered
        FixedLengthBodyStream s = new FixedLengthBodyStream(in, Deadlines.NONE, 5);
        assertEquals(5, s.available(), "available counts only this body's bytes");
        assertEquals("hello", ChunkedBodyStreamTest.readAll(s, 8192));
        assertEquals(0, s.available());
        assertEquals(NEXT, unread());
    }

    @Test
    void failsWithAnIoExceptionWhenTheConnectionEndsEarly() {
        for (int piece : new int[] {1, 3, 4096}) {
            FixedLengthBodyStream s = body("hel", piece, 5);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            IOException e = assertThrows(IOException.class, () -> {
                byte[] buf = new byte[2];
                for (int n; (n = s.read(buf, 0, 2)) != -1; ) got.write(buf, 0, n);
            });
            assertEquals("hel", got.toString(ISO_8859_1));
            assertTrue(s.broken());
            assertFalse(s.atEnd());
            assertNull(s.protocolError());
            assertFalse(s.timedOut());
            assertSame(e, assertThrows(IOException.class, () -> s.read(new byte[2], 0, 2)), "read keeps throwing");
            assertSame(e, assertThrows(IOException.class, s::read), "read() keeps throwing");
            assertEquals(0, s.available());
        }
    }

    @Test
    void failsWithAnIoExceptionWhenNoBodyByteArrives() {
        FixedLengthBodyStream s = body("", 1, 1);
        assertThrows(IOException.class, s::read);
        assertTrue(s.broken());
        assertFalse(s.atEnd());
    }

    @Test
    void drainReturnsTrueAndStopsAtTheBodysEndWhenTheRestFits() {
        for (int piece : new int[] {1, 3, 4096}) {
            FixedLengthBodyStream s = body(bytes(100) + NEXT, piece, 100);
            assertTrue(s.drain(1000));
            assertTrue(s.atEnd());
            assertEquals(NEXT, unread());
        }
    }

    @Test
    void drainReturnsTrueWhenTheRestIsExactlyTheMaximum() {
        FixedLengthBodyStream s = body(bytes(20) + NEXT, 4096, 20);
        assertTrue(s.drain(20));
        assertTrue(s.atEnd());
        assertEquals(NEXT, unread());
    }

    @Test
    void drainReturnsTrueForWhatTheHandlerLeftUnread() throws IOException {
        FixedLengthBodyStream s = body("hello world" + NEXT, 4, 11);
        byte[] buf = new byte[5];
        assertEquals(4, s.read(buf, 0, 5)); // one piece of the channel
        assertTrue(s.drain(7));
        assertEquals(NEXT, unread());
    }

    @Test
    void drainReturnsFalseWhenTheRestIsLargerThanTheMaximum() {
        FixedLengthBodyStream s = body(bytes(100) + NEXT, 4096, 100);
        assertFalse(s.drain(99));
        assertFalse(s.atEnd());
        assertFalse(s.broken(), "refusing to drain is not a broken body");
    }

    @Test
    void drainReturnsFalseWhenTheConnectionEndsEarly() {
        FixedLengthBodyStream s = body("hel", 1, 5);
        assertFalse(s.drain(1000));
        assertTrue(s.broken());
        assertThrows(IOException.class, s::read);
    }

    @Test
    void drainReturnsTrueAtOnceForAnEmptyOrFullyReadBody() throws IOException {
        FixedLengthBodyStream empty = body(NEXT, 4096, 0);
        assertTrue(empty.drain(0));
        assertEquals(NEXT, unread());

        FixedLengthBodyStream read = body("ab" + NEXT, 4096, 2);
        assertEquals("ab", ChunkedBodyStreamTest.readAll(read, 8192));
        assertTrue(read.drain(0));
        assertEquals(NEXT, unread());
    }

    @Test
    void runsTheFirstReadActionOnFirstReadOnlyAndNeverForADrain() throws IOException {
        AtomicInteger runs = new AtomicInteger();
        FixedLengthBodyStream read = body("abc", 1, 3);
        read.beforeFirstRead(runs::incrementAndGet);
        assertEquals('a', read.read());
        assertEquals("bc", ChunkedBodyStreamTest.readAll(read, 8192));
        assertEquals(1, runs.get());

        FixedLengthBodyStream drained = body("abc", 1, 3);
        drained.beforeFirstRead(runs::incrementAndGet);
        assertTrue(drained.drain(10));
        assertEquals(1, runs.get(), "draining must not send 100 Continue");
    }

    @Test
    void checksTheBoundsOfTheDestinationArray() {
        FixedLengthBodyStream s = body("abc", 1, 3);
        assertThrows(IndexOutOfBoundsException.class, () -> s.read(new byte[2], 1, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> s.read(new byte[2], -1, 1));
    }
}
