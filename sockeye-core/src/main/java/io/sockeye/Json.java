package io.sockeye;

/**
 * Escaping for putting untrusted text into JSON as a string (RFC 8259 §7): quotes, backslashes and every
 * control character escaped, and U+2028/U+2029 too, which JavaScript before ES2019 takes for line ends.
 * The one place the library decides how client text becomes JSON (listings, the JSON access log).
 */
public final class Json {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Json() {
    }

    /**
     * Appends text as a JSON string, quotes included; {@code null} as {@code null}.
     *
     * @param sb        where to append
     * @param text      any text, or {@code null}
     * @param asciiOnly whether to escape every character above U+007E too ({@code \\u00e9}), for output
     *                  that must stay ASCII (a log line); otherwise they are kept as they are
     * @return {@code sb}
     */
    public static StringBuilder appendString(StringBuilder sb, String text, boolean asciiOnly) {
        if (text == null) return sb.append("null");
        sb.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029 || (asciiOnly && c > 0x7e)) {
                        sb.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf])
                                .append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }

    /**
     * @param text any text, or {@code null}
     * @return it as a JSON string, quotes included, non-ASCII characters kept; {@code null} for {@code null}
     */
    public static String quote(String text) {
        return appendString(new StringBuilder(text == null ? 4 : text.length() + 8), text, false).toString();
    }
}
