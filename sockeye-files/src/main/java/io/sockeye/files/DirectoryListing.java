package io.sockeye.files;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.function.Function;
import java.util.function.Predicate;

import io.sockeye.Html;
import io.sockeye.Json;

/**
 * A directory's contents as an HTML page or as JSON. Names are data, never markup or paths: escaped for
 * HTML in text, percent-encoded in links (every byte but unreserved ones, so a name like {@code a:b} can
 * never be taken for a URL scheme). Hidden entries and links that leave the root (or lead to anything but
 * a file or a directory) are left out unless allowed, and so are names that are not valid UTF-8: request
 * paths are decoded as UTF-8 ({@link io.sockeye.RequestPaths}), so no link could lead to them, and a listing
 * offers only what can be fetched. Directories come first; the page sorts by name, size or date, either way.
 *
 * <p>What a lookup would refuse is not listed either: an excluded directory, or a file that also lies in
 * one under another name (a hard link).
 *
 * <p>A directory may be huge: every entry is counted, but only the first {@link #MAX_ENTRIES} in the order
 * asked for are kept (a bounded heap, so memory does not grow with the directory), and the page and the
 * JSON say how many there are in all.
 */
final class DirectoryListing {

    /** At most this many entries are listed; a larger directory is cut short, and the page says so. */
    static final int MAX_ENTRIES = 10_000;

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    record Entry(String name, boolean directory, long size, Instant modified) {
    }

    enum Sort { NAME, SIZE, DATE }

    /** What is listed: the first entries in order, and how many there are in all. */
    record Listing(List<Entry> entries, int total) {
        boolean truncated() {
            return total > entries.size();
        }
    }

    private DirectoryListing() {
    }

    /**
     * Reads a directory's entries worth showing, through the directory the walk opened (not by path, which
     * may lead elsewhere by now), and keeps the first {@code max} in the order asked for.
     *
     * @param dir  the directory, open
     * @param walk resolves a link in it, by its name: what it leads to, if it may be served, or {@code null}
     */
    static Listing read(FileSystemAccess.Directory dir, Function<String, FileSystemAccess.Stat> walk,
                        Predicate<FileSystemAccess.Stat> refused, boolean dotfiles, Sort by, boolean descending, int max)
            throws IOException {
        Comparator<Entry> order = comparator(by, descending);
        PriorityQueue<Entry> kept = new PriorityQueue<>(Math.min(max, 1024) + 1, order.reversed()); // the worst on top
        int[] total = {0};
        IOException[] failed = {null};
        dir.names(name -> {
            if (failed[0] != null || (!dotfiles && name.startsWith("."))) return;
            try {
                Entry e = entry(dir, name, walk, refused);
                if (e == null) return;
                total[0]++;
                kept.add(e);
                if (kept.size() > max) kept.poll();
            } catch (IOException ex) {
                // one entry we may not look at, or gone: nothing to offer for it
            }
        });
        List<Entry> entries = new ArrayList<>(kept);
        entries.sort(order);
        return new Listing(entries, total[0]);
    }

    private static Entry entry(FileSystemAccess.Directory dir, String name, Function<String, FileSystemAccess.Stat> walk,
                               Predicate<FileSystemAccess.Stat> refused) throws IOException {
        FileSystemAccess.Stat s = dir.statAt(name);
        if (s != null && s.type() == FileSystemAccess.Type.LINK) s = walk.apply(name);
        if (s == null || refused.test(s)) return null;
        boolean directory = s.type() == FileSystemAccess.Type.DIRECTORY;
        if (!directory && s.type() != FileSystemAccess.Type.FILE) return null;
        return new Entry(name, directory, directory ? 0 : s.size(), Instant.ofEpochSecond(0, s.modifiedNanos()));
    }

    static Comparator<Entry> comparator(Sort by, boolean descending) {
        Comparator<Entry> c = switch (by) {
            case NAME -> Comparator.comparing(Entry::name, String.CASE_INSENSITIVE_ORDER).thenComparing(Entry::name);
            case SIZE -> Comparator.comparingLong(Entry::size).thenComparing(Entry::name);
            case DATE -> Comparator.comparing(Entry::modified).thenComparing(Entry::name);
        };
        if (descending) c = c.reversed();
        return Comparator.comparing((Entry e) -> !e.directory()).thenComparing(c);
    }

    static String html(String displayPath, boolean hasParent, Listing listing, Sort by, boolean descending) {
        return html(displayPath, hasParent, listing, by, descending, false, "");
    }

