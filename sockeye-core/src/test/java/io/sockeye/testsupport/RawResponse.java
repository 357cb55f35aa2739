package io.sockeye.testsupport;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A response as it came off the wire. */
public record RawResponse(String statusLine, int status, List<String[]> headers, byte[] body) {

    /** @return the first value of a header field, or {@code null} */
    public String header(String name) {
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase(name)) return h[1];
        }
        return null;
    }

    /** @return every value of a header field */
    public List<String> headers(String name) {
        List<String> all = new ArrayList<>();
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase(name)) all.add(h[1]);
        }
        return all;
    }

    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
