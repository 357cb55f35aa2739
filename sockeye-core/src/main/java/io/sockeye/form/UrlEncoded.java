package io.sockeye.form;

import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;

import io.sockeye.HttpException;
import io.sockeye.Status;

/**
 * The {@code application/x-www-form-urlencoded} format (WHATWG URL §5.1), used by query strings and by
 * HTML forms: {@code name=value} pairs joined by {@code &}, {@code +} for space, percent-escapes for the
 * rest, UTF-8 throughout.
 */
public final class UrlEncoded {

    private UrlEncoded() {
    }

    /**
     * Decodes the pairs in order, passing each to {@code sink}; empty pieces ({@code a=1&&b=2}) are skipped,
     * a piece without {@code =} is a name with an empty value.
     *
     * @param encoded  the text; characters beyond ASCII are taken as text and encoded as UTF-8 first
     * @param maxPairs most pairs accepted
     * @param sink     receives each decoded name and value
     * @throws HttpException 400 on a malformed escape or invalid UTF-8, 413 past {@code maxPairs}
     */
    public static void parse(String encoded, int maxPairs, BiConsumer<String, String> sink) {
        String bytes = asBytes(encoded);
        parseBytes(bytes, maxPairs, sink);
    }

    /**
     * Like {@link #parse(String, int, BiConsumer)}, for text that came off the wire one char per byte
     * (a query string as received): a char above 0x7F is that byte.
     *
     * @param latin1   the encoded text, one char per byte
     * @param maxPairs most pairs accepted
     * @param sink     receives each decoded name and value
     * @throws HttpException 400 on a malformed escape or invalid UTF-8, 413 past {@code maxPairs}
     */
    public static void parseBytes(String latin1, int maxPairs, BiConsumer<String, String> sink) {
        int n = latin1.length();
        int start = 0;
        int pairs = 0;
        while (start <= n) {
            int amp = latin1.indexOf('&', start);
            int end = amp < 0 ? n : amp;
            if (end > start) {
                if (++pairs > maxPairs) {
                    throw new HttpException(Status.CONTENT_TOO_LARGE, "more than " + maxPairs + " form fields");
                }
                int eq = latin1.indexOf('=', start);
                if (eq < 0 || eq > end) eq = end;
                String name = PercentDecoder.decode(latin1, start, eq, true, "form field name");
                String value = eq == end ? "" : PercentDecoder.decode(latin1, eq + 1, end, true, "form field value");
                sink.accept(name, value);
            }
            if (amp < 0) break;
            start = amp + 1;
        }
    }

    private static String asBytes(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0x7f) {
                return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
            }
        }
        return text;
    }
}
