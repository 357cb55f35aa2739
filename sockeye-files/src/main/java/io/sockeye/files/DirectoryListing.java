package io.sockeye.files;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import io.sockeye.Html;

/**
 * A directory's contents as an HTML page or as JSON. Names are data, never markup or paths: escaped for
 * HTML in text, percent-encoded in links (every byte but unreserved ones, so a name like {@code a:b} can
 * never be taken for a URL scheme). Hidden entries and links that leave the root are left out unless
 * allowed. Directories come first; the page sorts by name, size or date, either way.
 */
final class DirectoryListing {

    /** At most this many entries are listed; a larger directory is cut short, and the page says so. */
    static final int MAX_ENTRIES = 10_000;

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    record Entry(String name, boolean directory, long size, Instant modified) {
    }

    enum Sort { NAME, SIZE, DATE }

    private DirectoryListing() {
    }

    /** Reads the entries worth showing. @return them, unsorted; at most {@link #MAX_ENTRIES} + 1 */
    static List<Entry> read(Path dir, Path realRoot, boolean dotfiles, boolean followSymlinks) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                String name = p.getFileName().toString();
                if (!dotfiles && name.startsWith(".")) continue;
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class);
                    if (!followSymlinks && Files.isSymbolicLink(p) && !SafePaths.inside(realRoot, p)) continue;
                } catch (IOException e) {
                    continue; // a dangling link, or one we may not read: nothing to offer
                }
                if (!a.isDirectory() && !a.isRegularFile()) continue;
                entries.add(new Entry(name, a.isDirectory(), a.isDirectory() ? 0 : a.size(), a.lastModifiedTime().toInstant()));
                if (entries.size() > MAX_ENTRIES) break;
            }
        }
        return entries;
    }

    static void sort(List<Entry> entries, Sort by, boolean descending) {
        Comparator<Entry> c = switch (by) {
            case NAME -> Comparator.comparing(Entry::name, String.CASE_INSENSITIVE_ORDER).thenComparing(Entry::name);
            case SIZE -> Comparator.comparingLong(Entry::size).thenComparing(Entry::name);
            case DATE -> Comparator.comparing(Entry::modified).thenComparing(Entry::name);
        };
        if (descending) c = c.reversed();
        entries.sort(Comparator.comparing((Entry e) -> !e.directory()).thenComparing(c));
    }

    static String html(String displayPath, boolean hasParent, List<Entry> entries, Sort by, boolean descending) {
        boolean truncated = entries.size() > MAX_ENTRIES;
        String title = "Index of " + Html.escape(displayPath);
        StringBuilder sb = new StringBuilder(256 + entries.size() * 160);
        sb.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>").append(title).append("</title>\n<style>")
                .append("body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}")
                .append("th,td{padding:.2em 1.2em .2em 0;text-align:left}td.size{text-align:right}")
                .append("a{text-decoration:none}a:hover{text-decoration:underline}</style></head>\n<body>\n<h1>")
                .append(title).append("</h1>\n<table>\n<thead><tr>")
                .append(header("Name", Sort.NAME, by, descending))
                .append(header("Size", Sort.SIZE, by, descending))
                .append(header("Modified (UTC)", Sort.DATE, by, descending))
                .append("</tr></thead>\n<tbody>\n");
        if (hasParent) sb.append("<tr><td><a href=\"../\">../</a></td><td></td><td></td></tr>\n");
        int shown = 0;
        for (Entry e : entries) {
            if (shown++ == MAX_ENTRIES) break;
            String href = encode(e.name) + (e.directory ? "/" : "");
            sb.append("<tr><td><a href=\"").append(href).append("\">").append(Html.escape(e.name))
                    .append(e.directory ? "/" : "").append("</a></td><td class=\"size\">")
                    .append(e.directory ? "-" : readableSize(e.size)).append("</td><td>")
                    .append(DATE.format(e.modified)).append("</td></tr>\n");
        }
        sb.append("</tbody>\n</table>\n");
        if (truncated) sb.append("<p>Only the first ").append(MAX_ENTRIES).append(" entries are listed.</p>\n");
        return sb.append("</body></html>\n").toString();
    }

    private static String header(String label, Sort column, Sort by, boolean descending) {
        boolean active = column == by;
        String order = active && !descending ? "desc" : "asc";
        String arrow = active ? (descending ? " ↓" : " ↑") : "";
        return "<th><a href=\"?sort=" + column.name().toLowerCase(Locale.ROOT) + "&amp;order=" + order + "\">"
                + label + arrow + "</a></th>";
    }

    static String json(List<Entry> entries) {
        StringBuilder sb = new StringBuilder(64 + entries.size() * 96).append('[');
        int shown = 0;
        for (Entry e : entries) {
            if (shown == MAX_ENTRIES) break;
            if (shown++ > 0) sb.append(',');
            sb.append("\n  {\"name\":");
            jsonString(sb, e.name);
            sb.append(",\"type\":\"").append(e.directory ? "directory" : "file").append('"');
            if (!e.directory) sb.append(",\"size\":").append(e.size);
            sb.append(",\"modified\":\"").append(e.modified.with(java.time.temporal.ChronoField.NANO_OF_SECOND, 0)).append("\"}");
        }
        return sb.append(shown > 0 ? "\n]\n" : "]\n").toString();
    }

    private static void jsonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    /** Percent-encodes a name for a link: its UTF-8 bytes, all but ALPHA DIGIT - . _ ~ escaped. */
    static String encode(String name) {
        StringBuilder sb = new StringBuilder(name.length() + 16);
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    static String readableSize(long size) {
        if (size < 1024) return size + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = size;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (v < 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.0f", v)) + " " + units[u];
    }
}
