package io.sockeye.http1;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.Optional;

import javax.net.ssl.SSLSession;

import io.sockeye.Form;
import io.sockeye.FormLimits;
import io.sockeye.Headers;
import io.sockeye.Parameters;
import io.sockeye.Request;
import io.sockeye.RequestPaths;
import io.sockeye.form.FormReader;
import io.sockeye.form.MultipartParser;

/** A request read off an HTTP/1.1 connection; the path and query are decoded on first use. */
final class Http1Request implements Request {

    private final RequestHead head;
    private final BodyStream body;
    private final InetSocketAddress remoteAddress;
    private final InetSocketAddress localAddress;
    private final FormLimits formLimits;
    private final SSLSession tlsSession;
    private String path;
    private Parameters query;
    private Form form;
    private Exception formFailure;

    /** @param tlsSession the connection's TLS session, or {@code null} on a plain connection */
    Http1Request(RequestHead head, BodyStream body, InetSocketAddress remoteAddress, InetSocketAddress localAddress,
                 FormLimits formLimits, SSLSession tlsSession) {
        this.tlsSession = tlsSession;
        this.head = head;
        this.body = body;
        this.remoteAddress = remoteAddress;
        this.localAddress = localAddress;
        this.formLimits = formLimits;
    }

    @Override
    public String method() {
        return head.method();
    }

    @Override
    public String target() {
        return head.target();
    }

    @Override
    public String rawPath() {
        return head.rawPath();
    }

    @Override
    public String path() {
        if (path == null) path = RequestPaths.decode(head.rawPath());
        return path;
    }

    @Override
    public String rawQuery() {
        return head.rawQuery();
    }

    @Override
    public Parameters query() {
        if (query == null) query = QueryParsing.parse(head.rawQuery());
        return query;
    }

    @Override
    public String version() {
        return head.version();
    }

    @Override
    public Headers headers() {
        return head.headers();
    }

    @Override
    public long contentLength() {
        return head.contentLength();
    }

    @Override
    public InputStream body() {
        return body;
    }

    @Override
    public Form form() throws IOException {
        if (form != null) return form;
        // the body is read once: a parse that failed fails the same way again, rather than on what is left
        if (formFailure instanceof IOException e) throw e;
        if (formFailure instanceof RuntimeException e) throw e;
        try {
            form = FormReader.read(this, formLimits);
        } catch (IOException | RuntimeException e) {
            formFailure = e;
            throw e;
        }
        return form;
    }

    /** Deletes what the exchange left on disk (uploaded files). */
    void cleanup() {
        if (form != null) MultipartParser.cleanup(form);
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public String scheme() {
        return tlsSession != null ? "https" : "http";
    }

    @Override
    public Optional<SSLSession> tlsSession() {
        return Optional.ofNullable(tlsSession);
    }

    @Override
    public String host() {
        String authority = head.targetHost() != null ? head.targetHost() : head.headers().get(KnownNames.HOST);
        if (authority == null || authority.isEmpty()) return localAddress().getAddress().getHostAddress();
        int close = authority.lastIndexOf(']');
        int colon = authority.lastIndexOf(':');
        return colon > close ? authority.substring(0, colon) : authority;
    }

    @Override
    public String mountPath() {
        return "";
    }

    @Override
    public String pathParameter(String name) {
        return null;
    }

    @Override
    public String toString() {
        return head.requestLine();
    }
}
