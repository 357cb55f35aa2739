package io.sockeye.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import javax.net.ssl.SSLSession;

import io.sockeye.Form;
import io.sockeye.Headers;
import io.sockeye.HttpException;
import io.sockeye.Parameters;
import io.sockeye.Request;
import io.sockeye.RequestPaths;
import io.sockeye.ServerConfig;
import io.sockeye.Status;
import io.sockeye.http1.MemoryExchange;

/**
 * A request made up in a test, to hand to a handler without a server. It is read by the server's own
 * code: the head is checked as a connection checks it (so a request the server would refuse cannot be
 * built), and the path, query, body and form are decoded exactly as for a request off the wire.
 *
 * <pre>{@code
 * TestRequest simple = TestRequest.get("/search?q=sockeye");
 * TestRequest posted = TestRequest.builder("POST", "/login")
 *         .header("Cookie", "session=abc")
 *         .form("user", "ann", "password", "secret")
 *         .build();
 * }</pre>
 *
 * <p>Like a request on a server, it is one exchange: its body can be read once, and it can be given to
 * one {@link ResponseRecorder}. Not thread-safe, as a real request is not (see {@link io.sockeye.Handler}).
 */
public final class TestRequest implements Request {

    private final MemoryExchange exchange;
    private final Request request;
    private final String scheme;
    private final SSLSession tlsSession;
    private final String mountPath;
    private final Map<String, String> pathParameters;
    private boolean recorded;

    TestRequest(MemoryExchange exchange, String scheme, SSLSession tlsSession, String mountPath,
                Map<String, String> pathParameters) {
        this.exchange = exchange;
        this.request = exchange.request();
        this.scheme = scheme;
        this.tlsSession = tlsSession;
        this.mountPath = mountPath;
        this.pathParameters = Map.copyOf(pathParameters);
    }

    /**
     * A {@code GET} with the builder's defaults (see {@link Builder}).
     *
     * @param target the request-target, as {@code /search?q=sockeye}
     * @return the request
     * @throws IllegalArgumentException if the server would refuse such a request before any handler
     */
    public static TestRequest get(String target) {
        return builder("GET", target).build();
    }

    /** @return a builder for {@code GET /}, with the defaults {@link Builder} lists */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param method the method, as {@code POST}
     * @param target the request-target, as {@code /items?page=2}
     * @return a builder for that request-line, with the other defaults {@link Builder} lists
     */
    public static Builder builder(String method, String target) {
        return new Builder().method(method).target(target);
    }

    /** @return the exchange, for the one recorder this request may have */
    MemoryExchange claimExchange() {
        if (recorded) throw new IllegalStateException("this request has been recorded already; build another");
        recorded = true;
        return exchange;
    }

    /** Deletes uploaded files kept on disk for {@link #form()}, as the server does when the exchange ends. */
    void cleanup() {
        exchange.cleanup();
    }

    @Override
    public String method() {
        return request.method();
    }

    @Override
    public String target() {
        return request.target();
    }

    @Override
    public String rawPath() {
        return request.rawPath();
    }

    @Override
    public String path() {
        return request.path();
    }

    @Override
    public String rawQuery() {
        return request.rawQuery();
    }

    @Override
    public Parameters query() {
        return request.query();
    }

    @Override
    public String version() {
        return request.version();
    }

    @Override
    public Headers headers() {
        return request.headers();
    }

    @Override
    public long contentLength() {
        return request.contentLength();
    }

    @Override
    public InputStream body() {
        return request.body();
    }

    @Override
    public Form form() throws IOException {
        return request.form();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return request.remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return request.localAddress();
    }

    /** @return {@code https} if the builder said so (with or without a session), else {@code http} */
    @Override
    public String scheme() {
        return scheme;
    }

    @Override
    public Optional<SSLSession> tlsSession() {
        return Optional.ofNullable(tlsSession);
    }

    @Override
    public String host() {
        return request.host();
    }

    /** @return the mount path the builder gave, as a {@link io.sockeye.Router} mount would set it; empty by default */
    @Override
    public String mountPath() {
        return mountPath;
    }

    /** @return the value the builder gave for this parameter, or {@code null} */
    @Override
    public String pathParameter(String name) {
        return pathParameters.get(name);
    }

