package io.sockeye.files;

import java.util.Locale;

/** Reads weighted lists (RFC 9110 §12.4.2): {@code Accept-Encoding: br;q=1.0, gzip;q=0.8, *;q=0}. */
final class QualityValues {

    private QualityValues() {
    }

    /**
     * @param list  the field value, or {@code null}
     * @param token a content coding, as {@code gzip}
     * @return the weight the list gives the token, else the weight of {@code *}, else 0
     */
    static double coding(String list, String token) {
        if (list == null) return 0;
        double exact = -1;
        double any = -1;
        for (String item : list.split(",")) {
            String[] parts = item.split(";");
            String name = parts[0].strip().toLowerCase(Locale.ROOT);
            double q = weight(parts);
            if (name.equals(token)) exact = Math.max(exact, q);
            else if (name.equals("*")) any = Math.max(any, q);
        }
        return exact >= 0 ? exact : Math.max(any, 0);
    }

    /**
     * @param accept the Accept field value, or {@code null}
     * @param type   a media type, as {@code application/json}
     * @return the weight the most specific matching range gives it (0 if none matches)
     */
    static double mediaType(String accept, String type) {
        if (accept == null) return 0;
        String major = type.substring(0, type.indexOf('/'));
        double best = 0;
        int specificity = -1;
        for (String item : accept.split(",")) {
            String[] parts = item.split(";");
            String range = parts[0].strip().toLowerCase(Locale.ROOT);
            int s;
            if (range.equals(type)) s = 2;
            else if (range.equals(major + "/*")) s = 1;
            else if (range.equals("*/*")) s = 0;
            else continue;
            if (s > specificity) {
                specificity = s;
                best = weight(parts);
            }
        }
        return best;
    }

    private static double weight(String[] parts) {
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip();
            if (p.length() > 2 && (p.charAt(0) == 'q' || p.charAt(0) == 'Q') && p.charAt(1) == '=') {
                try {
                    double q = Double.parseDouble(p.substring(2));
                    return q < 0 || q > 1 || Double.isNaN(q) ? 0 : q;
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 1;
    }
}
