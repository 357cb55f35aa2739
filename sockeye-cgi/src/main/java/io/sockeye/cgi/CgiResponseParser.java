package io.sockeye.cgi;

import java.io.IOException;
import java.io.InputStream;

import io.sockeye.Headers;

/**
 * Reads the header section a CGI script writes before its body (RFC 3875 §6.2–6.3) and what it means:
 * {@code Status}, {@code Location} (a path: a local redirect; a URL: a client redirect), {@code
 * Content-Type}, and other fields to pass on. Lines may end in LF or CRLF (scripts print {@code "\n"}).
 * Bounded: at most 64 KiB and 100 fields. Anything malformed is a {@link CgiException}, which the
 * handler answers with 502.
 *
 * <p>A status is three digits from 200 to 599. RFC 9110 §15 gives a status three digits and defines the
 * classes 1xx to 5xx only; a 1xx is interim (§15.2), never the final answer a script's output is, so a
 * {@code Status: 100} is as wrong as {@code Status: 999}. Fields that may appear only once (RFC 9110 §5.3:
 * they are not lists) and that say how the body is to be read or cached ({@link #SINGLETONS}: the
 * {@code Content-Type}, say) are refused when repeated rather than one picked: two content types from one
 * script are a bug in it, and which one a client would obey is not known (a {@code text/plain} and a
 * {@code text/html} is how a script's output turns into markup in one browser and not another).
 *
 * <p>For NPH scripts (§5), {@link #parseNph} reads the status line the script wrote itself instead.
 */
final class CgiResponseParser {

    static final int MAX_HEADER_BYTES = 64 * 1024;
    static final int MAX_FIELDS = 100;
    /** Fields a script may send at most once (with {@code Status} and {@code Location}, CGI's own). */
    static final java.util.List<String> SINGLETONS = java.util.List.of("Status", "Location", "Content-Type",
            "Content-Location", "Content-Range", "ETag", "Last-Modified");

    /** A script's output that breaks the CGI rules. */
    static final class CgiException extends IOException {
        private static final long serialVersionUID = 1L;

        CgiException(String message) {
            super(message);
        }
    }

    private final InputStream in;
    private int consumed;

    CgiResponseParser(InputStream in) {
        this.in = in;
    }

    /** @return the interpreted head; the stream is left at the first body byte */
    CgiResponseHead parse() throws IOException {
        return interpret(readFields(), null);
    }

    /** Reads an NPH script's {@code HTTP/1.x NNN reason} line, then its fields. */
    CgiResponseHead parseNph() throws IOException {
        String statusLine = line();
        if (statusLine == null) throw new CgiException("no output");
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !(parts[0].equals("HTTP/1.1") || parts[0].equals("HTTP/1.0"))) throw new CgiException("NPH output without a status line");
        int status = status(parts[1]);
        return interpret(readFields(), status);
    }

    private Headers readFields() throws IOException {
        Headers fields = new Headers();
        while (true) {
            String line = line();
            if (line == null) {
                if (fields.isEmpty()) throw new CgiException("no output");
                throw new CgiException("output ended inside the header section");
            }
            if (line.isEmpty()) return fields;
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') throw new CgiException("folded header line");
            int colon = line.indexOf(':');
            if (colon <= 0) throw new CgiException("malformed header line: " + quote(line));
            if (fields.size() == MAX_FIELDS) throw new CgiException("more than " + MAX_FIELDS + " header fields");
            try {
                fields.add(line.substring(0, colon), line.substring(colon + 1));
            } catch (IllegalArgumentException e) {
                throw new CgiException("malformed header line: " + quote(line));
            }
        }
    }

    private static CgiResponseHead interpret(Headers fields, Integer nphStatus) throws CgiException {
        String statusField = fields.get("Status");
        String location = fields.get("Location");
        String contentType = fields.get("Content-Type");
        for (String name : SINGLETONS) {
            if (fields.allValues(name).size() > 1) throw new CgiException("repeated " + name + " field");
        }
        Headers out = new Headers();
        for (int i = 0; i < fields.size(); i++) {
            String name = fields.name(i);
            if (name.equalsIgnoreCase("Status") || isHopByHop(name)) continue;
            out.add(name, fields.value(i));
        }
        int status;
        if (nphStatus != null) {
            status = nphStatus;
        } else if (statusField != null) {
            status = status(statusField.strip().split(" ", 2)[0]);
        } else if (location != null) {
            status = 302;
        } else if (contentType != null) {
            status = 200;
        } else {
            throw new CgiException("no Content-Type, Location or Status");
        }
        boolean local = location != null && location.startsWith("/") && !location.startsWith("//")
                && statusField == null && nphStatus == null;
        if (location != null && !local && !location.startsWith("/") && !isAbsoluteUrl(location)) {
            throw new CgiException("Location is neither a path nor an absolute URL: " + quote(location));
        }
        return new CgiResponseHead(status, out, location, local);
    }

    /** Fields about the connection or the framing, which are the server's to decide, not a script's. */
    private static boolean isHopByHop(String name) {
        return name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Connection") || name.equalsIgnoreCase("Transfer-Encoding")
                || name.equalsIgnoreCase("Keep-Alive") || name.equalsIgnoreCase("Upgrade")
                || name.equalsIgnoreCase("Proxy-Connection") || name.equalsIgnoreCase("TE")
                || name.equalsIgnoreCase("Trailer");
    }

    private static boolean isAbsoluteUrl(String s) {
        int colon = s.indexOf(':');
        if (colon <= 0) return false;
        for (int i = 0; i < colon; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
            if (!ok) return false;
        }
        return true;
    }

    private static int status(String code) throws CgiException {
        if (code.length() != 3) throw new CgiException("malformed status: " + quote(code));
        int status = 0;
        for (int i = 0; i < 3; i++) {
            char c = code.charAt(i);
            if (c < '0' || c > '9') throw new CgiException("malformed status: " + quote(code));
            status = status * 10 + (c - '0');
        }
        if (status < 200) throw new CgiException("status " + status + " cannot be a final response");
        if (status > 599) throw new CgiException("status " + status + " is outside HTTP's classes (1xx-5xx)");
        return status;
    }

    /** @return the next line without its LF or CRLF, or {@code null} at end of stream before any byte */
    private String line() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        while (true) {
            int c = in.read();
            if (c < 0) return sb.isEmpty() ? null : sb.toString();
            if (++consumed > MAX_HEADER_BYTES) throw new CgiException("header section longer than " + MAX_HEADER_BYTES + " bytes");
            if (c == '\n') {
                int n = sb.length();
                if (n > 0 && sb.charAt(n - 1) == '\r') sb.setLength(n - 1);
                return sb.toString();
            }
            sb.append((char) c);
        }
    }

    private static String quote(String s) {
        String t = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        StringBuilder sb = new StringBuilder("\"");
        for (char c : t.toCharArray()) sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        return sb.append('"').toString();
    }
}
