package io.sockeye.http1;

import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The access log: one line per exchange in the Combined Log Format (Apache's {@code combined}:
 * {@code host ident user [time] "request-line" status bytes "referer" "user-agent"}), written to the
 * {@code System.Logger} named {@code io.sockeye.access} at INFO. Text the client controls is escaped as
 * Apache does ({@code \"}, {@code \\}, {@code \xhh}), so a request cannot forge log lines.
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
     * @param remote      the client
     * @param requestLine the request-line, or {@code null} when none could be parsed
     * @param status      the status sent
     * @param bytes       body bytes sent
     * @param referer     the Referer field, or {@code null}
     * @param userAgent   the User-Agent field, or {@code null}
     */
    static void log(InetSocketAddress remote, String requestLine, int status, long bytes, String referer, String userAgent) {
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
        LOG.log(Level.INFO, sb.toString());
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
