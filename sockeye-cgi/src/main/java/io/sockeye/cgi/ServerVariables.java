package io.sockeye.cgi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which of the server's own environment variables a script gets, and which names a script's extra
 * variables may have. A script starts from a clean environment (see {@code CgiEnvironment}); from the
 * server's it gets, by default, only what makes a script run as it would from the user's shell: {@code
 * PATH} (so {@code #!/usr/bin/env python3} finds the interpreter of the active virtualenv, as Python's
 * {@code --cgi} does), the locale ({@code LANG}, {@code LC_ALL}, {@code LC_CTYPE}) and the time zone
 * ({@code TZ}). Nothing else of the server's passes unless named: its secrets ({@code AWS_*}, tokens) stay
 * with it.
 *
 * <p>Names a client could also produce are refused for passing and for setting: {@code HTTP_*} is where
 * request header fields go (RFC 3875 §4.1.18), so a passed {@code HTTP_PROXY} would be indistinguishable
 * from a client's {@code Proxy:} header (httpoxy, CVE-2016-5385) and is refused in any letter case; and the
 * meta-variables the server sets for each request are its alone.
 */
final class ServerVariables {

    /** Passed from the server's environment unless told otherwise. */
    static final List<String> DEFAULT_PASSED = List.of("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ");

    /** The meta-variables set per request (RFC 3875 §4.1, and mod_ssl's and PHP's few). */
    private static final Set<String> PER_REQUEST = Set.of("AUTH_TYPE", "CONTENT_LENGTH", "CONTENT_TYPE",
            "DOCUMENT_ROOT", "GATEWAY_INTERFACE", "HTTPS", "PATH_INFO", "PATH_TRANSLATED", "QUERY_STRING",
            "REDIRECT_STATUS", "REMOTE_ADDR", "REMOTE_HOST", "REMOTE_IDENT", "REMOTE_PORT", "REMOTE_USER",
            "REQUEST_METHOD", "REQUEST_SCHEME", "REQUEST_URI", "SCRIPT_FILENAME", "SCRIPT_NAME", "SERVER_ADDR",
            "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "SERVER_SOFTWARE");

    private ServerVariables() {
    }

    /**
     * @param name a variable's name
     * @throws IllegalArgumentException if it is not a shell-style name ({@code [A-Za-z_][A-Za-z0-9_]*}),
     *                                  or is one a script must not be given by the server's operator
     */
    static void checkName(String name) {
        if (name.isEmpty() || name.length() > 256) throw new IllegalArgumentException("not a variable name: '" + name + "'");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (i > 0 && c >= '0' && c <= '9');
            if (!ok) throw new IllegalArgumentException("not a variable name: '" + name.replaceAll("\\p{Cntrl}", "?") + "'");
        }
        String upper = name.toUpperCase(Locale.ROOT);
        if (upper.startsWith("HTTP_")) {
            throw new IllegalArgumentException(name + ": HTTP_* variables are the request's header fields (and "
                    + "HTTP_PROXY would look like a client's Proxy header, httpoxy); they are never set from the server");
        }
        if (PER_REQUEST.contains(name) || name.startsWith("SSL_")) {
            throw new IllegalArgumentException(name + " is a CGI meta-variable, set for each request by the server");
        }
    }

    /** @param value a variable's value @throws IllegalArgumentException if it holds a NUL, which no environment can */
    static void checkValue(String name, String value) {
        if (value.indexOf('\0') >= 0) throw new IllegalArgumentException(name + "'s value holds a NUL character");
    }

    /**
     * @param passed the names to pass, in order
     * @param server the server's environment
     * @return the variables of {@code passed} that {@code server} has (an empty value included), in that order
     */
    static Map<String, String> inherited(Iterable<String> passed, Map<String, String> server) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : passed) {
            String value = server.get(name);
            if (value != null && value.indexOf('\0') < 0) out.put(name, value);
        }
        return out;
    }
}
