package io.sockeye.http1;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import io.sockeye.Headers;
import io.sockeye.HttpException;
import io.sockeye.Status;

/**
 * A chunked body (RFC 9112 §7.1), decoded by a byte-level state machine:
 *
 * <pre>
 * chunk-size [ chunk-ext ] CRLF  chunk-data CRLF  ...  "0" [ chunk-ext ] CRLF  *( field-line CRLF )  CRLF
 * </pre>
 *
 * Strict where leniency has led to request smuggling: the size is hex digits only (no sign, no
 * {@code 0x}, no whitespace unless an extension follows), at most 15 significant digits (so the size
 * fits in a long); every CRLF is a
 * real CRLF; a chunk's data is followed by CRLF and nothing else. Extensions are checked for control
 * characters and bounded, then ignored (§7.1.1); trailer fields are parsed like header fields, bounded by
 * the header limits, and kept in {@link #trailers()}. The sum of the chunk sizes is bounded by the body
 * limit (413), checked before the data is read.
 */
final class ChunkedBodyStream extends BodyStream {

    private enum State { SIZE, SIZE_WS, EXTENSION, SIZE_LF, DATA, DATA_CR, DATA_LF, TRAILER, TRAILER_LF, DONE }

    private static final int MAX_SIZE_LINE = 4096;
    private static final int MAX_SIGNIFICANT_DIGITS = 15;

    private final long maxBody;
    private final int maxTrailerBytes;
    private final int maxTrailerCount;
    private final Headers trailers = new Headers();
    private State state = State.SIZE;
    private long chunkRemaining;
    private long total;
    private int digits;
    private int significantDigits;
    private int sizeLineLength;
    private byte[] line = new byte[64];
    private int lineLength;
    private int trailerBytes;
    /** Checking bytes ahead without consuming them (see {@link #framingErrorInBuffer()}); trailers are then counted, not kept. */
    private boolean peeking;
    private int peekedTrailers;

    ChunkedBodyStream(SocketInput in, Deadlines connection, long maxBody, int maxTrailerBytes, int maxTrailerCount) {
        super(in, connection);
        this.maxBody = maxBody;
        this.maxTrailerBytes = maxTrailerBytes;
        this.maxTrailerCount = maxTrailerCount;
    }

    /** @return the trailer fields, once the body has been read to its end */
    Headers trailers() {
        return trailers;
    }

    @Override
    boolean atEnd() {
        return state == State.DONE;
    }

    /** Only chunk data counts: framing bytes in the buffer are not readable body. */
    @Override
    public int available() {
        return state == State.DATA && !broken() ? (int) Math.min(in.available(), chunkRemaining) : 0;
    }

    /**
     * Checks the framing of what has already arrived of the body, without consuming it (nor breaking the
     * body: see {@link #checkReceivedFraming()}): a response is about
     * to be committed, and a malformed body that is already here should get its 400 (as nginx answers)
     * rather than the handler's answer followed by a closed connection. Bytes not yet received are not
     * waited for.
     *
     * @return the framing error in the received bytes, or {@code null} if there is none (so far)
     */
    @Override
    HttpException checkReceivedFraming() {
        HttpException e = framingErrorInBuffer();
        if (e != null) fail(e);
        return e;
    }

    HttpException framingErrorInBuffer() {
        if (atEnd() || broken() || in.available() == 0) return null;
        State savedState = state;
        long savedRemaining = chunkRemaining;
        long savedTotal = total;
        int savedDigits = digits;
        int savedSignificant = significantDigits;
        int savedSizeLine = sizeLineLength;
        byte[] savedLine = lineLength > 0 ? line.clone() : line;
        int savedLineLength = lineLength;
        int savedTrailerBytes = trailerBytes;
        peeking = true;
        peekedTrailers = trailers.size();
        try {
            byte[] buf = in.buf;
            int p = in.pos;
            int end = in.limit;
            while (p < end && state != State.DONE) {
                if (state == State.DATA) {
                    int n = (int) Math.min(chunkRemaining, end - p);
                    p += n;
                    chunkRemaining -= n;
                    if (chunkRemaining == 0) state = State.DATA_CR;
                    continue;
                }
                step(buf[p++] & 0xff);
            }
            return null;
        } catch (HttpException e) {
            return e;
        } finally {
            peeking = false;
            state = savedState;
            chunkRemaining = savedRemaining;
            total = savedTotal;
            digits = savedDigits;
            significantDigits = savedSignificant;
            sizeLineLength = savedSizeLine;
            line = savedLine;
            lineLength = savedLineLength;
            trailerBytes = savedTrailerBytes;
        }
    }

