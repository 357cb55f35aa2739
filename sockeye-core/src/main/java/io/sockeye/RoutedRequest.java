package io.sockeye;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.Map;

/** A request as a routed handler sees it: the same request, plus where it was mounted and its path parameters. */
final class RoutedRequest implements Request {

    private final Request request;
    private final String mountPath;
    private final Map<String, String> parameters;

    RoutedRequest(Request request, String mountPath, Map<String, String> parameters) {
        this.request = request;
        this.mountPath = mountPath;
        this.parameters = parameters;
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
    @Override public java.util.Optional<javax.net.ssl.SSLSession> tlsSession() { return request.tlsSession(); }
    @Override public String host() { return request.host(); }
    @Override public java.util.Optional<String> remoteUser() { return request.remoteUser(); }

    @Override
    public String mountPath() {
        return mountPath;
    }

    @Override
    public String pathParameter(String name) {
        String own = parameters.get(name);
        return own != null ? own : request.pathParameter(name);
    }

    @Override
    public String toString() {
        return request.toString();
    }
}