    /** @return the request-line */
    @Override
    public String toString() {
        return request.toString();
    }

    /**
     * Builds a {@link TestRequest}. Unless told otherwise, the request is:
     * <ul>
     *   <li>{@code GET /} in {@code HTTP/1.1}, with {@code Host: localhost} (an HTTP/1.1 request must have a
     *       {@code Host}; one given with {@link #header} replaces it; an HTTP/1.0 request gets none);</li>
     *   <li>without a body; a body given is framed as a client would frame it: whole with a
     *       {@code Content-Length}, streamed chunked;</li>
     *   <li>from {@code 192.0.2.1:1234} (an address reserved for documentation, RFC 5737) to
     *       {@code 127.0.0.1}, port 80 for {@code http} and 443 for {@code https};</li>
     *   <li>plain {@code http}, no TLS session;</li>
     *   <li>not mounted and without path parameters, as a {@link io.sockeye.Router} would pass it to a
     *       handler routed by an exact path;</li>
     *   <li>read under {@link ServerConfig#defaults()}'s limits (head sizes, body size, form limits).</li>
     * </ul>
     * The builder can be used again; each {@link #build()} makes a new request (a body stream, though, is
     * read by whichever request reads it first).
     */
    public static final class Builder {

        private static final InetSocketAddress DEFAULT_REMOTE =
                new InetSocketAddress(address(192, 0, 2, 1), 1234);

        private String method = "GET";
        private String target = "/";
        private String version = "HTTP/1.1";
        private final Headers fields = new Headers();
        private byte[] content;
        private InputStream stream;
        private InetSocketAddress remoteAddress = DEFAULT_REMOTE;
        private InetSocketAddress localAddress;
        private String scheme = "http";
        private SSLSession tlsSession;
        private String mountPath = "";
        private final Map<String, String> pathParameters = new LinkedHashMap<>();
        private ServerConfig config = ServerConfig.defaults();

        private Builder() {
        }

        /** @param method the method, a token such as {@code GET} or {@code PROPFIND} @return this */
        public Builder method(String method) {
            this.method = Objects.requireNonNull(method, "method");
            return this;
        }

