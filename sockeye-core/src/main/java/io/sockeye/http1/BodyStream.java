package io.sockeye.http1;

import java.io.IOException;
import java.io.InputStream;

import io.sockeye.HttpException;
import io.sockeye.ServerConfig;
import io.sockeye.Status;

/**
 * A request body as the handler reads it, bounded by its framing: never a byte of the next request.
 *
 * <p>Knows what the connection loop needs afterwards: whether the body was read to its end, whether it
 * broke (a framing error, the client gone, a timeout), and how to read and discard what the handler left.
 * On the first read it sends {@code 100 Continue} if the client asked for it (RFC 9110 §10.1.1).
 */
abstract class BodyStream extends InputStream {

    protected final SocketInput in;
    private final Deadlines connection;
    private Runnable beforeFirstRead;
    private boolean started;
    private IOException failure;
    private HttpException protocolError;

    BodyStream(SocketInput in, Deadlines connection) {
        this.in = in;
        this.connection = connection;
    }

    /** @return the body the head announces, read from {@code in} under the configuration's limits */
    static BodyStream of(RequestHead head, SocketInput in, Deadlines deadlines, ServerConfig config) {
        return head.contentLength() >= 0
                ? new FixedLengthBodyStream(in, deadlines, head.contentLength())
                : new ChunkedBodyStream(in, deadlines, config.maxBodyBytes(), config.maxHeaderBytes(), config.maxHeaderCount());
    }

    /** @param action run once, before the first byte is read (sends 100 Continue) */
    void beforeFirstRead(Runnable action) {
        this.beforeFirstRead = action;
    }

    /** Reads body bytes; called only until {@link #atEnd()}. */
    protected abstract int readBody(byte[] b, int off, int len) throws IOException;

    /** @return whether the whole body has been read */
    abstract boolean atEnd();

    /** @return how many body bytes remain unread, or -1 when the framing does not say (chunked) */
    long unreadLength() {
        return -1;
    }

    /** @return whether the handler read anything (the first-read action, 100 Continue, has then run) */
    boolean started() {
        return started;
    }

    /** @return whether the body can no longer be read to its end: the connection must close */
    boolean broken() {
        return failure != null || protocolError != null;
    }

    /** @return the protocol error the body had (400, 413), or {@code null} */
    HttpException protocolError() {
        return protocolError;
    }

    /**
     * Checks the part of the body already received for framing errors, without consuming it; one found
     * breaks the body (as if a read had found it), so that the connection closes after the answer.
     *
     * @return the error, or {@code null}
     */
    HttpException checkReceivedFraming() {
        return null;
    }

    /** Breaks the body with a protocol error found ahead of the reads. */
    void fail(HttpException e) {
        if (protocolError == null && failure == null) protocolError = e;
    }

    /** @return whether the body broke because the client was too slow */
    boolean timedOut() {
        return failure != null && connection.timedOut();
    }

    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public final int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (protocolError != null) throw protocolError;
        if (failure != null) throw failure;
        if (atEnd()) return -1;
        if (len == 0) return 0;
        if (!started) {
            started = true;
            if (beforeFirstRead != null) beforeFirstRead.run();
        }
        try {
            return readBody(b, off, len);
        } catch (HttpException e) {
            protocolError = e;
            throw e;
        } catch (IOException e) {
            failure = e;
            throw e;
        }
    }

    @Override
    public int available() {
        return atEnd() || broken() ? 0 : Math.max(0, in.available());
    }

    /** Closing does nothing: what is left is drained or the connection closed by the server. */
    @Override
    public void close() {
    }

    /** @return an exception for a body that ended early: the client went away or was too slow */
    protected IOException truncated() {
        if (connection.timedOut()) {
            return new IOException("timed out waiting for the request body");
        }
        return new IOException("connection closed before the request body was complete");
    }

    /**
     * Reads and discards the rest of the body, up to {@code max} bytes of content (chunk framing does
     * not count).
     *
     * @return whether the body is now read to its end (so the connection can carry another request)
     */
    boolean drain(long max) {
        if (atEnd()) return true;
        if (broken()) return false;
        byte[] scratch = new byte[8192];
        long left = max;
        started = true; // a drain must not trigger 100 Continue
        try {
            while (!atEnd()) {
                if (left == 0) {
                    // the allowance is spent: a read of nothing still consumes framing (a last chunk) if
                    // that is all that is left, and stops at data
                    return readBody(scratch, 0, 0) < 0 && atEnd();
                }
                int n = readBody(scratch, 0, (int) Math.min(scratch.length, left));
                if (n < 0) return atEnd();
                left -= n;
            }
            return true;
        } catch (HttpException e) {
            protocolError = e;
            return false;
        } catch (IOException e) {
            failure = e;
            return false;
        }
    }

    static HttpException tooLarge(long max) {
        return new HttpException(Status.CONTENT_TOO_LARGE, "request body exceeds the limit of " + max + " bytes");
    }
}
