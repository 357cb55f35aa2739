package io.sockeye.cgi;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.sockeye.Headers;
import io.sockeye.Request;
import io.sockeye.Version;

/**
 * The meta-variables a script is run with (RFC 3875 §4.1), built from nothing but the request and the
 * handler's configured variables ({@code extra}: the few passed from the server's environment, see
 * {@code ServerVariables}, and those set): no secret of the server leaks to a script. Shared by CGI and,
 * later, FastCGI.
 *
 * <p>Header fields become {@code HTTP_*} variables (§4.1.18), except: {@code Content-Type} and
 * {@code Content-Length}, which have their own; {@code Proxy}, never, since {@code HTTP_PROXY} would
 * redirect the script's outgoing requests (httpoxy, CVE-2016-5385); {@code Authorization}, unless
 * allowed; and names with an underscore, which would be indistinguishable from the hyphenated name once
 * mapped (nginx drops them for the same reason). Repeated fields are joined with {@code ", "}, cookies
 * with {@code "; "}.
 */
final class CgiEnvironment {

    static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

    private CgiEnvironment() {
    }

    /**
     * @param request        the request
     * @param scriptName     the script's URL path (decoded), as {@code /cgi-bin/post.py}
     * @param pathInfo       the path after the script (decoded), possibly empty
     * @param script         the script's file
     * @param documentRoot   the server's document root, or {@code null}
     * @param contentLength  the body's length, or -1 for none
     * @param passAuthorization whether the Authorization field is passed on
     * @param extra          variables added last (and overriding): the server's passed ones and the set ones
     * @return the environment, in a stable order
     */
    static Map<String, String> build(Request request, String scriptName, String pathInfo, Path script, Path documentRoot,
                                     long contentLength, boolean passAuthorization, Map<String, String> extra) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GATEWAY_INTERFACE", "CGI/1.1");
        env.put("SERVER_SOFTWARE", "Sockeye/" + Version.VERSION);
        env.put("SERVER_NAME", request.host());
        env.put("SERVER_PORT", Integer.toString(request.localAddress().getPort()));
        env.put("SERVER_ADDR", request.localAddress().getAddress().getHostAddress());
        env.put("SERVER_PROTOCOL", request.version());
        env.put("REQUEST_METHOD", request.method());
        env.put("REQUEST_URI", urlText(request.target()));
        env.put("SCRIPT_NAME", scriptName);
        env.put("SCRIPT_FILENAME", script.toString());
        env.put("PATH_INFO", pathInfo);
        if (!pathInfo.isEmpty() && documentRoot != null) {
            env.put("PATH_TRANSLATED", documentRoot.resolve(pathInfo.substring(1)).normalize().toString());
        }
        env.put("QUERY_STRING", request.rawQuery() == null ? "" : urlText(request.rawQuery()));
        env.put("REMOTE_ADDR", request.remoteAddress().getAddress().getHostAddress());
        env.put("REMOTE_HOST", request.remoteAddress().getAddress().getHostAddress());
        env.put("REMOTE_PORT", Integer.toString(request.remoteAddress().getPort()));
        if (documentRoot != null) env.put("DOCUMENT_ROOT", documentRoot.toString());
        if (request.scheme().equals("https")) env.put("HTTPS", "on");
        // as Apache's mod_ssl names them (SSL_PROTOCOL "TLSv1.3", SSL_CIPHER the suite), which scripts test
        request.tlsSession().ifPresent(tls -> {
            env.put("SSL_PROTOCOL", tls.getProtocol());
            env.put("SSL_CIPHER", tls.getCipherSuite());
            clientCertificate(env, tls);
        });
        // RFC 3875 §4.1.1 and §4.1.11: set only when the server itself checked the credentials
        request.remoteUser().ifPresent(user -> {
            env.put("AUTH_TYPE", "Basic");
            env.put("REMOTE_USER", user);
        });
        env.put("REQUEST_SCHEME", request.scheme());
        // php-cgi refuses to run without it (its cgi.force_redirect guard); harmless to others
        env.put("REDIRECT_STATUS", "200");
        String type = request.header("Content-Type");
        if (type != null) env.put("CONTENT_TYPE", type);
        if (contentLength >= 0) env.put("CONTENT_LENGTH", Long.toString(contentLength));
        addHeaders(env, request.headers(), passAuthorization);
        env.put("PATH", DEFAULT_PATH);
        env.putAll(extra);
        return env;
    }

    /**
     * The server holds what came off the wire one char per byte; the process API encodes environment
     * strings in the platform charset (UTF-8). So bytes above 0x7F are decoded as UTF-8 first, which makes
     * the script see exactly the bytes that were sent; bytes that are not UTF-8 cannot pass that way and
     * are percent-encoded, which leaves a URL part meaning the same.
     */
    static String urlText(String wire) {
        String text = asUtf8(wire);
        if (text != null) return text;
        StringBuilder sb = new StringBuilder(wire.length() + 16);
        for (int i = 0; i < wire.length(); i++) {
            char c = wire.charAt(i);
            if (c > 0x7f) sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                    .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            else sb.append(c);
        }
        return sb.toString();
    }

    /** A field value's bytes as UTF-8 text; bytes that are not UTF-8 become U+FFFD (they cannot pass). */
    static String fieldText(String wire) {
        String text = asUtf8(wire);
        return text != null ? text : new String(wire.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    /**
     * SSL_CLIENT_VERIFY and SSL_CLIENT_S_DN as mod_ssl sets them: SUCCESS and the subject (RFC 2253 form)
     * of a client certificate the handshake verified, NONE without one. (The server refuses an untrusted
     * certificate in the handshake, so FAILED never reaches a script.)
     */
    private static void clientCertificate(Map<String, String> env, javax.net.ssl.SSLSession tls) {
        try {
            java.security.cert.Certificate[] chain = tls.getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof java.security.cert.X509Certificate leaf) {
                env.put("SSL_CLIENT_VERIFY", "SUCCESS");
                env.put("SSL_CLIENT_S_DN", leaf.getSubjectX500Principal().getName());
                return;
            }
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            // no certificate from this client
        }
        env.put("SSL_CLIENT_VERIFY", "NONE");
    }

    private static String asUtf8(String wire) {
        boolean ascii = true;
        for (int i = 0; i < wire.length() && ascii; i++) ascii = wire.charAt(i) < 0x80;
        if (ascii) return wire;
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(wire.getBytes(StandardCharsets.ISO_8859_1))).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static void addHeaders(Map<String, String> env, Headers headers, boolean passAuthorization) {
        for (String name : headers.names()) {
            if (name.equalsIgnoreCase("Content-Type") || name.equalsIgnoreCase("Content-Length")
                    || name.equalsIgnoreCase("Proxy") || name.indexOf('_') >= 0
                    || (!passAuthorization && name.equalsIgnoreCase("Authorization"))) {
                continue;
            }
            String key = "HTTP_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
            String separator = name.equalsIgnoreCase("Cookie") ? "; " : ", ";
            env.put(key, fieldText(String.join(separator, headers.allValues(name))));
        }
    }
}
