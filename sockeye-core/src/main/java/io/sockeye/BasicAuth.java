package io.sockeye;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * HTTP Basic authentication (RFC 7617) in front of a handler: requests without valid credentials get a
 * {@code 401} and never reach it.
 *
 * <pre>{@code
 * Handler site = BasicAuth.wrap(files, "My files", BasicAuth.users(Map.of("ann", "s3cret")));
 * Handler uploads = BasicAuth.builder(check).realm("Uploads").writesOnly(true).wrap(files);
 * }</pre>
 *
 * <h2>What it does</h2>
 * <ul>
 *   <li>The {@code Authorization: Basic} field is decoded as RFC 7617 says: base64, then UTF-8, split at
 *       the <em>first</em> colon (so passwords may hold colons, user names may not). A malformed field
 *       (bad base64, not UTF-8, no colon, a control character in the user name, two fields, or one over
 *       4096 characters) is a failed login: {@code 401}, never a {@code 400} or {@code 500}.</li>
 *   <li>A {@code 401} carries {@code WWW-Authenticate: Basic realm="...", charset="UTF-8"}, a short HTML
 *       page, and {@code Cache-Control: no-store}, so no cache keeps it.</li>
 *   <li>Each failure (wrong or malformed credentials; not a request that sent none, which is how every
 *       browser starts) is logged at INFO on the {@code io.sockeye.auth} logger with the client's address
 *       and the user name escaped, and is answered late: {@code failureDelay} times the failures from that
 *       address in the last 15 minutes, at most {@code maxFailureDelay} (defaults 500 ms and 5 s). The
 *       wait parks the request's virtual thread, so it costs no platform thread and no other client waits.
 *       Failures are counted in a table of at most {@code 4096} addresses (IPv6 per /64).</li>
 *   <li>The wrapped handler sees the user name as {@link Request#remoteUser()} (CGI scripts get it as
 *       {@code REMOTE_USER}, with {@code AUTH_TYPE=Basic}).</li>
 *   <li>With {@link Builder#writesOnly(boolean)}, the safe methods of RFC 9110 §9.2.1 ({@code GET},
 *       {@code HEAD}, {@code OPTIONS}, {@code TRACE}) pass without credentials; the others need them.</li>
 * </ul>
 * Basic credentials are sent in the clear with every request: use it over HTTPS anywhere but on a
 * trusted network. Put a {@link Cors} wrapper outside this one, so that CORS preflights (which browsers
 * send without credentials) are answered.
 */
public final class BasicAuth {

    private static final System.Logger LOG = System.getLogger("io.sockeye.auth");
    private static final int MAX_FIELD = 4096;
    private static final int TABLE_CAPACITY = 4096;
    private static final Duration WINDOW = Duration.ofMinutes(15);

    /**
     * Decides whether a user name and password are valid. Called once per request that carries
     * credentials, concurrently from many virtual threads: it must be thread-safe, and should take the
     * same time whether or not the user exists, so that timing does not tell which names are valid.
     */
    @FunctionalInterface
    public interface CredentialCheck {
        /**
         * @param user     the user name, as decoded (any text without control characters or colons)
         * @param password the password, as decoded (may be empty)
         * @return whether they are valid together
         */
        boolean check(String user, String password);
    }

    private BasicAuth() {
    }

