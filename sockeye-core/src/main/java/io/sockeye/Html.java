package io.sockeye;

/** Escaping for putting untrusted text into HTML. */
public final class Html {

    private Html() {
    }

    /**
     * Escapes text for an HTML element's content or a quoted attribute value: {@code & < > " '}.
     *
     * @param text any text, or {@code null}
     * @return the escaped text; empty for {@code null}
     */
    public static String escape(String text) {
        if (text == null) return "";
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String rep = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                default -> null;
            };
            if (rep != null) {
                if (sb == null) sb = new StringBuilder(text.length() + 16).append(text, 0, i);
                sb.append(rep);
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? text : sb.toString();
    }
}
