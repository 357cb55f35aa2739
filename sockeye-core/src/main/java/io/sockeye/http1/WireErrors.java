package io.sockeye.http1;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import io.sockeye.Status;

/**
 * The reply to a request the server refuses before any handler sees it (a malformed or oversized head, a
 * slow client): the status, a short page, and {@code Connection: close}, since nothing after such a
 * request on the connection can be trusted (RFC 9112 §9.6).
 */
final class WireErrors {

    private WireErrors() {
    }

    /**
     * @param head whether the request was a HEAD (so no page follows the head)
     * @return the body bytes sent
     */
    static int write(SocketOutput out, int status, String message, byte[] serverLine, boolean head) throws IOException {
        byte[] page = ErrorPage.render(status, message);
        out.writeLatin1("HTTP/1.1 " + status + " " + Status.reason(status) + "\r\n");
        byte[] date = DateField.line();
        out.write(date, 0, date.length);
        if (serverLine != null) out.write(serverLine, 0, serverLine.length);
        out.writeLatin1("Content-Type: " + ErrorPage.CONTENT_TYPE + "\r\nContent-Length: " + page.length
                + "\r\nConnection: close\r\n\r\n");
        if (!head) out.write(page, 0, page.length);
        out.flush();
        return head ? 0 : page.length;
    }

    static byte[] serverLine(String serverHeader) {
        return serverHeader == null ? null : ("Server: " + serverHeader + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }
}
