package io.sockeye;

/** Character classes of RFC 9110 §5.6.2 and a safe way to quote untrusted text in messages. */
final class Tokens {

    private static final boolean[] TCHAR = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) TCHAR[c] = true;
        for (char c = 'a'; c <= 'z'; c++) TCHAR[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) TCHAR[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TCHAR[c] = true;
    }

    private Tokens() {
    }

    static boolean isTchar(char c) {
        return c < 128 && TCHAR[c];
    }

    static boolean isToken(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            if (!isTchar(s.charAt(i))) return false;
        }
        return true;
    }

    /** Quotes text for a log line or an exception message: control characters escaped, length capped. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 80) + 2).append('"');
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') sb.append(String.format("\\x%02x", (int) c));
            else sb.append(c);
        }
        if (s.length() > 80) sb.append("...");
        return sb.append('"').toString();
    }
}
