package io.sockeye;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Cross-origin resource sharing (the Fetch standard's CORS protocol) in front of a handler: lets pages
 * from other origins read its responses.
 *
 * <pre>{@code
 * Handler api = Cors.wrap(router, "*");                                // any page may read it
 * Handler app = Cors.builder("https://app.example").allowCredentials(true).wrap(BasicAuth.wrap(...));
 * }</pre>
 *
 * <ul>
 *   <li>Every response gets {@code Access-Control-Allow-Origin}: {@code *}, or the one allowed origin with
 *       {@code Vary: Origin} (so a cache does not hand one origin's answer to another).</li>
 *   <li>A preflight ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method}) is
 *       answered here, {@code 204}, without calling the handler (so a {@link BasicAuth} inside does not
 *       ask for the credentials browsers never send on preflights): {@code Access-Control-Allow-Methods}
 *       (the requested method, if it is {@linkplain Builder#allowMethods allowed}: by default GET, HEAD
 *       and POST, so that a page from elsewhere cannot PUT or DELETE through its visitors' browsers unless
 *       told it may), {@code Access-Control-Allow-Headers} (the requested ones, echoed once each
 *       has been checked to be a token) and {@code Access-Control-Max-Age}. A malformed preflight gets a
 *       {@code 400}.</li>
 *   <li>{@link Builder#allowCredentials(boolean)} adds {@code Access-Control-Allow-Credentials: true}, so
 *       the allowed origin's scripts may send cookies or a login; it needs a single origin, not {@code *}
 *       (browsers refuse that combination).</li>
 * </ul>
 * The wrapper only says what browsers may do; it is no access control for clients that are not browsers.
 */
public final class Cors {

    /** Header names one preflight may ask for: far more than browsers send, few enough to bound the reply. */
    private static final int MAX_REQUESTED_HEADERS = 64;

    private Cors() {
    }

    /**
     * @param handler the handler whose responses other origins may read
     * @param origin  {@code *}, or one origin ({@code https://app.example:8443})
     * @return the wrapped handler
     */
    public static Handler wrap(Handler handler, String origin) {
        return builder(origin).wrap(handler);
    }

    /**
     * @param origin {@code *}, or one origin: a scheme, a host and maybe a port, no path
     * @return a builder
     * @throws IllegalArgumentException if the origin is neither
     */
    public static Builder builder(String origin) {
        return new Builder(checkOrigin(origin));
    }

    /**
     * @param origin text given as an origin
     * @return it, with scheme and host in lower case, if it is {@code *} or a serialized origin
     * @throws IllegalArgumentException if it is not
     */
    static String checkOrigin(String origin) {
        Objects.requireNonNull(origin, "origin");
        if (origin.equals("*")) return origin;
        URI uri;
        try {
            uri = new URI(origin);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not an origin (scheme://host[:port]): " + origin);
        }
        String scheme = uri.getScheme();
        if (scheme == null || uri.getHost() == null || uri.getRawUserInfo() != null
                || !(uri.getRawPath() == null || uri.getRawPath().isEmpty()) || uri.getRawQuery() != null
                || uri.getRawFragment() != null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            throw new IllegalArgumentException("not an origin (http[s]://host[:port], no path): " + origin);
        }
        return origin.toLowerCase(Locale.ROOT);
    }

    /** Settings of a CORS wrapper. Not thread-safe; the handlers it makes are. */
    public static final class Builder {
        private final String origin;
        private boolean credentials;
        private Duration maxAge = Duration.ofHours(2); // Chromium caps at two hours, Firefox at one day
        private java.util.Set<String> methods = java.util.Set.of("GET", "HEAD", "POST");

        private Builder(String origin) {
            this.origin = origin;
        }

        /**
         * @param allow whether the origin's scripts may send credentials (cookies, a login)
         * @return this
         * @throws IllegalArgumentException if the origin is {@code *}
         */
        public Builder allowCredentials(boolean allow) {
            if (allow && origin.equals("*")) throw new IllegalArgumentException("credentials need one origin, not *");
            this.credentials = allow;
            return this;
        }

        /**
         * @param allowed the methods a preflight may grant (default GET, HEAD and POST); a preflight for
         *                another gets no {@code Access-Control-Allow-Methods}, and the browser does not send
         *                the request
         * @return this
         * @throws IllegalArgumentException if one is not a method name (a token)
         */
        public Builder allowMethods(String... allowed) {
            java.util.Set<String> set = new java.util.HashSet<>();
            for (String m : allowed) {
                if (!Tokens.isToken(m)) throw new IllegalArgumentException("not a method: " + m);
                set.add(m);
            }
            this.methods = java.util.Set.copyOf(set);
            return this;
        }

        /**
         * @param maxAge how long browsers may keep a preflight's answer (default two hours)
         * @return this
         */
        public Builder maxAge(Duration maxAge) {
            if (maxAge.isNegative()) throw new IllegalArgumentException("negative max-age: " + maxAge);
            this.maxAge = maxAge;
            return this;
        }

        /**
         * @param handler the handler whose responses other origins may read
         * @return the wrapped handler
         */
        public Handler wrap(Handler handler) {
            Objects.requireNonNull(handler, "handler");
            String allowOrigin = origin;
            boolean any = origin.equals("*");
            boolean allowCredentials = credentials;
            String age = Long.toString(maxAge.toSeconds());
            java.util.Set<String> allowedMethods = methods;
            return (req, res) -> {
                res.header("Access-Control-Allow-Origin", allowOrigin);
                if (!any) res.headers().add("Vary", "Origin");
                if (allowCredentials) res.header("Access-Control-Allow-Credentials", "true");
                String method = req.header("Access-Control-Request-Method");
                if (!req.method().equals("OPTIONS") || req.header("Origin") == null || method == null) {
                    handler.handle(req, res);
                    return;
                }
                // a preflight (Fetch §4.8): answered here, as browsers send it without credentials
                if (!Tokens.isToken(method)) {
                    throw new HttpException(Status.BAD_REQUEST, "Access-Control-Request-Method is not a method: " + Tokens.quote(method));
                }
                String headers = requestedHeaders(req.headers().allValues("Access-Control-Request-Headers"));
                res.status(Status.NO_CONTENT);
                if (allowedMethods.contains(method)) res.header("Access-Control-Allow-Methods", method);
                if (!headers.isEmpty()) res.header("Access-Control-Allow-Headers", headers);
                res.header("Access-Control-Max-Age", age);
                res.send(new byte[0]);
            };
        }
    }

    /**
     * @return the requested header names, each checked to be a token, joined with {@code ", "}
     * @throws HttpException 400 if one is not a token, or there are too many
     */
    private static String requestedHeaders(java.util.List<String> fields) {
        StringBuilder sb = new StringBuilder();
        int count = 0;
        for (String field : fields) {
            for (String part : field.split(",", -1)) {
                String name = part.strip();
                if (name.isEmpty()) continue; // empty list elements are allowed (RFC 9110 §5.6.1)
                if (!Tokens.isToken(name)) {
                    throw new HttpException(Status.BAD_REQUEST, "Access-Control-Request-Headers holds a non-token: " + Tokens.quote(name));
                }
                if (++count > MAX_REQUESTED_HEADERS) {
                    throw new HttpException(Status.BAD_REQUEST, "Access-Control-Request-Headers names too many fields");
                }
                if (!sb.isEmpty()) sb.append(", ");
                sb.append(name);
            }
        }
        return sb.toString();
    }
}
