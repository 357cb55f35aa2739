package io.sockeye.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import io.sockeye.Headers;

/**
 * How a client puts a made-up request on the wire, so the server's own code can read it: the fields a
 * client adds ({@code Host}, the body's framing), the head as bytes, the body framed as the head says.
 */
final class WireRequest {

    static final String DEFAULT_HOST = "localhost";

    private WireRequest() {
    }

    /**
     * @param content the body given whole, or {@code null}
     * @param stream  the body given as a stream, or {@code null}
     * @return the given fields, after a {@code Host} if HTTP/1.1 needs one, then the body's framing if the
     *         given fields do not state it: its length, or chunked for a stream
     * @throws IllegalArgumentException for a stream in an HTTP/1.0 request without a {@code Content-Length}
     */
    static Headers fields(String version, Headers given, byte[] content, InputStream stream) {
        boolean http10 = version.equals("HTTP/1.0");
        Headers fields = new Headers();
        // HTTP/1.1 requires Host (RFC 9112 §3.2); clients send it first
        if (!http10 && !given.contains("Host")) fields.add("Host", DEFAULT_HOST);
        given.forEach(fields::add);
        if (given.contains("Content-Length") || given.contains("Transfer-Encoding")) return fields;
        if (content != null) {
            fields.add("Content-Length", Integer.toString(content.length));
        } else if (stream != null) {
            if (http10) {
                throw new IllegalArgumentException("an HTTP/1.0 body of unknown length needs a Content-Length field"
                        + " (HTTP/1.0 has no chunked framing)");
            }
            fields.add("Transfer-Encoding", "chunked");
        }
        return fields;
    }

    /** @return the request-line and field lines, then the empty line; the target's non-ASCII characters as UTF-8 */
    static byte[] head(String method, String target, String version, Headers fields) {
        ByteArrayOutputStream head = new ByteArrayOutputStream(256);
        head.writeBytes(method.getBytes(StandardCharsets.UTF_8));
        head.write(' ');
        head.writeBytes(target.getBytes(StandardCharsets.UTF_8));
        head.write(' ');
        head.writeBytes(version.getBytes(StandardCharsets.UTF_8));
        crlf(head);
        // Headers keeps names to tokens and values to ISO-8859-1 without CR or LF: one field, one line
        fields.forEach((name, value) -> {
            head.writeBytes(name.getBytes(StandardCharsets.ISO_8859_1));
            head.write(':');
            head.write(' ');
            head.writeBytes(value.getBytes(StandardCharsets.ISO_8859_1));
            crlf(head);
        });
        crlf(head);
        return head.toByteArray();
    }

    /** @return what follows the head: the body, chunked if the fields say so */
    static InputStream body(Headers fields, byte[] content, InputStream stream) {
        InputStream source = content != null ? new ByteArrayInputStream(content)
                : stream != null ? stream : InputStream.nullInputStream();
        return fields.contains("Transfer-Encoding") ? new ChunkedEncoding(source) : source;
    }

    private static void crlf(ByteArrayOutputStream out) {
        out.write('\r');
        out.write('\n');
    }
}
