package io.sockeye.http1;

import io.sockeye.HttpException;
import io.sockeye.Status;

/**
 * Finds where a request head ends (the empty line, RFC 9112 §2.1) as its bytes trickle in, without
 * looking at any byte twice, and enforces the size limits while it does, so an oversized head is refused
 * as soon as it is known to be too big rather than once it has all arrived.
 *
 * <p>Lines must end in CRLF: a bare LF is refused here (400), because servers and proxies that disagree
 * on line endings are the stuff request smuggling is made of (RFC 9112 §2.2 allows but does not require
 * accepting it). Empty lines before the request-line are skipped, as §2.2 asks, up to a few.
 *
 * <p>Offsets are relative to the {@code base} the caller passes, so the caller may move the bytes (compact
 * its buffer) between calls as long as it passes the new base. One instance per connection; {@link
 * #reset()} between requests.
 */
final class HeadScanner {

    private static final int MAX_LEADING_EMPTY_LINES = 4;

    private final int maxRequestLine;
    private final int maxFieldBytes;
    private final int maxFieldCount;

    private int scanned;
    private int lineStart;
    private int headStart;
    private int leadingEmptyLines;
    private boolean inFields;
    private int fieldBytes;
    private int fieldCount;

    HeadScanner(int maxRequestLine, int maxFieldBytes, int maxFieldCount) {
        this.maxRequestLine = maxRequestLine;
        this.maxFieldBytes = maxFieldBytes;
        this.maxFieldCount = maxFieldCount;
    }

    void reset() {
        scanned = 0;
        lineStart = 0;
        headStart = 0;
        leadingEmptyLines = 0;
        inFields = false;
        fieldBytes = 0;
        fieldCount = 0;
    }

    /** @return where the request-line starts, relative to the base, once {@link #scan} found the end */
    int headStart() {
        return headStart;
    }

    /** @return whether any byte of a request-line has been seen (empty lines before it do not count) */
    boolean started() {
        return scanned > headStart;
    }

    /**
     * Scans newly arrived bytes.
     *
     * @param b     the buffer
     * @param base  where the head begins in {@code b}
     * @param limit where the received bytes end in {@code b}
     * @return the head's end (just past its final CRLF) relative to {@code base}, or -1 if not yet complete
     * @throws HttpException 400 for a bare LF, 414 for a long request-line, 431 for too many or too large fields
     */
    int scan(byte[] b, int base, int limit) {
        int i = base + scanned;
        int line = base + lineStart;
        while (i < limit) {
            if (b[i] != '\n') {
                i++;
                continue;
            }
            // the limits first, as when the line arrives in pieces (see the end): which error a line gets
            // must not depend on how the client's bytes were split
            int raw = i - line;
            if (!inFields && raw > maxRequestLine + 1) throw requestLineTooLong();
            if (inFields && fieldBytes + raw > maxFieldBytes + 1) throw fieldsTooLarge();
            if (i == line || b[i - 1] != '\r') {
                throw new HttpException(Status.BAD_REQUEST, "line ends in a bare LF");
            }
            int length = i - 1 - line;
            i++;
            if (!inFields) {
                if (length == 0) {
                    if (++leadingEmptyLines > MAX_LEADING_EMPTY_LINES) {
                        throw new HttpException(Status.BAD_REQUEST, "empty lines instead of a request-line");
                    }
                    headStart = i - base;
                } else {
                    if (length > maxRequestLine) throw requestLineTooLong();
                    inFields = true;
                }
            } else {
                if (length == 0) {
                    scanned = i - base;
                    lineStart = scanned;
                    return scanned;
                }
                fieldBytes += length + 2;
                if (fieldBytes > maxFieldBytes) throw fieldsTooLarge();
                if (++fieldCount > maxFieldCount) {
                    throw new HttpException(Status.REQUEST_HEADER_FIELDS_TOO_LARGE, "more than " + maxFieldCount + " header fields");
                }
            }
            line = i;
        }
        scanned = i - base;
        lineStart = line - base;
        int pending = limit - line;
        if (!inFields && pending > maxRequestLine + 1) throw requestLineTooLong();
        if (inFields && fieldBytes + pending > maxFieldBytes + 1) throw fieldsTooLarge();
        return -1;
    }

    private HttpException requestLineTooLong() {
        return new HttpException(Status.URI_TOO_LONG, "request-line longer than " + maxRequestLine + " bytes");
    }

    private HttpException fieldsTooLarge() {
        return new HttpException(Status.REQUEST_HEADER_FIELDS_TOO_LARGE, "header fields longer than " + maxFieldBytes + " bytes");
    }
}
