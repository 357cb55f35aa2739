package io.sockeye;

import java.util.ArrayList;
import java.util.List;

import io.sockeye.form.PercentDecoder;

/**
 * Request paths as names of things under a root (files, scripts): what every handler that maps URLs to a
 * file system must get right, in one place.
 */
public final class RequestPaths {

    private RequestPaths() {
    }

    /**
     * The segments of the request's path below its mount point, for looking something up under a root —
     * or {@code null} if the path must be refused. The path is decoded once (by the server); refused,
     * whatever their encoding, are: slashes and backslashes that were encoded ({@code %2F}, {@code %5C})
     * or backslashes sent raw (some clients and file systems take them for separators); NUL; {@code ..}
     * that would climb above the root; and hidden segments (starting with {@code .}) unless allowed.
     * {@code .}, {@code ..} and empty segments are resolved as RFC 3986 §5.2.4 says.
     *
     * @param request     the request
     * @param allowHidden whether segments starting with {@code .} are allowed
     * @return the segments ({@code []} for the root itself), or {@code null}
     */
    public static List<String> jailedSegments(Request request, boolean allowHidden) {
        String raw = request.rawPath();
        if (hidesSeparator(raw)) return null;
        String decoded = request.pathWithinMount();
        if (!decoded.startsWith("/")) return null;
        List<String> out = new ArrayList<>();
        int start = 1;
        int n = decoded.length();
        while (start <= n) {
            int slash = decoded.indexOf('/', start);
            int end = slash < 0 ? n : slash;
            String segment = decoded.substring(start, end);
            if (segment.isEmpty() || segment.equals(".")) {
                // "//" and "/./" name the same directory
            } else if (segment.equals("..")) {
                if (out.isEmpty()) return null;
                out.remove(out.size() - 1);
            } else {
                if (segment.indexOf('\0') >= 0 || segment.indexOf('\\') >= 0) return null;
                if (!allowHidden && segment.charAt(0) == '.') return null;
                out.add(segment);
            }
            if (slash < 0) break;
            start = slash + 1;
        }
        return out;
    }

    /**
     * The same as {@link #jailedSegments}, as one string: the segments joined by {@code /}, {@code ""} for
     * the root, {@code null} if refused. Cheaper for the common path, which needs no decoding or
     * resolving: it is then the path itself, without its slashes at either end.
     *
     * @param request     the request
     * @param allowHidden whether segments starting with {@code .} are allowed
     * @return the relative path, or {@code null}
     */
    public static String jailedPath(Request request, boolean allowHidden) {
        String raw = request.rawPath();
        if (raw.indexOf('%') < 0 && raw.indexOf('\\') < 0) {
            String p = request.pathWithinMount();
            int n = p.length();
            boolean simple = n > 0 && p.charAt(0) == '/';
            for (int i = 1; i < n && simple; i++) {
                char c = p.charAt(i);
                // a segment that is empty or starts with a dot needs the full rules (".", "..", hidden)
                if ((c == '/' || c == '.') && p.charAt(i - 1) == '/') simple = false;
            }
            if (simple) return p.substring(1, n > 1 && p.charAt(n - 1) == '/' ? n - 1 : n);
        }
        List<String> segments = jailedSegments(request, allowHidden);
        return segments == null ? null : String.join("/", segments);
    }

    /** @return whether the raw path hides a separator or a NUL in an escape, or holds a backslash */
    private static boolean hidesSeparator(String raw) {
        if (raw.indexOf('\\') >= 0) return true;
        for (int i = raw.indexOf('%'); i >= 0 && i + 2 < raw.length(); i = raw.indexOf('%', i + 1)) {
            char a = raw.charAt(i + 1);
            char b = raw.charAt(i + 2);
            if (a == '2' && (b == 'f' || b == 'F')) return true;
            if (a == '5' && (b == 'c' || b == 'C')) return true;
        }
        return false;
    }

    /**
     * Percent-decodes a path as the server decodes {@link Request#path()}: UTF-8, {@code +} kept.
     *
     * @param rawPath a path as sent
     * @return the decoded path
     * @throws HttpException 400 on a malformed escape, invalid UTF-8 or NUL
     */
    public static String decode(String rawPath) {
        String decoded = PercentDecoder.decode(rawPath, false, "path");
        if (decoded.indexOf('\0') >= 0) throw new HttpException(Status.BAD_REQUEST, "NUL in path");
        return decoded;
    }

    /**
     * The canonical form of a path as sent: one leading slash, no empty, {@code .} or {@code ..} segments
     * ({@code ..} above the root is dropped), a trailing slash kept. Segments stay encoded as they were;
     * {@code %2E} counts as a dot.
     *
     * @param rawPath a path as sent, starting with {@code /}
     * @return the canonical path; the same string if it already is
     */
    public static String canonical(String rawPath) {
        if (!needsCleaning(rawPath)) return rawPath;
        List<String> out = new ArrayList<>();
        int n = rawPath.length();
        int start = 1;
        boolean trailingSlash = false;
        while (start <= n) {
            int slash = rawPath.indexOf('/', start);
            int end = slash < 0 ? n : slash;
            int dots = dots(rawPath, start, end);
            if (end == start || dots == 1) {
                trailingSlash = true;
            } else if (dots == 2) {
                if (!out.isEmpty()) out.remove(out.size() - 1);
                trailingSlash = true;
            } else {
                out.add(rawPath.substring(start, end));
                trailingSlash = false;
            }
            if (slash < 0) break;
            start = slash + 1;
        }
        StringBuilder sb = new StringBuilder(n);
        for (String segment : out) sb.append('/').append(segment);
        if (sb.isEmpty() || trailingSlash) sb.append('/');
        return sb.toString();
    }

    private static boolean needsCleaning(String p) {
        int n = p.length();
        int start = 1;
        while (start <= n) {
            int slash = p.indexOf('/', start);
            int end = slash < 0 ? n : slash;
            if ((end == start && slash >= 0) || dots(p, start, end) > 0) return true;
            if (slash < 0) return false;
            start = slash + 1;
        }
        return false;
    }

    /** @return 1 for a "." segment, 2 for "..", 0 otherwise; {@code %2E} counts as a dot */
    private static int dots(String p, int from, int to) {
        int dots = 0;
        int i = from;
        while (i < to) {
            if (p.charAt(i) == '.') {
                i++;
            } else if (i + 2 < to && p.charAt(i) == '%' && p.charAt(i + 1) == '2' && (p.charAt(i + 2) == 'e' || p.charAt(i + 2) == 'E')) {
                i += 3;
            } else {
                return 0;
            }
            if (++dots > 2) return 0;
        }
        return dots;
    }
}