    /**
     * A check against fixed user names and plain passwords, in constant time: the SHA-256 digests of the
     * passwords' UTF-8 bytes are compared with {@link MessageDigest#isEqual}, and an unknown user's against a dummy,
     * so the answer takes as long whatever the name.
     *
     * @param passwords user name to password; names may not hold a colon
     * @return the check
     */
    public static CredentialCheck users(Map<String, String> passwords) {
        Map<String, byte[]> table = new HashMap<>();
        passwords.forEach((user, password) -> {
            if (user.indexOf(':') >= 0) throw new IllegalArgumentException("a user name cannot hold a colon: " + user);
            table.put(user, sha256(password));
        });
        byte[] dummy = sha256("no such user, but compare all the same");
        return (user, password) -> {
            byte[] expected = table.get(user);
            // digests of equal length: isEqual's time depends only on the length, which then says nothing
            boolean same = MessageDigest.isEqual(expected == null ? dummy : expected, sha256(password));
            return same && expected != null;
        };
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Wraps a handler with the defaults: every request needs credentials.
     *
     * @param handler what valid users reach
     * @param realm   the name browsers show in their login prompt
     * @param check   the credential check
     * @return the wrapped handler
     */
    public static Handler wrap(Handler handler, String realm, CredentialCheck check) {
        return builder(check).realm(realm).wrap(handler);
    }

    /**
     * @param check the credential check
     * @return a builder for the wrapper, with realm {@code "Sockeye"}
     */
    public static Builder builder(CredentialCheck check) {
        return new Builder(check);
    }

    /** Settings of a Basic authentication wrapper. Not thread-safe; the handlers it makes are. */
    public static final class Builder {
        private final CredentialCheck check;
        private String realm = "Sockeye";
        private boolean writesOnly;
        private Duration failureDelay = Duration.ofMillis(500);
        private Duration maxFailureDelay = Duration.ofSeconds(5);

        private Builder(CredentialCheck check) {
            this.check = Objects.requireNonNull(check, "check");
        }

        /**
         * @param realm the protection space's name, shown by browsers; no control characters
         * @return this
         */
        public Builder realm(String realm) {
            for (int i = 0; i < realm.length(); i++) {
                char c = realm.charAt(i);
                if (c < 0x20 || c == 0x7f) throw new IllegalArgumentException("control character in the realm");
            }
            this.realm = realm;
            return this;
        }

        /**
         * @param writesOnly whether safe methods ({@code GET}, {@code HEAD}, {@code OPTIONS}, {@code TRACE})
         *                   pass without credentials
         * @return this
         */
        public Builder writesOnly(boolean writesOnly) {
            this.writesOnly = writesOnly;
            return this;
        }

        /**
         * @param step the wait added to a 401 per recent failure from the same address ({@code 0} for none)
         * @param max  the longest wait
         * @return this
         */
        public Builder failureDelay(Duration step, Duration max) {
            if (step.isNegative() || max.isNegative()) throw new IllegalArgumentException("negative delay");
            this.failureDelay = step;
            this.maxFailureDelay = max;
            return this;
        }

        /**
         * @param handler what valid users reach
         * @return the wrapped handler
         */
        public Handler wrap(Handler handler) {
            Objects.requireNonNull(handler, "handler");
            String challenge = "Basic realm=\"" + realm.replace("\\", "\\\\").replace("\"", "\\\"") + "\", charset=\"UTF-8\"";
            AuthFailures failures = new AuthFailures(failureDelay, maxFailureDelay, WINDOW, TABLE_CAPACITY);
            CredentialCheck check = this.check;
            boolean writesOnly = this.writesOnly;
            return (req, res) -> {
                if (writesOnly && isSafe(req.method())) {
                    handler.handle(req, res);
                    return;
                }
                List<String> fields = req.headers().allValues("Authorization");
                if (fields.isEmpty()) {
                    challenge(res, challenge, "This page needs a user name and password.");
                    return;
                }
                Credentials c = fields.size() == 1 ? parse(fields.get(0)) : null;
                if (c != null && check.check(c.user(), c.password())) {
                    handler.handle(new AuthenticatedRequest(req, c.user()), res);
                    return;
                }
                Duration delay = failures.fail(req.remoteAddress().getAddress());
                LOG.log(Level.INFO, () -> "401 for " + (c == null ? "malformed credentials" : "user \"" + LogText.escape(c.user())
                        .replace("\"", "\\x22") + "\"") + " from " + req.remoteAddress().getAddress().getHostAddress()
                        + " (" + failures.failures(req.remoteAddress().getAddress()) + " recent failures; answering in "
                        + delay.toMillis() + " ms)");
                // on the request's virtual thread, sleeping unmounts it: no platform thread is held
                if (!delay.isZero()) Thread.sleep(delay);
                challenge(res, challenge, "Wrong user name or password.");
            };
        }
    }

    /** A decoded {@code user:password} pair. */
    record Credentials(String user, String password) {
        @Override
        public String toString() {
            return "Credentials[user=" + user + "]"; // never the password, should one be logged by mistake
        }
    }

    /**
     * Decodes an {@code Authorization} field value of the Basic scheme (RFC 7617 §2).
     *
     * @param field the field value
     * @return the credentials, or {@code null} if the field is not well-formed Basic credentials
     */
    static Credentials parse(String field) {
        if (field == null || field.length() > MAX_FIELD) return null;
        String f = field.strip();
        int space = f.indexOf(' ');
        // the scheme is case-insensitive (RFC 9110 §11.1); token68 follows after one or more spaces
        if (space != 5 || !f.regionMatches(true, 0, "Basic", 0, 5)) return null;
        String token = f.substring(space + 1).stripLeading();
        if (token.isEmpty()) return null;
        byte[] bytes;
        try {
            bytes = java.util.Base64.getDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            return null;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        int colon = text.indexOf(':');
        if (colon < 0) return null;
        String user = text.substring(0, colon);
        String password = text.substring(colon + 1);
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch < 0x20 || ch == 0x7f) return null; // RFC 7617 §2: no control characters in either
        }
        return new Credentials(user, password);
    }

    private static boolean isSafe(String method) {
        return switch (method) {
            case "GET", "HEAD", "OPTIONS", "TRACE" -> true;
            default -> false;
        };
    }

    private static void challenge(Response res, String challenge, String message) throws java.io.IOException {
        res.header("WWW-Authenticate", challenge);
        res.header("Cache-Control", "no-store");
        res.sendError(Status.UNAUTHORIZED, message);
    }
}
