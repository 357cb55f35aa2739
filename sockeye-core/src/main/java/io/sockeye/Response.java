package io.sockeye;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Where a handler's answer goes: a status, header fields, then a body sent in one call or streamed.
 *
 * <p>The response is <em>committed</em> when its head goes on the wire: at the first {@code send}, or
 * when a streamed body outgrows its buffer or is flushed. Until then the status and fields may change;
 * afterwards they may not. The server picks the framing from what the handler does: a body sent in one
 * call, or a streamed body that ends while still buffered, gets a {@code Content-Length}; a longer
 * streamed body is chunked (HTTP/1.1) or ends with the connection (HTTP/1.0). For {@code HEAD} and for
 * 1xx, 204 and 304 statuses, no body is sent whatever the handler writes.
 *
 * <pre>{@code
 * response.status(Status.CREATED)
 *         .header("Location", "/items/42")
 *         .send("application/json", "{\"id\":42}");
 * }</pre>
 *
 * <p>Valid only while the handler runs; see {@link Handler}.
 */
public interface Response {

    /**
     * @param status a final status, 200 to 999
     * @return this
     * @throws IllegalStateException if the response is committed
     */
    Response status(int status);

    /** @return the status, 200 unless set */
    int status();

    /** @return the header fields to send, mutable until the response is committed */
    Headers headers();

    /**
     * Sets a header field, replacing any of the same name.
     *
     * @param name  a token
     * @param value the value
     * @return this
     * @throws IllegalArgumentException if the name or value is malformed (CR or LF in it, say)
     * @throws IllegalStateException    if the response is committed
     */
    default Response header(String name, String value) {
        if (isCommitted()) throw new IllegalStateException("response already committed");
        headers().set(name, value);
        return this;
    }

    /**
     * Sends the whole body in one go, with a {@code Content-Length}, and commits.
     *
     * @param body the content
     * @throws IOException           if the client is gone
     * @throws IllegalStateException if the response is committed
     */
    default void send(byte[] body) throws IOException {
        send(body, 0, body.length);
    }

    /**
     * Sends part of an array as the whole body; see {@link #send(byte[])}.
     *
     * @param body   the array
     * @param offset where the content starts
     * @param length how many bytes
     * @throws IOException           if the client is gone
     * @throws IllegalStateException if the response is committed
     */
    void send(byte[] body, int offset, int length) throws IOException;

    /**
     * Sends a buffer's remaining bytes as the whole body, with a {@code Content-Length}, and commits. The
     * buffer itself is not changed (its position stays), so one read-only buffer, direct or not, can be
     * sent by many responses at once; a direct buffer is written to the socket without a copy.
     *
     * @param body the content
     * @throws IOException           if the client is gone
     * @throws IllegalStateException if the response is committed
     */
    void send(ByteBuffer body) throws IOException;

    /**
     * Sends text as the whole body, encoded as UTF-8; the content type is
     * {@code text/plain; charset=utf-8} unless a {@code Content-Type} field was set.
     *
     * @param text the content
     * @throws IOException           if the client is gone
     * @throws IllegalStateException if the response is committed
     */
    void send(String text) throws IOException;

    /**
     * Sends text as the whole body, encoded as UTF-8, with this content type; a text type without a
     * charset gets {@code charset=utf-8}.
     *
     * @param contentType a media type, as {@code text/html} or {@code application/json}
     * @param text        the content
     * @throws IOException           if the client is gone
     * @throws IllegalStateException if the response is committed
     */
    void send(String contentType, String text) throws IOException;

    /**
     * Sends a region of a file as the whole body, with a {@code Content-Length}, by zero-copy
     * ({@code sendfile}) where the connection allows. If the file shrinks while it is sent, the
     * connection is closed rather than left waiting for bytes that will not come. The caller keeps
     * ownership of the channel and closes it.
     *
     * @param file     an open file
     * @param position where the content starts
     * @param count    how many bytes
     * @throws IOException           if the client is gone or the file cannot be read
     * @throws IllegalStateException if the response is committed
     */
    void sendFile(FileChannel file, long position, long count) throws IOException;

    /**
     * Sends an error or status page: the status, and a short HTML body that shows it and the message
     * (escaped), unless the status forbids a body. Replaces any body-related fields set so far, except a
     * 416's {@code Content-Range} ({@code bytes *}{@code /length}, RFC 9110 §15.5.17).
     *
     * @param status  the status
     * @param message a short, public explanation, or {@code null}
     * @throws IOException           if the client is gone
     * @throws IllegalStateException if the response is committed
     */
    void sendError(int status, String message) throws IOException;

    /**
     * Redirects: the status (301, 302, 303, 307 or 308), a {@code Location} field, and a short HTML body
     * with the link.
     *
     * @param status   a 3xx status
     * @param location the URI to go to, absolute or relative to the request's
     * @throws IOException           if the client is gone
     * @throws IllegalStateException if the response is committed
     */
    void redirect(int status, String location) throws IOException;

    /**
     * The body as a stream, for content produced piece by piece. Writes are buffered; the response
     * commits when the buffer fills or on {@link OutputStream#flush()}. If a {@code Content-Length} field
     * was set, exactly that many bytes must be written. Closing the stream finishes the body; the server
     * does so anyway when the handler returns.
     *
     * @return the body stream; the same one on every call
     */
    OutputStream body();

    /** @return whether the head has been sent, so the status and fields can no longer change */
    boolean isCommitted();
}
