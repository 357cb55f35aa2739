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

    /** Quotes text for a log line or an exception message: control characters escaped (see {@link LogText}), length capped. */
    static String quote(String s) {
        String head = s.length() > 80 ? s.substring(0, 80) : s;
        return '"' + LogText.escape(head).replace("\"", "\\x22") + (s.length() > 80 ? "..." : "") + '"';
    }
}
