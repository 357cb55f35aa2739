package io.sockeye.cli;

import java.util.ArrayList;
import java.util.List;

import io.sockeye.Handler;

/**
 * {@code -H "Name: value"}: header fields added to every response, as {@code http-server -H} and
 * miniserve's {@code --header} do. Checked at start (a token name, a value of visible characters, spaces
 * and tabs, no CR or LF), so a typo is a usage error rather than a broken response on every request.
 */
final class ExtraHeaders {

    /** One field to add. */
    record Field(String name, String value) {
    }

    private ExtraHeaders() {
    }

    /**
     * @param option a {@code -H} value, {@code "Name: value"}
     * @return the field
     * @throws IllegalArgumentException with a message for the command line, if it is malformed
     */
    static Field parse(String option) {
        int colon = option.indexOf(':');
        if (colon <= 0) throw new IllegalArgumentException("-H takes \"Name: value\": " + shown(option));
        String name = option.substring(0, colon);
        String value = option.substring(colon + 1).strip();
        for (int i = 0; i < name.length(); i++) {
            if (!isTchar(name.charAt(i))) throw new IllegalArgumentException("-H: not a header name: " + shown(name));
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            // RFC 9110 §5.5: visible ASCII, obs-text, spaces and tabs; never CR, LF or NUL
            if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                throw new IllegalArgumentException("-H " + name + ": the value holds a control character or a non-Latin-1 character");
            }
        }
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        if (lower.equals("content-length") || lower.equals("transfer-encoding") || lower.equals("connection")) {
            throw new IllegalArgumentException("-H: " + name + " is the server's to set (it frames the response)");
        }
        return new Field(name, value);
    }

    /**
     * @return the handler, adding the fields to every response before it runs (so a field the handler
     *         sets itself, a file's Cache-Control say, replaces one of the same name)
     */
    static Handler wrap(Handler handler, List<Field> fields) {
        if (fields.isEmpty()) return handler;
        List<Field> all = List.copyOf(fields);
        return (req, res) -> {
            for (Field f : all) res.headers().add(f.name(), f.value());
            handler.handle(req, res);
        };
    }

    /** @return the parsed values of the {@code -H} options */
    static List<Field> parseAll(List<String> options) {
        List<Field> fields = new ArrayList<>();
        for (String o : options) fields.add(parse(o));
        return fields;
    }

    private static boolean isTchar(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static String shown(String s) {
        return '"' + s.replaceAll("\\p{Cntrl}", "?") + '"';
    }
}
