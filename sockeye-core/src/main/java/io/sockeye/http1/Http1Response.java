package io.sockeye.http1;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

import io.sockeye.Headers;
import io.sockeye.HttpException;
import io.sockeye.Response;
import io.sockeye.Status;

/**
 * The HTTP/1.1 response: commits its head once, choosing the framing (RFC 9112 §6.3) and whether the
 * connection persists (§9.3) from what the handler did, and writes the head and body with as few writes
 * as it can.
 */
final class Http1Response implements Response {

    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[][] STATUS_LINES = new byte[1000][];

    private final SocketOutput out;
    private final SocketInput in;
    private final RequestHead request;
    private final BodyStream requestBody;
    /** Whether the server is stopping: the connection then closes after this response. */
    private final BooleanSupplier stopping;
    private final byte[] serverLine;
    private final long maxDrain;
    private final Headers headers = new Headers();
    private int status = Status.OK;
    // Read by another thread only in sendContinue, under continueLock, which commit then also takes
    private boolean committed;
    private boolean keepAlive;
    private boolean incomplete;
    private boolean continueSent;
    // Only when the client expects 100 Continue: makes sending it and committing the final head exclusive
    private final ReentrantLock continueLock;
    private long declaredLength = -1;
    private long bodyBytes;
    private ResponseBodyStream body;

    Http1Response(SocketOutput out, SocketInput in, RequestHead request, BodyStream requestBody, BooleanSupplier stopping,
                  byte[] serverLine, long maxDrain) {
        this.out = out;
        this.in = in;
        this.request = request;
        this.requestBody = requestBody;
        this.stopping = stopping;
        this.serverLine = serverLine;
        this.maxDrain = maxDrain;
        this.continueLock = request.expectContinue() ? new ReentrantLock() : null;
    }

    @Override
    public Response status(int newStatus) {
        checkNotCommitted();
        if (newStatus < 200 || newStatus > 999) throw new IllegalArgumentException("not a final status: " + newStatus);
        status = newStatus;
        return this;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public Headers headers() {
        return headers;
    }

    @Override
    public boolean isCommitted() {
        return committed;
    }

    @Override
    public void send(byte[] content, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, content.length);
        checkUnstarted();
        Framing framing = commit(length);
        if (framing == Framing.LENGTH) {
            out.write(content, offset, length);
            bodyBytes = length;
        }
        flushAtEnd();
    }

    @Override
    public void send(ByteBuffer content) throws IOException {
        checkUnstarted();
        ByteBuffer bytes = content.duplicate();
        Framing framing = commit(bytes.remaining());
        if (framing == Framing.LENGTH) {
            bodyBytes = bytes.remaining();
            out.write(bytes);
        }
        flushAtEnd();
    }

