package io.sockeye.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.sockeye.HttpException;

/**
 * Any bytes at all, as a request head or as a chunked body, give a request or a clear HTTP error, never
 * another exception. Run as part of the tests, these replay the inputs in {@code Http1FuzzTestInputs}
 * (and an empty one); to search for new ones, run with Jazzer's fuzzing on, for a bounded time:
 *
 * <pre>JAZZER_FUZZ=1 mvn -pl sockeye-core test -Dtest=Http1FuzzTest#requestHeads -Djazzer.max_duration=120s</pre>
 *
 * An input that fails is written to that folder, where it stays as a regression test once fixed.
 */
class Http1FuzzTest {

    private static final int MAX_LINE = 256;
    private static final int MAX_FIELD_BYTES = 1024;
    private static final int MAX_FIELDS = 16;

    @FuzzTest(maxDuration = "2m")
    void requestHeads(byte[] input) {
        // fed whole and split in two, as a slow client would send it: the scanner must agree with itself
        int whole = scanOrStatus(input, input.length);
        int split = scanOrStatus(input, input.length / 2);
        assertEquals(whole, split, "the same head fed in two pieces");
        if (whole < 0) return; // an error status, or more bytes needed
        HeadScanner scanner = new HeadScanner(MAX_LINE, MAX_FIELD_BYTES, MAX_FIELDS);
        int end = scanner.scan(input, 0, input.length);
        try {
            RequestHead head = new RequestParser(1 << 20).parse(input, scanner.headStart(), end);
            assertFalse(head.method().isEmpty());
            assertTrue(head.requestLine().length() <= MAX_LINE, "the request-line's limit held");
            assertTrue(head.headers().size() <= MAX_FIELDS, "the field count's limit held");
        } catch (HttpException e) {
            assertClientOrServerError(e);
        }
    }

    @FuzzTest(maxDuration = "2m")
    void chunkedBodies(byte[] input) {
        for (int piece : new int[] {1, 7, 4096}) {
            PieceChannel channel = new PieceChannel(input, piece);
            SocketInput in = new SocketInput(channel, Deadlines.NONE, 16, 64, 0);
            ChunkedBodyStream body = new ChunkedBodyStream(in, Deadlines.NONE, 10_000, 64, 3);
            byte[] buffer = new byte[13];
            long total = 0;
            try {
                int n;
                while ((n = body.read(buffer, 0, buffer.length)) >= 0) total += n;
                assertTrue(total <= 10_000, "the body limit held");
                assertTrue(body.atEnd());
            } catch (HttpException e) {
                assertClientOrServerError(e);
            } catch (IOException e) {
                // the bytes ended before the body did: a truncated body, as from a client that went away
            }
        }
    }

    /** @return the head's end, -1 when more bytes are needed, or -(status) for an error */
    private static int scanOrStatus(byte[] input, int firstPiece) {
        HeadScanner scanner = new HeadScanner(MAX_LINE, MAX_FIELD_BYTES, MAX_FIELDS);
        try {
            int end = scanner.scan(input, 0, firstPiece);
            if (end >= 0 || firstPiece == input.length) return end;
            return scanner.scan(input, 0, input.length);
        } catch (HttpException e) {
            assertClientOrServerError(e);
            return -e.status();
        }
    }

    private static void assertClientOrServerError(HttpException e) {
        assertTrue(e.status() >= 400 && e.status() <= 599, "status " + e.status());
        assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "an error says what was wrong");
    }
}
