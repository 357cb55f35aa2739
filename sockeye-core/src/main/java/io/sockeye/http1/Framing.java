package io.sockeye.http1;

/** How a response's body is delimited on the wire (RFC 9112 §6.3), decided once, at commit. */
enum Framing {
    /** {@code Content-Length}: exactly that many bytes follow. */
    LENGTH,
    /** {@code Transfer-Encoding: chunked}: HTTP/1.1, length unknown. */
    CHUNKED,
    /** The body ends when the connection does: HTTP/1.0, length unknown. */
    CLOSE,
    /** No body follows: HEAD, or a 1xx, 204 or 304 status. */
    NONE
}