    @Override
    public void send(String text) throws IOException {
        if (!headers.contains("Content-Type")) headers.set("Content-Type", "text/plain; charset=utf-8");
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void send(String contentType, String text) throws IOException {
        checkNotCommitted();
        boolean addCharset = contentType.regionMatches(true, 0, "text/", 0, 5) && !contentType.toLowerCase().contains("charset=");
        headers.set("Content-Type", addCharset ? contentType + "; charset=utf-8" : contentType);
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void sendFile(FileChannel file, long position, long count) throws IOException {
        if (position < 0 || count < 0) throw new IllegalArgumentException("negative position or count");
        checkUnstarted();
        Framing framing = commit(count);
        if (framing != Framing.LENGTH || count == 0) {
            flushAtEnd();
            return;
        }
        if (!out.transferFrom(file, position, count)) {
            incomplete = true;
            throw new IOException("file ended before " + count + " bytes were sent (it shrank while being sent)");
        }
        bodyBytes = count;
    }

    @Override
    public void sendError(int errorStatus, String message) throws IOException {
        checkNotCommitted();
        status(errorStatus);
        if (body != null) body.discardUncommitted();
        for (String name : new String[] {"Content-Type", "Content-Length", "Content-Encoding", "Content-Range",
                "ETag", "Last-Modified", "Transfer-Encoding"}) {
            // a 416 keeps its "Content-Range: bytes */length", which tells the client the length (RFC 9110 §15.5.17)
            if (errorStatus == Status.RANGE_NOT_SATISFIABLE && name.equals("Content-Range")) continue;
            headers.remove(name);
        }
        if (Status.forbidsContent(errorStatus)) {
            send(new byte[0]);
            return;
        }
        headers.set("Content-Type", ErrorPage.CONTENT_TYPE);
        send(ErrorPage.render(errorStatus, message));
    }

    @Override
    public void redirect(int redirectStatus, String location) throws IOException {
        if (redirectStatus < 300 || redirectStatus > 399) throw new IllegalArgumentException("not a redirect: " + redirectStatus);
        checkNotCommitted();
        status(redirectStatus);
        headers.set("Location", location);
        headers.set("Content-Type", ErrorPage.CONTENT_TYPE);
        send(ErrorPage.redirect(redirectStatus, location));
    }

    @Override
    public OutputStream body() {
        if (body == null) body = new ResponseBodyStream(this, out, request.isHead());
        return body;
    }

    /** Sends {@code 100 Continue}, once, if the client asked for it and no final response has begun. */
    void sendContinue() {
        if (continueLock == null) return;
        // The body may be read on another thread than the one responding (a handler copying it elsewhere
        // while it streams its answer): the interim response must then be written whole before the final
        // head, or not at all once that head is begun (RFC 9110 §15.2: 1xx precede the final response)
        continueLock.lock();
        try {
            if (continueSent || committed) return;
            continueSent = true;
            out.write(CONTINUE, 0, CONTINUE.length);
            out.flush();
        } catch (IOException e) {
            // the body read that follows fails the same way and reports it
        } finally {
            continueLock.unlock();
        }
    }

    /** Finishes whatever the handler left: an empty 200, a buffered body, the last chunk. */
    void finish() throws IOException {
        if (body != null) {
            body.close();
        } else if (!committed) {
            send(new byte[0]);
        }
        flushAtEnd();
    }

    /**
     * Sends what is buffered now that the response is complete, unless the client has already sent its
     * next request (pipelining): then this response waits in the buffer for the next ones, and the batch
     * leaves in one write when the connection runs out of requests to answer (the connection flushes
     * before it waits for input, and before it closes). Only with the request body read to its end: a
     * handler still reading a body must not keep its answer from a client that waits for it.
     */
    void flushAtEnd() throws IOException {
        if (requestBody.atEnd() && in.available() > 0) return;
        out.flush();
    }

    /** @return whether the connection may carry another request, as decided at commit */
    boolean keepAlive() {
        return keepAlive && !incomplete;
    }

    /** @return body bytes sent, for the access log */
    long bodyBytes() {
        return bodyBytes;
    }

    void addBodyBytes(long n) {
        bodyBytes += n;
    }

    /** The body fell short of what the head promised: the connection must close for the client to know. */
    void markIncomplete() {
        incomplete = true;
    }

    /** @return the body length the head declared, or -1 */
    long declaredLength() {
        return declaredLength;
    }

    private void checkNotCommitted() {
        if (committed) throw new IllegalStateException("response already committed");
    }

    private void checkUnstarted() {
        checkNotCommitted();
        if (body != null && body.used()) throw new IllegalStateException("the body stream is in use; write through it");
    }

    /**
     * Writes the head into the output buffer (not yet flushed).
     *
     * @param knownLength the body's length if known, else -1 (a {@code Content-Length} the handler set is
     *                    then taken as the length)
     * @return how the body is to be framed
     */
    Framing commit(long knownLength) throws IOException {
        checkNotCommitted();
        // A body that is already known to be malformed gets its 400 instead of the handler's answer (which
        // then gets the 400 from the connection's catch site): what follows it can no longer be parsed
        HttpException malformed = requestBody.checkReceivedFraming();
        if (malformed != null) throw malformed;
        long length = knownLength >= 0 ? knownLength : handlerDeclaredLength();
        if (continueLock == null) {
            committed = true;
        } else {
            // waits for a 100 Continue being written by a body reader on another thread to be out
            continueLock.lock();
            committed = true;
            continueLock.unlock();
        }
        Framing framing;
        boolean lengthField;
        if (Status.forbidsContent(status)) {
            // no body; a 304 may still say how long the representation is (RFC 9110 §8.6), if the handler said
            framing = Framing.NONE;
            length = status == Status.NOT_MODIFIED ? handlerDeclaredLength() : -1;
            lengthField = length >= 0;
        } else if (length >= 0) {
            framing = request.isHead() ? Framing.NONE : Framing.LENGTH;
            lengthField = true;
        } else if (request.isHead()) {
            framing = Framing.NONE;
            lengthField = false;
        } else {
            framing = request.minorVersion() == 1 ? Framing.CHUNKED : Framing.CLOSE;
            lengthField = false;
        }
        declaredLength = framing == Framing.LENGTH ? length : -1;
        keepAlive = decideKeepAlive(framing);
        writeHead(framing, lengthField ? length : -1);
        return framing;
    }

    /** @return the {@code Content-Length} the handler set, or -1 */
    long handlerDeclaredLength() {
        String v = headers.get("Content-Length");
        if (v == null) return -1;
        try {
            long n = Long.parseLong(v);
            if (n >= 0) return n;
        } catch (NumberFormatException e) {
            // not a length; ignored and replaced below
        }
        throw new IllegalStateException("Content-Length set to a non-length: " + v);
    }

    private boolean decideKeepAlive(Framing framing) {
        if (framing == Framing.CLOSE || !request.keepAlive() || stopping.getAsBoolean()) return false;
        if (headers.containsToken("Connection", "close")) return false;
        if (requestBody.atEnd()) return true;
        if (requestBody.broken()) return false;
        // RFC 9110 §10.1.1: the client waits for 100 Continue that will now never come; it may or may not
        // send the body anyway, so the connection's next bytes are unknowable. (Whether it was sent is
        // settled by now, even with the body read on another thread: see sendContinue and commit.)
        if (request.expectContinue() && !continueSent) return false;
        // what the handler left unread is drained after the response, up to maxDrain; when more is known to
        // be left, say now that the connection will close rather than keep it alive and then reset it
        long unread = requestBody.unreadLength();
        return unread < 0 || unread <= maxDrain;
    }

    private void writeHead(Framing framing, long length) throws IOException {
        byte[] statusLine = STATUS_LINES[status];
        if (statusLine == null) {
            statusLine = ("HTTP/1.1 " + status + " " + Status.reason(status) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            STATUS_LINES[status] = statusLine;
        }
        out.write(statusLine, 0, statusLine.length);
        Headers h = headers;
        int n = h.size();
        boolean userDate = false;
        boolean userServer = false;
        for (int i = 0; i < n; i++) {
            String name = h.name(i);
            switch (name.length()) {
                case 4 -> userDate |= name.equalsIgnoreCase("Date");
                case 6 -> userServer |= name.equalsIgnoreCase("Server");
                case 10, 14, 17 -> {
                    // framing and persistence are decided here, not by the handler (RFC 9112 §6, §9)
                    if (name.equalsIgnoreCase("Connection") || name.equalsIgnoreCase("Content-Length")
                            || name.equalsIgnoreCase("Transfer-Encoding")) {
                        continue;
                    }
                }
                default -> {
                }
            }
            out.writeLatin1(name);
            out.write(':');
            out.write(' ');
            out.writeLatin1(h.value(i));
            out.writeCrlf();
        }
        if (!userDate) {
            byte[] date = DateField.line();
            out.write(date, 0, date.length);
        }
        if (!userServer && serverLine != null) out.write(serverLine, 0, serverLine.length);
        if (length >= 0) {
            out.writeLatin1("Content-Length: ");
            out.writeDecimal(length);
            out.writeCrlf();
        } else if (framing == Framing.CHUNKED) {
            out.writeLatin1("Transfer-Encoding: chunked\r\n");
        }
        if (!keepAlive) out.writeLatin1("Connection: close\r\n");
        else if (request.minorVersion() == 0) out.writeLatin1("Connection: keep-alive\r\n");
        out.writeCrlf();
    }
}
