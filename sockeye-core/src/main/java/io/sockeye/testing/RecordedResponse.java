package io.sockeye.testing;

import java.nio.charset.StandardCharsets;

import io.sockeye.Headers;

/**
 * A response as a client would have received it from a server: what a {@link ResponseRecorder} recorded.
 * Immutable.
 *
 * <pre>{@code
 * RecordedResponse r = ResponseRecorder.record(handler, TestRequest.get("/items/7"));
 * assertEquals(200, r.status());
 * assertEquals("application/json", r.header("Content-Type"));
 * assertEquals("{\"id\":7}", r.bodyText());
 * }</pre>
 */
public final class RecordedResponse {

    private final int status;
    private final Headers headers;
    private final byte[] body;
    private final boolean complete;

    RecordedResponse(int status, Headers headers, byte[] body, boolean complete) {
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.complete = complete;
    }

    /** @return the status: the handler's, the one an {@link io.sockeye.HttpException} carried, or 200 */
    public int status() {
        return status;
    }

    /**
     * The header fields as the server sends them, read-only: the handler's fields as they were when the
     * response committed (later changes are not sent, and so not here), with the fields the server owns
     * replaced by its own: {@code Content-Length} or {@code Transfer-Encoding: chunked} for the body's
     * framing, {@code Connection: close} when it would close the connection, {@code Date}, and
     * {@code Server} unless the configuration has none.
     *
     * @return the fields, in the order sent
     */
    public Headers headers() {
        return headers;
    }

    /**
     * @param name a field name, in any case
     * @return the first value of that field, or {@code null}
     */
    public String header(String name) {
        return headers.get(name);
    }

    /**
     * The body as a client receives it, its framing (chunks) taken away. Empty for a {@code HEAD} request
     * and for 1xx, 204 and 304 responses, whatever the handler wrote: the server sends no body with them.
     *
     * @return a copy of the body's bytes
     */
    public byte[] body() {
        return body.clone();
    }

    /** @return the body decoded as UTF-8 (what {@link io.sockeye.Response#send(String)} encodes with) */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /**
     * @return whether the body arrived whole; {@code false} if the response was cut short, as a server cuts
     *         it when a body falls short of its {@code Content-Length}, or when the handler throws after the
     *         response began
     */
    public boolean complete() {
        return complete;
    }

    /** @return the status, the fields and the start of the body, for assertion messages */
    @Override
    public String toString() {
        String text = bodyText();
        String shown = text.length() > 500 ? text.substring(0, 500) + "... (" + body.length + " bytes)" : text;
        return status + (complete ? "" : " (cut short)") + "\n" + headers + "\n" + shown;
    }
}