    /**
     * @param downloads whether the folder may be downloaded as an archive ({@link FolderDownloads}): linked then
     * @param appendix  trusted HTML put after the table (the upload form), or ""
     */
    static String html(String displayPath, boolean hasParent, Listing listing, Sort by, boolean descending, boolean downloads,
                       String appendix) {
        List<Entry> entries = listing.entries();
        String title = "Index of " + Html.escape(displayPath);
        StringBuilder sb = new StringBuilder(256 + entries.size() * 160);
        sb.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>").append(title).append("</title>\n<style>")
                .append("body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}")
                .append("th,td{padding:.2em 1.2em .2em 0;text-align:left}td.size{text-align:right}")
                .append("a{text-decoration:none}a:hover{text-decoration:underline}</style></head>\n<body>\n<h1>")
                .append(title).append("</h1>\n");
        if (downloads) {
            sb.append("<p class=\"downloads\">Download this folder: <a href=\"?").append(FolderDownloads.PARAMETER)
                    .append("=zip\" download>.zip</a> &middot; <a href=\"?").append(FolderDownloads.PARAMETER)
                    .append("=tar.gz\" download>.tar.gz</a></p>\n");
        }
        sb.append("<table>\n<thead><tr>")
                .append(header("Name", Sort.NAME, by, descending))
                .append(header("Size", Sort.SIZE, by, descending))
                .append(header("Modified (UTC)", Sort.DATE, by, descending))
                .append("</tr></thead>\n<tbody>\n");
        if (hasParent) sb.append("<tr><td><a href=\"../\">../</a></td><td></td><td></td></tr>\n");
        for (Entry e : entries) {
            String href = encode(e.name) + (e.directory ? "/" : "");
            sb.append("<tr><td><a href=\"").append(href).append("\">").append(Html.escape(e.name))
                    .append(e.directory ? "/" : "").append("</a></td><td class=\"size\">")
                    .append(e.directory ? "-" : readableSize(e.size)).append("</td><td>")
                    .append(DATE.format(e.modified)).append("</td></tr>\n");
        }
        sb.append("</tbody>\n</table>\n");
        if (listing.truncated()) {
            sb.append("<p class=\"truncated\">Only the first ").append(entries.size()).append(" of ").append(listing.total())
                    .append(" entries are listed, in the order shown.</p>\n");
        }
        return sb.append(appendix).append("</body></html>\n").toString();
    }

    private static String header(String label, Sort column, Sort by, boolean descending) {
        boolean active = column == by;
        String order = active && !descending ? "desc" : "asc";
        String arrow = active ? (descending ? " ↓" : " ↑") : "";
        return "<th><a href=\"?sort=" + column.name().toLowerCase(Locale.ROOT) + "&amp;order=" + order + "\">"
                + label + arrow + "</a></th>";
    }

    /**
     * @param downloads whether the folder may be downloaded as an archive: then {@code "downloads"} gives
     *                  the query of each format, relative to the folder ({@code {"zip": "?download=zip", ...}})
     * @return {@code {"total": n, "truncated": bool, "entries": [{"name", "type", "size", "modified"}...]}}:
     *         {@code total} counts every entry, {@code entries} holds the first ones in the order asked for
     */
    static String json(Listing listing, boolean downloads) {
        List<Entry> entries = listing.entries();
        StringBuilder sb = new StringBuilder(96 + entries.size() * 96).append("{\"total\":").append(listing.total())
                .append(",\"truncated\":").append(listing.truncated());
        if (downloads) {
            sb.append(",\"downloads\":{\"zip\":\"?").append(FolderDownloads.PARAMETER).append("=zip\",\"tar.gz\":\"?")
                    .append(FolderDownloads.PARAMETER).append("=tar.gz\"}");
        }
        sb.append(",\"entries\":[");
        int shown = 0;
        for (Entry e : entries) {
            if (shown++ > 0) sb.append(',');
            sb.append("\n  {\"name\":");
            Json.appendString(sb, e.name, false);
            sb.append(",\"type\":\"").append(e.directory ? "directory" : "file").append('"');
            if (!e.directory) sb.append(",\"size\":").append(e.size);
            sb.append(",\"modified\":\"").append(e.modified.with(java.time.temporal.ChronoField.NANO_OF_SECOND, 0)).append("\"}");
        }
        return sb.append(shown > 0 ? "\n]}\n" : "]}\n").toString();
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
