package io.sockeye;

/**
 * Text from clients (or scripts) made safe for a log line: a request-line, a path, a header value or a
 * script's error output may hold control characters that would forge lines or drive the terminal the log
 * is read on (an ESC or a C1 {@code CSI}, {@code U+009B}, starts an escape sequence; bidirectional
 * overrides reorder what is shown). Such characters are written as {@code \xhh} or {@code \\uhhhh}, and a
 * backslash as {@code \\}, so the line still says exactly what was received. Printable text, non-ASCII
 * letters included, is kept as it is.
 *
 * <pre>{@code
 * LOG.log(Level.INFO, "refused " + LogText.escape(request.rawPath()));
 * }</pre>
 */
public final class LogText {

    private LogText() {
    }

    /**
     * @param text untrusted text, or {@code null}
     * @return the text with control, format and line-separator characters escaped ({@code "null"} for null)
     */
    public static String escape(CharSequence text) {
        if (text == null) return "null";
        int n = text.length();
        int i = 0;
        while (i < n && !needsEscape(text, i)) i += Character.isHighSurrogate(text.charAt(i)) ? 2 : 1;
        if (i >= n) return text.toString();
        StringBuilder sb = new StringBuilder(n + 16).append(text, 0, i);
        for (; i < n; i++) {
            char c = text.charAt(i);
            if (!needsEscape(text, i)) {
                sb.append(c);
                if (Character.isHighSurrogate(c)) sb.append(text.charAt(++i)); // the pair is a character
            } else if (c == '\\') {
                sb.append("\\\\");
            } else if (c < 0x100) {
                sb.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            } else {
                sb.append("\\u").append(String.format("%04x", (int) c));
            }
        }
        return sb.toString();
    }

    /**
     * @param text     untrusted text, or {@code null}
     * @param maxChars how much of it to keep; longer text is cut there and marked with {@code ...}
     * @return the text, cut, with control, format and line-separator characters escaped
     */
    public static String escape(CharSequence text, int maxChars) {
        if (text == null || text.length() <= maxChars) return escape(text);
        int end = Character.isHighSurrogate(text.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
        return escape(text.subSequence(0, end)) + "...";
    }

    /**
     * C0 controls and DEL; C1 controls (a terminal may take U+009B for ESC [); the line and paragraph
     * separators; the bidirectional marks, embeddings, overrides and isolates (CVE-2021-42574's "Trojan
     * Source" characters); lone surrogates; and the backslash that introduces an escape.
     */
    private static boolean needsEscape(CharSequence text, int i) {
        char c = text.charAt(i);
        if (c < 0x20 || c == 0x7f || c == '\\') return true;
        if (c < 0x80) return false;
        if (Character.isHighSurrogate(c)) return i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1));
        return c <= 0x9f || c == 0x061c || c == 0x200e || c == 0x200f || (c >= 0x2028 && c <= 0x202e)
                || (c >= 0x2066 && c <= 0x2069) || Character.isLowSurrogate(c);
    }
}
