package io.sockeye;

import java.io.InputStream;
import java.net.InetSocketAddress;

/**
 * An HTTP request as a handler sees it: the request-line, the header fields, the body as a stream, and
 * where it came from.
 *
 * <p>Everything but the body is parsed and checked before the handler runs (RFC 9112): the method is a
 * token, the header fields are well-formed, the framing is unambiguous. The path and query are decoded
 * on first use.
 *
 * <p>A request is valid only while the handler that received it runs; see {@link Handler}.
 */
public interface Request {

    /** @return the method, case-sensitive as sent ({@code GET}, {@code POST}, ...) */
    String method();

    /**
     * @return the request-target exactly as sent: {@code /a%20b?x=1}, {@code *} for a server-wide
     * {@code OPTIONS}, or {@code http://host/path} in absolute-form
     */
    String target();

    /** @return the path of the target, still percent-encoded, always starting with {@code /} (or {@code *}) */
    String rawPath();

    /**
     * The path, percent-decoded as UTF-8. Dot-segments are left as sent; code that maps paths to
     * resources must resolve them itself (the file handler does).
     *
     * @return the decoded path
     * @throws HttpException 400 if the path holds a malformed escape, invalid UTF-8 or a NUL
     */
    String path();

    /** @return the query after {@code ?}, still encoded, or {@code null} if the target has none */
    String rawQuery();

    /**
     * @return the query's parameters, decoded as {@code application/x-www-form-urlencoded}; empty if none
     * @throws HttpException 400 if the query holds a malformed escape or invalid UTF-8
     */
    Parameters query();

    /** @return the protocol version as sent: {@code HTTP/1.1} or {@code HTTP/1.0} */
    String version();

    /** @return the header fields, read-only */
    Headers headers();

    /**
     * @param name a field name, in any case
     * @return the first value of that field, or {@code null}
     */
    default String header(String name) {
        return headers().get(name);
    }

    /**
     * @return the declared length of the body: {@code 0} when there is none, {@code -1} when it is chunked
     * and its length is not known in advance
     */
    long contentLength();

    /**
     * The body. Reading it past {@link ServerConfig#maxBodyBytes()} throws {@link HttpException} 413; a
     * malformed chunked body throws {@link HttpException} 400; a client that stops sending makes a read
     * fail after {@link ServerConfig#ioTimeout()}. Reading it first sends {@code 100 Continue} if the
     * client asked for it. Closing it is not needed.
     *
     * @return the body stream; empty when there is no body
     */
    InputStream body();

    /**
     * The body as submitted form fields: {@code application/x-www-form-urlencoded} (UTF-8, {@code +} as
     * space) or {@code multipart/form-data} (streamed; files past a size go to temporary files deleted when
     * the exchange ends). Reads the body; later calls return the same form. Bounded by
     * {@link ServerConfig#formLimits()} and {@link ServerConfig#maxBodyBytes()}.
     *
     * @return the form; empty when the request has no body
     * @throws HttpException 415 for another content type, 400 for a malformed body, 413 past a limit
     * @throws java.io.IOException if the body cannot be read
     */
    Form form() throws java.io.IOException;

    /** @return the client's address (the TCP peer; proxies are not looked through) */
    InetSocketAddress remoteAddress();

    /** @return the server's address this request arrived on */
    InetSocketAddress localAddress();

    /** @return {@code https} if the request came over TLS, else {@code http} */
    String scheme();

    /**
     * @return the TLS session the request came over (its protocol, cipher suite, and the client's
     *         certificates if it sent any), or empty on a plain HTTP connection (by default, for
     *         requests made up in tests; a wrapper of another request must pass its session on)
     */
    default java.util.Optional<javax.net.ssl.SSLSession> tlsSession() {
        return java.util.Optional.empty();
    }

    /**
     * @return the user name the request was authenticated as (by {@link BasicAuth}), or empty when it was
     *         not (by default; a wrapper of another request must pass its user on)
     */
    default java.util.Optional<String> remoteUser() {
        return java.util.Optional.empty();
    }

    /**
     * @return the host the client asked for: from an absolute-form target, else the {@code Host} field,
     * without port; else the local address
     */
    String host();

    /**
     * The prefix this request was routed by: when a {@link Router} mounts a handler at {@code /static/},
     * that handler sees {@code /static} here. Empty outside a mount.
     *
     * @return the decoded mount prefix, without a trailing slash
     */
    String mountPath();

    /**
     * The part of {@link #path()} below {@link #mountPath()}: {@code /css/site.css} for
     * {@code /static/css/site.css} under a handler mounted at {@code /static/}.
     *
     * @return the decoded path within the mount, starting with {@code /}
     */
    default String pathWithinMount() {
        String full = path();
        String mount = mountPath();
        return mount.isEmpty() ? full : full.substring(mount.length());
    }

    /**
     * @param name a parameter named in the route's pattern, as {@code id} in {@code /users/{id}}
     * @return its decoded value in this request's path, or {@code null} if the route has no such parameter
     */
    String pathParameter(String name);
}