        /**
         * @param target the request-target as a client sends it: a path and query ({@code /a%20b?x=1}), an
         *               absolute URI ({@code http://example.com/a}), or {@code *}; characters beyond ASCII
         *               are sent as their UTF-8 bytes, as some clients do
         * @return this
         */
        public Builder target(String target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        /** @param version {@code HTTP/1.1} (the default) or {@code HTTP/1.0} @return this */
        public Builder version(String version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        /**
         * Adds a header field, after those added before; a name may be given more than once, as a client
         * may send it.
         *
         * @param name  a token
         * @param value the value
         * @return this
         * @throws IllegalArgumentException if the name or value is malformed (see {@link Headers})
         */
        public Builder header(String name, String value) {
            fields.add(name, value);
            return this;
        }

        /**
         * Sets the body, sent whole with a {@code Content-Length}. A {@code Content-Length} or
         * {@code Transfer-Encoding} field given with {@link #header} frames it instead, as a client's would:
         * a length beyond the content makes the body end early (a read of it then fails, as when a client
         * goes away), a shorter one leaves the rest unread.
         *
         * @param content the bytes, copied
         * @return this
         */
        public Builder body(byte[] content) {
            this.content = content.clone();
            this.stream = null;
            return this;
        }

        /** @param text the body, encoded as UTF-8; see {@link #body(byte[])} @return this */
        public Builder body(String text) {
            return body(text.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * Sets a body of unknown length, read only as the handler reads the request's body: sent chunked,
         * unless a {@code Content-Length} field is given with {@link #header}. An exception the stream
         * throws reaches the handler as a read of the body failing.
         *
         * @param content the stream; a request reads it once
         * @return this
         */
        public Builder body(InputStream content) {
            this.stream = Objects.requireNonNull(content, "content");
            this.content = null;
            return this;
        }

        /**
         * Sets the body to a submitted HTML form: {@code application/x-www-form-urlencoded}, UTF-8, and that
         * {@code Content-Type} unless one is given.
         *
         * @param namesAndValues a name, its value, the next name, its value, ...
         * @return this
         */
        public Builder form(String... namesAndValues) {
            if (namesAndValues.length % 2 != 0) throw new IllegalArgumentException("names and values must come in pairs");
            StringBuilder encoded = new StringBuilder();
            for (int i = 0; i < namesAndValues.length; i += 2) {
                if (i > 0) encoded.append('&');
                encoded.append(URLEncoder.encode(namesAndValues[i], StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(namesAndValues[i + 1], StandardCharsets.UTF_8));
            }
            if (!fields.contains("Content-Type")) fields.add("Content-Type", "application/x-www-form-urlencoded");
            return body(encoded.toString());
        }

        /** @param address the client's address and port @return this */
        public Builder remoteAddress(InetSocketAddress address) {
            this.remoteAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /** @param address the server's address and port the request arrived on @return this */
        public Builder localAddress(InetSocketAddress address) {
            this.localAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /**
         * @param scheme {@code http} or {@code https}; a request said to be {@code https} has no TLS session
         *               unless one is given
         * @return this
         */
        public Builder scheme(String scheme) {
            if (!scheme.equals("http") && !scheme.equals("https")) throw new IllegalArgumentException("not http or https: " + scheme);
            this.scheme = scheme;
            return this;
        }

        /** @param session the TLS session the request came over; makes the scheme {@code https} @return this */
        public Builder tlsSession(SSLSession session) {
            this.tlsSession = Objects.requireNonNull(session, "session");
            this.scheme = "https";
            return this;
        }

        /**
         * @param mountPath the prefix a {@link io.sockeye.Router} mount would report, decoded and without its
         *                  trailing slash ({@code /static} for a handler mounted at {@code /static/}); the
         *                  request's path must be below it
         * @return this
         */
        public Builder mountPath(String mountPath) {
            if (!mountPath.isEmpty() && (!mountPath.startsWith("/") || mountPath.endsWith("/"))) {
                throw new IllegalArgumentException("a mount path starts with '/' and does not end with it: " + mountPath);
            }
            this.mountPath = mountPath;
            return this;
        }

        /**
         * @param name  a parameter a route's pattern names, as {@code id} in {@code /users/{id}}
         * @param value its decoded value
         * @return this
         */
        public Builder pathParameter(String name, String value) {
            pathParameters.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** @param config the limits the request is read under (head sizes, body size, form limits) @return this */
        public Builder config(ServerConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * @return the request, its head read by the server's own parser
         * @throws IllegalArgumentException if the server would refuse the request before any handler (a
         *                                  malformed request-line, a missing {@code Host}, a field over a
         *                                  limit...: the message says which status it would answer), or if
         *                                  the path is not below the mount path
         */
        public TestRequest build() {
            Headers wireFields = WireRequest.fields(version, fields, content, stream);
            byte[] head = WireRequest.head(method, target, version, wireFields);
            InetSocketAddress local = localAddress != null ? localAddress
                    : new InetSocketAddress(address(127, 0, 0, 1), scheme.equals("https") ? 443 : 80);
            MemoryExchange exchange;
            try {
                exchange = MemoryExchange.open(head, WireRequest.body(wireFields, content, stream), remoteAddress, local,
                        tlsSession, config);
            } catch (HttpException e) {
                throw new IllegalArgumentException("a server would answer " + e.status() + " " + Status.reason(e.status())
                        + " to this request, before any handler: " + e.getMessage(), e);
            }
            TestRequest request = new TestRequest(exchange, scheme, tlsSession, mountPath, pathParameters);
            if (!mountPath.isEmpty()) checkBelowMount(request.rawPath());
            return request;
        }

        /** A router decodes the path to find a mount (a bad escape is its 400), and mounts only what is below. */
        private void checkBelowMount(String rawPath) {
            String path;
            try {
                path = RequestPaths.decode(rawPath);
            } catch (HttpException e) {
                throw new IllegalArgumentException("a router would answer 400 to this path rather than find a mount: "
                        + e.getMessage(), e);
            }
            if (!path.startsWith(mountPath + "/")) {
                throw new IllegalArgumentException("the path " + path + " is not below the mount path " + mountPath);
            }
        }

        private static InetAddress address(int a, int b, int c, int d) {
            try {
                return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError("four bytes are an IPv4 address", e);
            }
        }
    }
}
