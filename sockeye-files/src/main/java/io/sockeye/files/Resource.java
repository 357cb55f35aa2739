package io.sockeye.files;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;

import io.sockeye.HttpDate;

/**
 * What a path under the root turned out to be when last looked at: a file (with its validators, and its
 * bytes if it is small enough to keep in memory), a directory, nothing, or something not to be served.
 */
final class Resource {

    enum Kind { FILE, DIRECTORY, MISSING, FORBIDDEN }

    final Kind kind;
    final Path path;
    final long size;
    final long modifiedNanos;
    final Instant lastModified;
    final String lastModifiedField;
    final String etag;
    final String contentType;
    final boolean compressible;
    /** The file's bytes, read-only, or {@code null} if it is served from disk. */
    final ByteBuffer content;
    /** When this was looked at, as {@link System#nanoTime()}. */
    final long checkedAt;
    /** The gzip-compressed bytes, once computed; an empty buffer when compression does not pay. */
    private volatile ByteBuffer gzipped;

    private Resource(Kind kind, Path path, long size, long modifiedNanos, String contentType, ByteBuffer content, long checkedAt) {
        this.kind = kind;
        this.path = path;
        this.size = size;
        this.modifiedNanos = modifiedNanos;
        // HTTP dates have whole seconds; comparisons with If-Modified-Since must use the same precision.
        // RFC 9110 §8.8.2.1: a modification time in the future is replaced by the present.
        long seconds = Math.floorDiv(modifiedNanos, 1_000_000_000L);
        this.lastModified = Instant.ofEpochSecond(Math.min(seconds, System.currentTimeMillis() / 1000));
        this.lastModifiedField = kind == Kind.FILE ? HttpDate.format(lastModified) : null;
        this.etag = kind == Kind.FILE ? "\"" + Long.toHexString(modifiedNanos) + "-" + Long.toHexString(size) + "\"" : null;
        this.contentType = contentType;
        this.compressible = contentType != null && MimeTypes.isCompressible(contentType);
        this.content = content;
        this.checkedAt = checkedAt;
    }

    static Resource file(Path path, long size, long modifiedNanos, String contentType, ByteBuffer content, long now) {
        return new Resource(Kind.FILE, path, size, modifiedNanos, contentType, content, now);
    }

    static Resource other(Kind kind, Path path, long now) {
        return new Resource(kind, path, 0, 0, null, null, now);
    }

    /** @return whether this still describes the same file content as {@code other} */
    boolean sameFileAs(Resource other) {
        return other != null && other.kind == Kind.FILE && kind == Kind.FILE && other.size == size
                && other.modifiedNanos == modifiedNanos && other.path.equals(path);
    }

    ByteBuffer gzipped() {
        return gzipped;
    }

    void gzipped(ByteBuffer bytes) {
        gzipped = bytes;
    }

    /** @return bytes held in memory, for the cache's budget */
    long memory() {
        ByteBuffer g = gzipped;
        return (content == null ? 0 : content.capacity()) + (g == null ? 0 : g.capacity()) + 200;
    }
}
