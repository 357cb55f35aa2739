package io.sockeye.files;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Content types by file extension: a built-in table of the web's common types, to which users add their
 * own. Text types get {@code charset=utf-8}; an unknown extension is {@code application/octet-stream}.
 * Immutable: {@link #with(String, String)} returns a new table.
 *
 * <pre>{@code
 * MimeTypes types = MimeTypes.defaults().with("glb", "model/gltf-binary");
 * }</pre>
 */
public final class MimeTypes {

    /** What a file with no known extension is served as. */
    public static final String DEFAULT = "application/octet-stream";

    private static final MimeTypes DEFAULTS = new MimeTypes(builtIn());

    private final Map<String, String> byExtension;

    private MimeTypes(Map<String, String> byExtension) {
        this.byExtension = byExtension;
    }

    /** @return the built-in table */
    public static MimeTypes defaults() {
        return DEFAULTS;
    }

    /**
     * @param extension a file extension, without the dot, in any case
     * @param type      its media type; a {@code text/*} type without a charset gets {@code charset=utf-8}
     * @return a table with this mapping added or replaced
     */
    public MimeTypes with(String extension, String type) {
        Objects.requireNonNull(type, "type");
        String ext = extension.startsWith(".") ? extension.substring(1) : extension;
        if (ext.isEmpty()) throw new IllegalArgumentException("empty extension");
        Map<String, String> copy = new HashMap<>(byExtension);
        copy.put(ext.toLowerCase(Locale.ROOT), withCharset(type));
        return new MimeTypes(copy);
    }

    /**
     * @param fileName a file name (or path)
     * @return its content type, {@link #DEFAULT} if its extension is unknown
     */
    public String forName(String fileName) {
        int dot = fileName.lastIndexOf('.');
        int slash = fileName.lastIndexOf('/');
        if (dot <= slash + 1 || dot == fileName.length() - 1) return DEFAULT;
        String type = byExtension.get(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
        return type == null ? DEFAULT : type;
    }

    /**
     * @param contentType a content type as this table gives it
     * @return whether compressing it is worthwhile (text, and text-like formats such as JSON, SVG, wasm)
     */
    public static boolean isCompressible(String contentType) {
        String t = contentType.toLowerCase(Locale.ROOT);
        return t.startsWith("text/") || t.startsWith("application/json") || t.startsWith("application/javascript")
                || t.startsWith("application/xml") || t.startsWith("application/manifest+json")
                || t.startsWith("application/ld+json") || t.startsWith("image/svg+xml") || t.startsWith("application/wasm")
                || t.startsWith("application/xhtml+xml") || t.startsWith("application/rss+xml")
                || t.startsWith("application/atom+xml") || t.startsWith("font/ttf") || t.startsWith("font/otf")
                || t.startsWith("application/vnd.ms-fontobject") || t.startsWith("image/x-icon")
                || t.startsWith("image/vnd.microsoft.icon") || t.startsWith("image/bmp");
    }

    private static String withCharset(String type) {
        boolean text = type.startsWith("text/") || type.equals("application/javascript") || type.equals("image/svg+xml")
                || type.equals("application/json") || type.equals("application/xml") || type.equals("application/manifest+json");
        return text && !type.contains("charset") ? type + "; charset=utf-8" : type;
    }

    private static Map<String, String> builtIn() {
        String[] table = {
            // text and code
            "html", "text/html", "htm", "text/html", "xhtml", "application/xhtml+xml", "css", "text/css",
            "js", "text/javascript", "mjs", "text/javascript", "cjs", "text/javascript",
            "json", "application/json", "map", "application/json", "jsonld", "application/ld+json",
            "webmanifest", "application/manifest+json", "xml", "application/xml", "xsl", "application/xml",
            "rss", "application/rss+xml", "atom", "application/atom+xml",
            "txt", "text/plain", "text", "text/plain", "log", "text/plain", "md", "text/markdown",
            "markdown", "text/markdown", "csv", "text/csv", "tsv", "text/tab-separated-values",
            "ics", "text/calendar", "vtt", "text/vtt", "srt", "text/plain", "yaml", "text/yaml", "yml", "text/yaml",
            "toml", "text/plain", "ini", "text/plain", "conf", "text/plain", "sh", "text/x-shellscript",
            "py", "text/x-python", "java", "text/x-java", "c", "text/x-c", "h", "text/x-c", "rs", "text/x-rust",
            "go", "text/x-go", "wasm", "application/wasm",
            // images
            "png", "image/png", "jpg", "image/jpeg", "jpeg", "image/jpeg", "jpe", "image/jpeg", "gif", "image/gif",
            "webp", "image/webp", "avif", "image/avif", "svg", "image/svg+xml", "svgz", "image/svg+xml",
            "ico", "image/vnd.microsoft.icon", "bmp", "image/bmp", "tif", "image/tiff", "tiff", "image/tiff",
            "apng", "image/apng", "jxl", "image/jxl", "heic", "image/heic",
            // fonts
            "woff", "font/woff", "woff2", "font/woff2", "ttf", "font/ttf", "otf", "font/otf",
            "eot", "application/vnd.ms-fontobject",
            // audio and video
            "mp4", "video/mp4", "m4v", "video/mp4", "webm", "video/webm", "ogv", "video/ogg", "mov", "video/quicktime",
            "avi", "video/x-msvideo", "mkv", "video/x-matroska", "mpeg", "video/mpeg", "mpg", "video/mpeg",
            "ts", "video/mp2t", "m3u8", "application/vnd.apple.mpegurl", "mpd", "application/dash+xml",
            "mp3", "audio/mpeg", "m4a", "audio/mp4", "aac", "audio/aac", "ogg", "audio/ogg", "oga", "audio/ogg",
            "opus", "audio/opus", "wav", "audio/wav", "flac", "audio/flac", "weba", "audio/webm", "mid", "audio/midi",
            "midi", "audio/midi",
            // documents and archives
            "pdf", "application/pdf", "zip", "application/zip", "gz", "application/gzip", "tgz", "application/gzip",
            "bz2", "application/x-bzip2", "xz", "application/x-xz", "zst", "application/zstd", "7z", "application/x-7z-compressed",
            "tar", "application/x-tar", "rar", "application/vnd.rar", "jar", "application/java-archive",
            "epub", "application/epub+zip", "rtf", "application/rtf",
            "doc", "application/msword", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "xls", "application/vnd.ms-excel", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "ppt", "application/vnd.ms-powerpoint", "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "odt", "application/vnd.oasis.opendocument.text", "ods", "application/vnd.oasis.opendocument.spreadsheet",
            "odp", "application/vnd.oasis.opendocument.presentation",
            // other binaries
            "bin", "application/octet-stream", "exe", "application/octet-stream", "iso", "application/octet-stream",
            "dmg", "application/octet-stream", "deb", "application/vnd.debian.binary-package",
            "apk", "application/vnd.android.package-archive", "swf", "application/x-shockwave-flash",
            "glb", "model/gltf-binary", "gltf", "model/gltf+json",
        };
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < table.length; i += 2) map.put(table[i], withCharset(table[i + 1]));
        return Map.copyOf(map);
    }
}
