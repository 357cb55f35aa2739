package io.sockeye.http1;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.sockeye.Headers;
import io.sockeye.Status;

/**
 * A response as a client receives it, read back from the bytes an {@link Http1Response} wrote (for the
 * testing kit; see {@link MemoryExchange}): the final status and fields, and the body taken out of its
 * framing as a client would (RFC 9112 §6.3).
 *
 * @param status   the final status (interim {@code 100 Continue} responses are skipped)
 * @param headers  the header fields as sent, read-only, in order
 * @param body     the body's content, without its framing; empty for HEAD, 1xx, 204 and 304
 * @param complete whether the body arrived whole: {@code false} if it ended before its
 *                 {@code Content-Length} or its last chunk
 */
public record SentResponse(int status, Headers headers, byte[] body, boolean complete) {

    /**
     * @param wire        what the server wrote
     * @param headRequest whether the request was HEAD, whose response has no body whatever it says
     * @return the response
     * @throws IllegalStateException if the bytes hold no whole response head
     */
    static SentResponse read(byte[] wire, boolean headRequest) {
        int pos = 0;
        while (true) {
            int lineEnd = crlf(wire, pos);
            String statusLine = new String(wire, pos, lineEnd - pos, StandardCharsets.ISO_8859_1);
            int status = Integer.parseInt(statusLine.substring("HTTP/1.1 ".length(), "HTTP/1.1 000".length()));
            Headers headers = new Headers();
            pos = lineEnd + 2;
            for (int end = crlf(wire, pos); end > pos; end = crlf(wire, pos)) {
                String line = new String(wire, pos, end - pos, StandardCharsets.ISO_8859_1);
                int colon = line.indexOf(':');
                headers.add(line.substring(0, colon), line.substring(colon + 1));
                pos = end + 2;
            }
            pos += 2;
            if (status < 200) continue; // 100 Continue came first; the final response follows
            headers.makeReadOnly();
            return withBody(status, headers, wire, pos, headRequest);
        }
    }

    private static SentResponse withBody(int status, Headers headers, byte[] wire, int from, boolean headRequest) {
        if (headRequest || Status.forbidsContent(status)) return new SentResponse(status, headers, new byte[0], true);
        if (headers.containsToken("Transfer-Encoding", "chunked")) return chunked(status, headers, wire, from);
        String length = headers.get("Content-Length");
        if (length == null) {
            // ends with the connection (HTTP/1.0): whatever came is the body
            return new SentResponse(status, headers, Arrays.copyOfRange(wire, from, wire.length), true);
        }
        long declared = Long.parseLong(length);
        int available = wire.length - from;
        int n = (int) Math.min(declared, available);
        return new SentResponse(status, headers, Arrays.copyOfRange(wire, from, from + n), available >= declared);
    }

    /** Decodes the chunks with the server's own chunked decoder: the grammar is the same both ways (RFC 9112 §7.1). */
    private static SentResponse chunked(int status, Headers headers, byte[] wire, int from) {
        SocketInput in = new SocketInput(Channels.newChannel(new ByteArrayInputStream(wire, from, wire.length - from)),
                Deadlines.NONE, Http1Connection.INPUT_BUFFER, Http1Connection.INPUT_BUFFER, 0);
        ChunkedBodyStream chunks = new ChunkedBodyStream(in, Deadlines.NONE, Long.MAX_VALUE, Http1Connection.INPUT_BUFFER, 100);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        boolean complete;
        try {
            for (int n = chunks.read(buffer); n >= 0; n = chunks.read(buffer)) body.write(buffer, 0, n);
            complete = true;
        } catch (IOException e) {
            complete = false; // no last chunk: the response was cut short
        }
        return new SentResponse(status, headers, body.toByteArray(), complete);
    }

    private static int crlf(byte[] wire, int from) {
        for (int i = from; i + 1 < wire.length; i++) {
            if (wire[i] == '\r' && wire[i + 1] == '\n') return i;
        }
        throw new IllegalStateException(from == 0 ? "no response was sent" : "the response head was cut short");
    }
}
