package io.sockeye.http1;

import io.sockeye.Headers;

/**
 * A parsed and checked request head: the request-line, the header fields, and what they mean for the
 * exchange (how the body is framed, whether the client wants the connection kept, 100-continue).
 *
 * @param method         the method token
 * @param target         the request-target as sent
 * @param rawPath        the target's path, still encoded ({@code *} for asterisk-form)
 * @param rawQuery       the target's query, still encoded, or {@code null}
 * @param targetHost     the authority of an absolute-form target, or {@code null}
 * @param minorVersion   0 for HTTP/1.0, 1 for HTTP/1.1
 * @param headers        the header fields, read-only
 * @param contentLength  the declared body length, 0 when there is no body, -1 when chunked
 * @param keepAlive      whether the client allows the connection to persist after this exchange
 * @param expectContinue whether the client waits for {@code 100 Continue} before sending the body
 */
public record RequestHead(String method, String target, String rawPath, String rawQuery, String targetHost,
                          int minorVersion, Headers headers, long contentLength, boolean keepAlive,
                          boolean expectContinue) {

    /** @return whether the body is chunked */
    public boolean chunked() {
        return contentLength < 0;
    }

    /** @return {@code HTTP/1.1} or {@code HTTP/1.0} */
    public String version() {
        return minorVersion == 1 ? "HTTP/1.1" : "HTTP/1.0";
    }

    /** @return whether this is a {@code HEAD} request, whose response has no body */
    public boolean isHead() {
        return KnownNames.HEAD.equals(method);
    }

    /** @return the request-line, for logs */
    public String requestLine() {
        return method + " " + target + " " + version();
    }
}
