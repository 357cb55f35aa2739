package io.sockeye.files;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The docroot as a jail: turns a request path into a path relative to the root, or refuses it.
 *
 * <p>The request path arrives percent-decoded once (by the server). Refused, whatever their encoding:
 * slashes and backslashes that were encoded ({@code %2F}, {@code %5C}) or sent raw ({@code \}), which
 * some clients and file systems treat as separators; NUL; hidden segments (starting with {@code .})
 * unless allowed; and {@code ..} segments that would climb above the root. {@code .} and {@code ..} are
 * resolved as RFC 3986 §5.2.4 says before anything touches the file system. Symbolic links are checked
 * after mapping, by {@link #inside(Path, Path)}: whatever the path says, the real file must be under the
 * real root.
 */
final class SafePaths {

    private SafePaths() {
    }

    /**
     * @param rawPath     the path as sent (still encoded), to see what the decoding hid
     * @param decodedPath the path below the mount point, decoded, starting with {@code /}
     * @param dotfiles    whether hidden segments are allowed
     * @return the segments of the path relative to the root ({@code []} for the root itself), or
     *         {@code null} if the path is refused
     */
    static List<String> segments(String rawPath, String decodedPath, boolean dotfiles) {
        if (!decodedPath.startsWith("/")) return null;
        String lower = rawPath.toLowerCase(Locale.ROOT);
        if (lower.contains("%2f") || lower.contains("%5c") || rawPath.indexOf('\\') >= 0) return null;
        List<String> out = new ArrayList<>();
        int start = 1;
        int n = decodedPath.length();
        while (start <= n) {
            int slash = decodedPath.indexOf('/', start);
            int end = slash < 0 ? n : slash;
            String segment = decodedPath.substring(start, end);
            if (segment.isEmpty() || segment.equals(".")) {
                // "//" and "/./" name the same directory
            } else if (segment.equals("..")) {
                if (out.isEmpty()) return null; // would climb out of the root
                out.remove(out.size() - 1);
            } else {
                if (segment.indexOf('\0') >= 0 || segment.indexOf('\\') >= 0) return null;
                if (!dotfiles && segment.charAt(0) == '.') return null;
                out.add(segment);
            }
            if (slash < 0) break;
            start = slash + 1;
        }
        return out;
    }

    /** @return the file the segments name under the root */
    static Path resolve(Path root, List<String> segments) {
        Path p = root;
        for (String s : segments) p = p.resolve(s);
        return p;
    }

    /**
     * @param realRoot the root, as {@link Path#toRealPath} gives it
     * @param file     a path under the root
     * @return whether the file, with every symbolic link on its way resolved, is still under the root
     * @throws IOException if the file does not exist or cannot be resolved
     */
    static boolean inside(Path realRoot, Path file) throws IOException {
        return file.toRealPath().startsWith(realRoot);
    }
}
