package io.sockeye.http1;

import java.nio.charset.StandardCharsets;

import io.sockeye.Headers;
import io.sockeye.HttpException;
import io.sockeye.Status;

/**
 * Parses a complete request head (request-line and field lines, as found by {@link HeadScanner}) per
 * RFC 9112, strictly: anything the grammar does not allow is a 400, and anything that would make the
 * message's framing ambiguous is refused rather than guessed at.
 *
 * <p>What it checks, beyond the grammar:
 * <ul>
 *   <li>§3.2: HTTP/1.1 requests carry exactly one valid {@code Host}.</li>
 *   <li>§5.2: no obs-fold (a field line starting with whitespace); §5.1: no whitespace before the colon.</li>
 *   <li>§6.1, §6.3: {@code Transfer-Encoding} only in HTTP/1.1, ending in {@code chunked} (else 400),
 *       with no other coding before it (codings we cannot undo are 501), never beside
 *       {@code Content-Length}; one {@code Content-Length}, digits only.</li>
 *   <li>RFC 9110 §2.5: a later HTTP/1.x minor version is served as HTTP/1.1; other majors are 505.</li>
 *   <li>RFC 9110 §10.1.1: {@code Expect} other than {@code 100-continue} is 417.</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class RequestParser {

    private static final long MAX_CONTENT_LENGTH_DIGITS = 18;
    private static final boolean[] TCHAR = new boolean[256];
    private static final boolean[] HOST_CHAR = new boolean[256];

    static {
        for (char c = '0'; c <= '9'; c++) TCHAR[c] = true;
        for (char c = 'a'; c <= 'z'; c++) TCHAR[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) TCHAR[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TCHAR[c] = true;
        // RFC 3986 §3.2.2 host (reg-name, IP-literal, IPv4) and §3.2.3 port
        for (char c = '0'; c <= '9'; c++) HOST_CHAR[c] = true;
        for (char c = 'a'; c <= 'z'; c++) HOST_CHAR[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) HOST_CHAR[c] = true;
        for (char c : "-._~!$&'()*+,;=%:[]".toCharArray()) HOST_CHAR[c] = true;
    }

    private final long maxBodyBytes;

    /** @param maxBodyBytes the largest body a request may declare; a larger Content-Length is a 413 */
    public RequestParser(long maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    /**
     * @param b     the buffer
     * @param start where the request-line begins
     * @param end   just past the CRLF of the empty line that ends the head
     * @return the parsed head
     * @throws HttpException 400, 413, 417, 501 or 505, with a message that says what was wrong
     */
    public RequestHead parse(byte[] b, int start, int end) {
        int lineEnd = lineEnd(b, start, end);

        // request-line = method SP request-target SP HTTP-version (§3)
        int i = start;
        while (i < lineEnd && TCHAR[b[i] & 0xff]) i++;
        if (i == start || i >= lineEnd || b[i] != ' ') throw bad("malformed request-line: bad method");
        String method = KnownNames.method(b, start, i - start);
        int targetStart = ++i;
        while (i < lineEnd && isTargetByte(b[i])) i++;
        if (i == targetStart || i >= lineEnd || b[i] != ' ') throw bad("malformed request-line: bad request-target");
        String target = new String(b, targetStart, i - targetStart, StandardCharsets.ISO_8859_1);
        int minor = version(b, i + 1, lineEnd);

        Headers headers = new Headers();
        int host = 0;
        String hostValue = null;
        long contentLength = -2;
        String transferEncoding = null;
        boolean close = false;
        boolean keepAliveToken = false;
        boolean expectContinue = false;

        int line = lineEnd + 2;
        while (line < end - 2) {
            int eol = lineEnd(b, line, end);
            if (b[line] == ' ' || b[line] == '\t') throw bad("obs-fold (a header field line starting with whitespace)");
            int colon = line;
            while (colon < eol && TCHAR[b[colon] & 0xff]) colon++;
            if (colon == eol || b[colon] != ':') {
                if (colon < eol && (b[colon] == ' ' || b[colon] == '\t')) throw bad("whitespace before the colon in a header field");
                throw bad(colon == line ? "empty header field name" : "malformed header field name");
            }
            if (colon == line) throw bad("empty header field name");
            String name = KnownNames.field(b, line, colon - line);
            int vs = colon + 1;
            int ve = eol;
            while (vs < ve && (b[vs] == ' ' || b[vs] == '\t')) vs++;
            while (ve > vs && (b[ve - 1] == ' ' || b[ve - 1] == '\t')) ve--;
            for (int k = vs; k < ve; k++) {
                int c = b[k] & 0xff;
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    throw bad(c == '\r' ? "bare CR in header field " + name : "control character in header field " + name);
                }
            }
            String value = new String(b, vs, ve - vs, StandardCharsets.ISO_8859_1);
            headers.add(name, value);

            if (name == KnownNames.HOST) {
                host++;
                hostValue = value;
            } else if (name == KnownNames.CONTENT_LENGTH) {
                if (contentLength != -2) throw bad("more than one Content-Length");
                contentLength = contentLength(b, vs, ve);
            } else if (name == KnownNames.TRANSFER_ENCODING) {
                transferEncoding = transferEncoding == null ? value : transferEncoding + "," + value;
            } else if (name == KnownNames.CONNECTION) {
                close |= headers.containsToken(KnownNames.CONNECTION, "close");
                keepAliveToken |= headers.containsToken(KnownNames.CONNECTION, "keep-alive");
            } else if (name == KnownNames.EXPECT) {
                if (!value.equalsIgnoreCase("100-continue")) {
                    throw new HttpException(Status.EXPECTATION_FAILED, "unsupported expectation");
                }
                expectContinue = minor == 1; // RFC 9110 §10.1.1: ignore it in an HTTP/1.0 request
            }
            line = eol + 2;
        }
        headers.makeReadOnly();

        if (minor == 1 && host != 1) throw bad(host == 0 ? "missing Host" : "more than one Host");
        if (host > 1) throw bad("more than one Host");
        if (hostValue != null && !validHost(hostValue)) throw bad("invalid Host");

        long length;
        if (transferEncoding != null) {
            if (minor == 0) throw bad("Transfer-Encoding in an HTTP/1.0 request");
            if (contentLength != -2) throw bad("both Content-Length and Transfer-Encoding");
            checkChunkedOnly(transferEncoding);
            length = -1;
        } else {
            length = contentLength == -2 ? 0 : contentLength;
        }
        if (length > maxBodyBytes) {
            throw new HttpException(Status.CONTENT_TOO_LARGE, "body of " + length + " bytes exceeds the limit of " + maxBodyBytes);
        }

        return target(method, target, minor, headers, length, minor == 1 ? !close : keepAliveToken && !close,
                expectContinue && length != 0);
    }

    private static RequestHead target(String method, String target, int minor, Headers headers, long length,
                                      boolean keepAlive, boolean expectContinue) {
        String rawPath;
        String rawQuery = null;
        String targetHost = null;
        char first = target.charAt(0);
        if (first == '/') {
            int q = target.indexOf('?');
            rawPath = q < 0 ? target : target.substring(0, q);
            if (q >= 0) rawQuery = target.substring(q + 1);
        } else if (target.equals("*")) {
            if (!method.equals(KnownNames.OPTIONS)) throw bad("asterisk-form target with a method other than OPTIONS");
            rawPath = "*";
        } else if (method.equals(KnownNames.CONNECT)) {
            throw new HttpException(Status.NOT_IMPLEMENTED, "CONNECT is not supported");
        } else if (startsWithIgnoreCase(target, "http://") || startsWithIgnoreCase(target, "https://")) {
            // absolute-form (§3.2.2): the authority in the target overrides Host
            int authStart = target.indexOf("//") + 2;
            int pathStart = authStart;
            while (pathStart < target.length() && "/?#".indexOf(target.charAt(pathStart)) < 0) pathStart++;
            targetHost = target.substring(authStart, pathStart);
            if (targetHost.isEmpty() || targetHost.indexOf('@') >= 0 || !validHost(targetHost)) {
                throw bad("invalid authority in absolute-form target");
            }
            String rest = target.substring(pathStart);
            if (rest.startsWith("#")) throw bad("fragment in request-target");
            int q = rest.indexOf('?');
            rawPath = q < 0 ? rest : rest.substring(0, q);
            if (rawPath.isEmpty()) rawPath = "/";
            if (q >= 0) rawQuery = rest.substring(q + 1);
        } else {
            throw bad("malformed request-target");
        }
        if (rawQuery != null && rawQuery.indexOf('#') >= 0 || rawPath.indexOf('#') >= 0) {
            throw bad("fragment in request-target");
        }
        return new RequestHead(method, target, rawPath, rawQuery, targetHost, minor, headers, length, keepAlive, expectContinue);
    }

    private static int lineEnd(byte[] b, int from, int end) {
        for (int i = from; i < end - 1; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') return i;
        }
        throw bad("unterminated line");
    }

    private static boolean isTargetByte(byte c) {
        // visible ASCII, or raw bytes above 0x7F (taken as UTF-8 when decoded); no controls, no spaces
        int v = c & 0xff;
        return v > 0x20 && v != 0x7f;
    }

    private static int version(byte[] b, int from, int lineEnd) {
        // HTTP-version = "HTTP" "/" DIGIT "." DIGIT, case-sensitive (§2.3)
        if (lineEnd - from != 8 || b[from] != 'H' || b[from + 1] != 'T' || b[from + 2] != 'T' || b[from + 3] != 'P'
                || b[from + 4] != '/' || !isDigit(b[from + 5]) || b[from + 6] != '.' || !isDigit(b[from + 7])) {
            throw bad("malformed HTTP-version");
        }
        if (b[from + 5] == '1') return b[from + 7] == '0' ? 0 : 1; // HTTP/1.2 and up: as the highest we speak
        throw new HttpException(Status.HTTP_VERSION_NOT_SUPPORTED, "HTTP version "
                + (char) b[from + 5] + "." + (char) b[from + 7] + " is not supported");
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static long contentLength(byte[] b, int from, int to) {
        // Content-Length = 1*DIGIT (RFC 9110 §8.6); a list, even of equal values, is refused: recipients
        // that treat such lists differently are a smuggling vector.
        if (from == to) throw bad("empty Content-Length");
        int significant = from;
        while (significant < to - 1 && b[significant] == '0') significant++;
        if (to - significant > MAX_CONTENT_LENGTH_DIGITS) {
            for (int i = from; i < to; i++) if (!isDigit(b[i])) throw bad("malformed Content-Length");
            throw new HttpException(Status.CONTENT_TOO_LARGE, "Content-Length is too large");
        }
        long n = 0;
        for (int i = from; i < to; i++) {
            if (!isDigit(b[i])) throw bad("malformed Content-Length");
            n = n * 10 + (b[i] - '0');
        }
        return n;
    }

    private static void checkChunkedOnly(String codings) {
        // §6.3: the final coding must be chunked, or the length is unknowable (400); chunked applied twice
        // is malformed (400); codings we cannot undo (gzip, ...) are 501 (§6.1).
        String[] parts = codings.split(",", -1);
        boolean unknown = false;
        int chunked = 0;
        for (int p = 0; p < parts.length; p++) {
            String coding = parts[p].strip();
            int semi = coding.indexOf(';');
            if (semi >= 0) coding = coding.substring(0, semi).strip();
            if (coding.isEmpty()) throw bad("empty transfer coding");
            if (coding.equalsIgnoreCase("chunked")) {
                chunked++;
                if (p != parts.length - 1) throw bad("chunked is not the final transfer coding");
            } else {
                for (int k = 0; k < coding.length(); k++) {
                    char c = coding.charAt(k);
                    if (c > 0xff || !TCHAR[c]) throw bad("malformed transfer coding");
                }
                unknown = true;
            }
        }
        if (chunked > 1) throw bad("chunked applied more than once");
        if (chunked == 0) throw bad("chunked is not the final transfer coding");
        if (unknown) throw new HttpException(Status.NOT_IMPLEMENTED, "unsupported transfer coding");
    }

    private static boolean validHost(String host) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c > 0xff || !HOST_CHAR[c]) return false;
        }
        return true;
    }

    private static boolean startsWithIgnoreCase(String s, String prefix) {
        return s.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    private static HttpException bad(String message) {
        return new HttpException(Status.BAD_REQUEST, message);
    }
}