    @Override
    protected int readBody(byte[] b, int off, int len) throws IOException {
        while (true) {
            if (state == State.DATA) {
                int n = in.read(b, off, (int) Math.min(len, chunkRemaining));
                if (n < 0) throw truncated();
                chunkRemaining -= n;
                if (chunkRemaining == 0) state = State.DATA_CR;
                return n;
            }
            if (state == State.DONE) return -1;
            int c = in.read();
            if (c < 0) throw truncated();
            step(c);
        }
    }

    private void step(int c) {
        switch (state) {
            case SIZE -> size(c);
            case SIZE_WS -> {
                countSizeLine();
                if (c == ';') state = State.EXTENSION;
                else if (c != ' ' && c != '\t') throw bad("whitespace in chunk size");
            }
            case EXTENSION -> {
                countSizeLine();
                if (c == '\r') state = State.SIZE_LF;
                else if ((c < 0x20 && c != '\t') || c == 0x7f) throw bad("control character in chunk extension");
            }
            case SIZE_LF -> {
                if (c != '\n') throw bad("chunk size line not ended by CRLF");
                endOfSizeLine();
            }
            case DATA_CR -> {
                if (c != '\r') throw bad("chunk data not followed by CRLF");
                state = State.DATA_LF;
            }
            case DATA_LF -> {
                if (c != '\n') throw bad("chunk data not followed by CRLF");
                startSizeLine();
            }
            case TRAILER -> trailer(c);
            case TRAILER_LF -> {
                if (c != '\n') throw bad("bare CR in trailer section");
                endOfTrailerLine();
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    private void startSizeLine() {
        state = State.SIZE;
        digits = 0;
        significantDigits = 0;
        sizeLineLength = 0;
        chunkRemaining = 0;
    }

    private void size(int c) {
        countSizeLine();
        int v = hex(c);
        if (v >= 0) {
            digits++;
            if (significantDigits > 0 || v != 0) significantDigits++;
            if (significantDigits > MAX_SIGNIFICANT_DIGITS) {
                throw new HttpException(Status.CONTENT_TOO_LARGE, "chunk size too large");
            }
            chunkRemaining = chunkRemaining << 4 | v;
            return;
        }
        if (digits == 0) throw bad("missing chunk size");
        if (c == '\r') state = State.SIZE_LF;
        else if (c == ';') state = State.EXTENSION;
        else if (c == ' ' || c == '\t') state = State.SIZE_WS;
        else throw bad("malformed chunk size");
    }

    private void countSizeLine() {
        if (++sizeLineLength > MAX_SIZE_LINE) throw bad("chunk size line too long");
    }

    private void endOfSizeLine() {
        if (chunkRemaining == 0) {
            state = State.TRAILER;
            lineLength = 0;
            return;
        }
        if (chunkRemaining > maxBody - total) throw tooLarge(maxBody);
        total += chunkRemaining;
        state = State.DATA;
    }

    private void trailer(int c) {
        if (c == '\r') {
            state = State.TRAILER_LF;
            return;
        }
        if (c == '\n') throw bad("bare LF in trailer section");
        if (++trailerBytes > maxTrailerBytes) {
            throw new HttpException(Status.REQUEST_HEADER_FIELDS_TOO_LARGE, "trailer section too large");
        }
        if (lineLength == line.length) line = java.util.Arrays.copyOf(line, line.length * 2);
        line[lineLength++] = (byte) c;
    }

    private void endOfTrailerLine() {
        if (lineLength == 0) {
            state = State.DONE;
            if (!peeking) trailers.makeReadOnly();
            return;
        }
        if ((peeking ? peekedTrailers++ : trailers.size()) >= maxTrailerCount) {
            throw new HttpException(Status.REQUEST_HEADER_FIELDS_TOO_LARGE, "too many trailer fields");
        }
        addTrailer(line, lineLength);
        lineLength = 0;
        state = State.TRAILER;
    }

    private void addTrailer(byte[] b, int len) {
        if (b[0] == ' ' || b[0] == '\t') throw bad("obs-fold in trailer section");
        int colon = 0;
        while (colon < len && b[colon] != ':') colon++;
        if (colon == 0 || colon == len) throw bad("malformed trailer field");
        String name = new String(b, 0, colon, StandardCharsets.ISO_8859_1);
        String value = new String(b, colon + 1, len - colon - 1, StandardCharsets.ISO_8859_1);
        try {
            (peeking ? new Headers() : trailers).add(name, value); // a peek checks the field, keeps nothing
        } catch (IllegalArgumentException e) {
            throw bad("malformed trailer field");
        }
    }

    private static int hex(int c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    private static HttpException bad(String message) {
        return new HttpException(Status.BAD_REQUEST, message);
    }
}
