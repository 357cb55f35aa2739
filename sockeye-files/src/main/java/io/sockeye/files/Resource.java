package io.sockeye.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Instant;

import io.sockeye.HttpDate;

/**
 * What a path under the root turned out to be: a file (with its validators, and either its bytes, if it is
 * small enough to keep in memory, or the file itself held open for this one request), a directory,
 * nothing, or something not to be served. A resource with an open file is the caller's to close; one
 * from memory may be shared by many requests at once, and closing it does nothing.
 */
final class Resource implements AutoCloseable {

    enum Kind { FILE, DIRECTORY, MISSING, FORBIDDEN }

    static final Resource MISSING = new Resource(Kind.MISSING, null, 0, 0, null, null, null, true);
    static final Resource FORBIDDEN = new Resource(Kind.FORBIDDEN, null, 0, 0, null, null, null, true);

    final Kind kind;
    /** What stat said of the file or directory when it was opened; {@code null} for the others. */
    final FileSystemAccess.Stat stat;
    final long size;
    final long modifiedNanos;
    final Instant lastModified;
    final String lastModifiedField;
    final String etag;
    final String contentType;
    final boolean compressible;
    /** The file's bytes, read-only, or {@code null} if it is served from {@link #channel}. */
    final ByteBuffer content;
    /** The file, open for this request only, or {@code null}. */
    final FileChannel channel;
    /**
     * Whether the file's bytes cannot change without its stat changing too: false while its last change is
     * too recent for the file system's timestamps to tell a further change within the same tick
     * ({@link ResourceCache#RACY_NANOS}). Only settled content is cached, in any form.
     */
    final boolean settled;
    /** The gzip-compressed bytes, once computed; an empty buffer when compression does not pay. */
    private volatile ByteBuffer gzipped;
    /** The keys of the precompressed siblings, once asked for: a shared resource makes them once. */
    private volatile String gzKey;
    private volatile String brKey;

    private Resource(Kind kind, FileSystemAccess.Stat stat, long size, long modifiedNanos, String contentType,
                     ByteBuffer content, FileChannel channel, boolean settled) {
        this.kind = kind;
        this.stat = stat;
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
        this.channel = channel;
        this.settled = settled;
    }

    /** A file whose bytes are in memory; {@code content} holds what was read, its length the real size. */
    static Resource inMemory(FileSystemAccess.Stat stat, String contentType, ByteBuffer content, boolean settled) {
        return new Resource(Kind.FILE, stat, content.remaining(), stat.modifiedNanos(), contentType, content, null, settled);
    }

    /** A file held open for one request. */
    static Resource open(FileSystemAccess.Stat stat, String contentType, FileChannel channel, boolean settled) {
        return new Resource(Kind.FILE, stat, stat.size(), stat.modifiedNanos(), contentType, null, channel, settled);
    }

    static Resource directory(FileSystemAccess.Stat stat) {
        return new Resource(Kind.DIRECTORY, stat, 0, 0, null, null, null, true);
    }

    /** @return the key of the sibling with this suffix ({@code .gz} or {@code .br}) of the file at {@code key} */
    String siblingKey(String key, String suffix) {
        boolean gz = suffix.equals(".gz");
        String k = gz ? gzKey : brKey;
        if (k == null || !k.startsWith(key) || k.length() != key.length() + suffix.length()) {
            k = key + suffix;
            if (gz) gzKey = k;
            else brKey = k;
        }
        return k;
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

    @Override
    public void close() throws IOException {
        if (channel != null) channel.close();
    }
}
