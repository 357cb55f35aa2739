package io.sockeye.files;

/** Text from requests and file names made safe for a log line: no control character can forge a line. */
final class Logs {

    private Logs() {
    }

    /**
     * @param s a path or name, or {@code null}
     * @return it with control characters (C0, DEL, C1, and the Unicode line and paragraph separators)
     *         written as {@code \}{@code uXXXX}, and backslashes doubled; at most 300 characters of it
     */
    static String escape(String s) {
        if (s == null) return "null";
        StringBuilder sb = null;
        int n = Math.min(s.length(), 300);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean control = c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 || c == 0x2029 || c == '\\';
            if (control && sb == null) sb = new StringBuilder(n + 16).append(s, 0, i);
            if (sb != null) {
                if (c == '\\') sb.append("\\\\");
                else if (control) sb.append(String.format("\\u%04x", (int) c));
                else sb.append(c);
            }
        }
        String out = sb == null ? s.substring(0, n) : sb.toString();
        return s.length() > n ? out + "..." : out;
    }
}
