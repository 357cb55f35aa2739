package io.sockeye.http1;

import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import io.sockeye.AccessLogFormat;

/**
 * The access log: one message per exchange, written to the {@code System.Logger} named
 * {@code io.sockeye.access} at INFO, in the Combined Log Format (Apache's {@code combined}:
 * {@code host ident user [time] "request-line" status bytes "referer" "user-agent"}) or as one JSON object
 * (see {@link AccessLogFormat}). Text the client controls is escaped as Apache does ({@code \"}, {@code \\},
 * {@code \xhh}), or as JSON requires, so a request cannot forge log lines.
 */
final class AccessLog {

    static final System.Logger LOG = System.getLogger("io.sockeye.access");
    private static final DateTimeFormatter CLF_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US).withZone(ZoneId.systemDefault());

    private record Stamp(long second, String text) {
    }

    private static volatile Stamp stamp = new Stamp(-1, "");

    private AccessLog() {
    }

    static boolean enabled() {
        return LOG.isLoggable(Level.INFO);
    }

    /**
     * Logs an exchange whose request head was parsed.
     *
     * @param format     the form of the message
     * @param remote     the client
     * @param head       the request's head
     * @param status     the status sent
     * @param bytes      body bytes sent
     * @param startNanos {@link System#nanoTime()} when the head had been read
     */
    static void log(AccessLogFormat format, InetSocketAddress remote, RequestHead head, int status, long bytes, long startNanos) {
        String referer = head.headers().get(KnownNames.REFERER);
        String userAgent = head.headers().get(KnownNames.USER_AGENT);
        if (format == AccessLogFormat.JSON) {
            LOG.log(Level.INFO, json(remote, head.method(), head.target(), head.version(), null, status, bytes,
                    referer, userAgent, startNanos));
        } else {
            LOG.log(Level.INFO, combined(remote, head.requestLine(), status, bytes, referer, userAgent));
        }
    }

    /**
     * Logs a request refused before its head could be parsed.
     *
     * @param format      the form of the message
     * @param remote      the client
     * @param requestLine the start of what may be its request-line, or {@code null}
     * @param status      the status sent
     * @param bytes       body bytes sent
     * @param startNanos  {@link System#nanoTime()} when the request began
     */
    static void logRefused(AccessLogFormat format, InetSocketAddress remote, String requestLine, int status, long bytes,
                           long startNanos) {
        LOG.log(Level.INFO, format == AccessLogFormat.JSON
                ? json(remote, null, null, null, requestLine, status, bytes, null, null, startNanos)
                : combined(remote, requestLine, status, bytes, null, null));
    }

    static String combined(InetSocketAddress remote, String requestLine, int status, long bytes, String referer,
                           String userAgent) {
        StringBuilder sb = new StringBuilder(160);
        sb.append(remote.getAddress().getHostAddress()).append(" - - [").append(now()).append("] \"");
        if (requestLine == null) sb.append('-');
        else escape(sb, requestLine);
        sb.append("\" ").append(status).append(' ');
        if (bytes > 0) sb.append(bytes);
        else sb.append('-');
        sb.append(" \"");
        if (referer == null) sb.append('-');
        else escape(sb, referer);
        sb.append("\" \"");
        if (userAgent == null) sb.append('-');
        else escape(sb, userAgent);
        sb.append('"');
        return sb.toString();
    }

    static String json(InetSocketAddress remote, String method, String target, String protocol, String request,
                       int status, long bytes, String referer, String userAgent, long startNanos) {
        long micros = Math.max(0, (System.nanoTime() - startNanos) / 1000);
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"time\":\"").append(Instant.now()).append('"');
        sb.append(",\"remote\":");
        jsonString(sb, remote.getAddress().getHostAddress());
        sb.append(",\"method\":");
        jsonString(sb, method);
        sb.append(",\"target\":");
        jsonString(sb, target);
        sb.append(",\"protocol\":");
        jsonString(sb, protocol);
        if (method == null) {
            sb.append(",\"request\":");
            jsonString(sb, request);
        }
        sb.append(",\"status\":").append(status);
        sb.append(",\"bytes\":").append(bytes);
        sb.append(",\"referer\":");
        jsonString(sb, referer);
        sb.append(",\"user_agent\":");
        jsonString(sb, userAgent);
        // milliseconds with microsecond precision, written without floating point
        sb.append(",\"duration_ms\":").append(micros / 1000).append('.');
        long fraction = micros % 1000;
        if (fraction < 100) sb.append('0');
        if (fraction < 10) sb.append('0');
        sb.append(fraction).append('}');
        return sb.toString();
    }

    /** A JSON string (or {@code null}), escaped so that the result is ASCII with no control characters. */
    static void jsonString(StringBuilder sb, String s) {
        io.sockeye.Json.appendString(sb, s, true);
    }

    private static String now() {
        long second = System.currentTimeMillis() / 1000;
        Stamp s = stamp;
        if (s.second != second) {
            s = new Stamp(second, CLF_TIME.format(Instant.ofEpochSecond(second)));
            stamp = s;
        }
        return s.text;
    }

    private static void escape(StringBuilder sb, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c >= 0x7f) {
                sb.append("\\x").append(Character.forDigit(c >> 4 & 0xf, 16)).append(Character.forDigit(c & 0xf, 16));
            } else {
                sb.append(c);
            }
        }
    }
}
