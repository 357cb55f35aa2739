package io.sockeye.form;

import java.util.Locale;

/**
 * Parameters of a header field value ({@code type; name=value; name="quoted value"}), as RFC 9110 §5.6.6
 * writes them: used for Content-Type's boundary and Content-Disposition's name and filename.
 */
public final class HeaderParameters {

    private HeaderParameters() {
    }

    /** @param value a field value @return what precedes the first {@code ;}, stripped */
    public static String type(String value) {
        int semi = value.indexOf(';');
        return (semi < 0 ? value : value.substring(0, semi)).strip();
    }

    /**
     * @param value a field value
     * @param name  a parameter name, in any case
     * @return the parameter's value, unquoted, or {@code null} if it is absent
     */
    public static String get(String value, String name) {
        int i = value.indexOf(';');
        int n = value.length();
        while (i >= 0 && i < n) {
            i++;
            while (i < n && (value.charAt(i) == ' ' || value.charAt(i) == '\t')) i++;
            int eq = value.indexOf('=', i);
            if (eq < 0) return null;
            String key = value.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            int v = eq + 1;
            while (v < n && (value.charAt(v) == ' ' || value.charAt(v) == '\t')) v++;
            String parsed;
            int next;
            if (v < n && value.charAt(v) == '"') {
                StringBuilder sb = new StringBuilder();
                int k = v + 1;
                while (k < n && value.charAt(k) != '"') {
                    char c = value.charAt(k);
                    if (c == '\\' && k + 1 < n) c = value.charAt(++k);
                    sb.append(c);
                    k++;
                }
                parsed = sb.toString();
                next = value.indexOf(';', k);
            } else {
                next = value.indexOf(';', v);
                parsed = (next < 0 ? value.substring(v) : value.substring(v, next)).strip();
            }
            if (key.equals(name.toLowerCase(Locale.ROOT))) return parsed;
            i = next;
        }
        return null;
    }
}
