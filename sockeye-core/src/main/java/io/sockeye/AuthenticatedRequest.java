package io.sockeye;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.Optional;

/** A request as the handler behind {@link BasicAuth} sees it: the same request, plus who sent it. */
final class AuthenticatedRequest implements Request {

    private final Request request;
    private final Optional<String> user;

    AuthenticatedRequest(Request request, String user) {
        this.request = request;
        this.user = Optional.of(user);
    }

    @Override public String method() { return request.method(); }
    @Override public String target() { return request.target(); }
    @Override public String rawPath() { return request.rawPath(); }
    @Override public String path() { return request.path(); }
    @Override public String rawQuery() { return request.rawQuery(); }
    @Override public Parameters query() { return request.query(); }
    @Override public String version() { return request.version(); }
    @Override public Headers headers() { return request.headers(); }
    @Override public long contentLength() { return request.contentLength(); }
    @Override public InputStream body() { return request.body(); }
    @Override public Form form() throws java.io.IOException { return request.form(); }
    @Override public InetSocketAddress remoteAddress() { return request.remoteAddress(); }
    @Override public InetSocketAddress localAddress() { return request.localAddress(); }
    @Override public String scheme() { return request.scheme(); }
    @Override public Optional<javax.net.ssl.SSLSession> tlsSession() { return request.tlsSession(); }
    @Override public String host() { return request.host(); }
    @Override public String mountPath() { return request.mountPath(); }
    @Override public String pathParameter(String name) { return request.pathParameter(name); }
    @Override public Optional<String> remoteUser() { return user; }

    @Override
    public String toString() {
        return request.toString();
    }
}
