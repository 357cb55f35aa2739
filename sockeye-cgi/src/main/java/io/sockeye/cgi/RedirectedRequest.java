package io.sockeye.cgi;

import java.io.InputStream;
import java.net.InetSocketAddress;

import io.sockeye.Form;
import io.sockeye.Headers;
import io.sockeye.Parameters;
import io.sockeye.Request;
import io.sockeye.RequestPaths;

/**
 * The request a local redirect turns into (RFC 3875 §6.2.2): a GET for the new path, with no body,
 * otherwise as the client sent it (its fields, its addresses), served from the top of the site.
 */
final class RedirectedRequest implements Request {

    private final Request original;
    private final String target;
    private final String rawPath;
    private final String rawQuery;
    private final String path;
    private final Headers headers;

    RedirectedRequest(Request original, String location) {
        this.original = original;
        this.target = location;
        int q = location.indexOf('?');
        int hash = location.indexOf('#');
        String noFragment = hash >= 0 ? location.substring(0, hash) : location;
        this.rawPath = q >= 0 && (hash < 0 || q < hash) ? noFragment.substring(0, q) : noFragment;
        this.rawQuery = q >= 0 && (hash < 0 || q < hash) ? noFragment.substring(q + 1) : null;
        this.path = RequestPaths.decode(rawPath);
        Headers h = new Headers();
        original.headers().forEach((name, value) -> {
            if (!name.equalsIgnoreCase("Content-Length") && !name.equalsIgnoreCase("Content-Type")
                    && !name.equalsIgnoreCase("Transfer-Encoding") && !name.equalsIgnoreCase("Expect")) {
                h.add(name, value);
            }
        });
        this.headers = h.makeReadOnly();
    }

    @Override public String method() { return "GET"; }
    @Override public String target() { return target; }
    @Override public String rawPath() { return rawPath; }
    @Override public String path() { return path; }
    @Override public String rawQuery() { return rawQuery; }
    @Override public Parameters query() { return Parameters.parse(rawQuery); }
    @Override public String version() { return original.version(); }
    @Override public Headers headers() { return headers; }
    @Override public long contentLength() { return 0; }
    @Override public InputStream body() { return InputStream.nullInputStream(); }
    @Override public Form form() { return Form.empty(); }
    @Override public InetSocketAddress remoteAddress() { return original.remoteAddress(); }
    @Override public InetSocketAddress localAddress() { return original.localAddress(); }
    @Override public String scheme() { return original.scheme(); }
    @Override public java.util.Optional<javax.net.ssl.SSLSession> tlsSession() { return original.tlsSession(); }
    @Override public String host() { return original.host(); }
    @Override public java.util.Optional<String> remoteUser() { return original.remoteUser(); }
    @Override public String mountPath() { return ""; }
    @Override public String pathParameter(String name) { return null; }

    @Override
    public String toString() {
        return "GET " + target + " (redirected from " + original + ")";
    }
}
