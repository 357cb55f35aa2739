package io.sockeye;

import java.time.Duration;
import java.util.Objects;

/**
 * Handlers for a site served over HTTPS: a redirect for its plain-HTTP port, and HSTS.
 *
 * <pre>{@code
 * Handler site = Https.strictTransportSecurity(router, Duration.ofDays(365), false);
 * HttpServer https = HttpServer.create(config.withPort(443).withTls(tls), site).start();
 * HttpServer http = HttpServer.create(config.withPort(80), Https.redirectTo(443)).start();
 * }</pre>
 */
public final class Https {

    private Https() {
    }

    /**
     * A handler for a plain-HTTP port that sends every request to the same host and target over HTTPS,
     * with a 308 (RFC 9110 §15.4.9: permanent, and the method and body are kept, so a form posted to the
     * old address is not turned into a GET). The host is the one the client asked for (its {@code Host}
     * field), as nginx's {@code return 301 https://$host$request_uri} does; a host with characters that do
     * not belong in one gets a 400 rather than a redirect to who knows where.
     *
     * @param httpsPort the HTTPS port; 443 is left out of the address
     * @return the handler
     */
    public static Handler redirectTo(int httpsPort) {
        if (httpsPort < 1 || httpsPort > 65535) throw new IllegalArgumentException("not a port: " + httpsPort);
        String port = httpsPort == 443 ? "" : ":" + httpsPort;
        return (req, res) -> {
            String host = req.host();
            if (!isHost(host)) throw new HttpException(Status.BAD_REQUEST, "not a host name: " + host);
            if (host.indexOf(':') >= 0 && !host.startsWith("[")) host = "[" + host + "]"; // an IPv6 literal
            String target = req.rawPath() + (req.rawQuery() == null ? "" : "?" + req.rawQuery());
            res.redirect(308, "https://" + host + port + target);
        };
    }

    /**
     * Wraps a handler so that responses over HTTPS carry {@code Strict-Transport-Security} (RFC 6797): for
     * {@code maxAge}, browsers then use only HTTPS for this host, even if told {@code http://}. Not sent over
     * plain HTTP, where it would mean nothing (§7.2). Careful on {@code localhost}: a browser keeps it.
     *
     * @param maxAge            how long browsers remember it
     * @param includeSubDomains whether it covers the host's subdomains too
     * @return the wrapped handler
     */
    public static Handler strictTransportSecurity(Handler handler, Duration maxAge, boolean includeSubDomains) {
        Objects.requireNonNull(handler, "handler");
        if (maxAge.isNegative()) throw new IllegalArgumentException("negative max-age: " + maxAge);
        String value = "max-age=" + maxAge.toSeconds() + (includeSubDomains ? "; includeSubDomains" : "");
        return (req, res) -> {
            if ("https".equals(req.scheme())) res.header("Strict-Transport-Security", value);
            handler.handle(req, res);
        };
    }

    /** Letters, digits, dots, hyphens (a name or an IPv4 address), or an IPv6 literal's hex digits and colons. */
    private static boolean isHost(String host) {
        if (host == null || host.isEmpty() || host.length() > 255) return false;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '_';
            if (!ok) return false;
        }
        return true;
    }
}
