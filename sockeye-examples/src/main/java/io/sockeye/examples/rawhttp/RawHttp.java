package io.sockeye.examples.rawhttp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Just enough HTTP/1.1, written by hand over a socket's streams, to serve the tutorial's page correctly —
 * and a list of what the tutorial's first version got wrong, each fixed here:
 *
 * <ol>
 *   <li>It read once, {@code recv(1024)}, and took that as the request. TCP delivers a stream, not
 *       messages: one read may return part of a request, or more than one. Here the head is read up to
 *       the empty line that ends it, and a body exactly as long as {@code Content-Length} says.</li>
 *   <li>It answered {@code HTTP/1.x}, which is not a version. Here: {@code HTTP/1.1 200 OK}.</li>
 *   <li>Its lines ended in {@code \n} (with trailing spaces). HTTP's end in {@code \r\n}.</li>
 *   <li>It sent no {@code Content-Length}, so the client could only learn where the body ends when the
 *       connection closed. Here every response says how long it is, and says {@code Connection: close}.</li>
 *   <li>It split the request line on spaces without checking it; a request with fewer than two spaces
 *       crashed the loop. Here a malformed request gets {@code 400}, and the server goes on.</li>
 * </ol>
 *
 * The limits (8 KiB of head, 1 MiB of body) keep one client from exhausting the server's memory.
 */
public final class RawHttp {

    static final int MAX_HEAD = 8 * 1024;
    static final int MAX_BODY = 1 << 20;

    /** A request as read off the socket. */
    public record Request(String method, String target, Map<String, String> headers, byte[] body) {
    }

    /** A request that cannot be understood: answered with 400. */
    public static final class BadRequest extends IOException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }

    private RawHttp() {
    }

    /** Reads one request: the head up to its empty line, then {@code Content-Length} bytes of body. */
    public static Request read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0; // how much of "\r\n\r\n" the last bytes were
        while (matched < 4) {
            int b = in.read();
            if (b < 0) throw new BadRequest("connection closed before the request head ended");
            head.write(b);
            if (head.size() > MAX_HEAD) throw new BadRequest("request head too large");
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] requestLine = lines[0].split(" ");
        if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.")) throw new BadRequest("malformed request line");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) throw new BadRequest("malformed header line");
            headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        int length = 0;
        if (headers.containsKey("content-length")) {
            try {
                length = Integer.parseInt(headers.get("content-length"));
            } catch (NumberFormatException e) {
                throw new BadRequest("malformed Content-Length");
            }
            if (length < 0 || length > MAX_BODY) throw new BadRequest("body too large");
        }
        byte[] body = in.readNBytes(length);
        if (body.length < length) throw new BadRequest("connection closed before the body ended");
        return new Request(requestLine[0], requestLine[1], headers, body);
    }

    /** Writes a whole response: status line, headers with CRLF, Content-Length, then the body. */
    public static void write(OutputStream out, int status, String reason, String contentType, byte[] body) throws IOException {
        String head = "HTTP/1.1 " + status + " " + reason + "\r\n"
                + "Content-Type: " + contentType + "\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n"
                + "\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }
}
