package io.sockeye.files;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

import io.sockeye.Request;
import io.sockeye.Response;
import io.sockeye.Status;

/**
 * Sends one file as a GET or HEAD asked for it, in the spirit of Go's {@code serveContent}: picks the
 * representation (a precompressed sibling, gzip made on the fly, or the file as is), sets the validators,
 * evaluates the preconditions (304, 412), then sends the whole, one range (206), several
 * ({@code multipart/byteranges}) or none that fits (416) — from memory for small files, by
 * {@code sendfile} from the file the lookup opened for the rest.
 *
 * <p>Compression on the fly is bounded: files above a ceiling go out as they are; a large file's gzip
 * form is made once, at the default level, and kept in memory (within the cache's budget) while the file
 * is unchanged; until then, or when it does not fit, it is streamed at {@link Deflater#BEST_SPEED}, which
 * costs about a third of the CPU of the default level for a third more bytes.
 */
final class ContentServer {

    private static final int COPY_BUFFER = 64 * 1024;

    private final ResourceCache cache;
    private final boolean compress;
    private final long gzipMinBytes;
    private final long gzipMaxBytes;
    private final String cacheControl;
    /** Large files whose gzip form is being made now: one request makes it, the others stream. */
    private final Set<String> compressing = ConcurrentHashMap.newKeySet();

    ContentServer(ResourceCache cache, boolean compress, long gzipMinBytes, long gzipMaxBytes, String cacheControl) {
        this.cache = cache;
        this.compress = compress;
        this.gzipMinBytes = gzipMinBytes;
        this.gzipMaxBytes = gzipMaxBytes;
        this.cacheControl = cacheControl;
    }

    /** A representation of the file: which bytes, with which validators and coding. */
    private record Representation(Resource source, ByteBuffer bytes, String etag, String coding, boolean rangeable) {
    }

    /** Sends the file; closes a precompressed sibling it opened (the caller closes {@code file}). */
    void serve(Request request, Response response, Resource file, String key) throws IOException {
        boolean compressible = compress && file.compressible;
        Representation rep = choose(request, file, key, compressible);
        try {
            send(request, response, file, rep, compressible);
        } finally {
            if (rep.source != file) rep.source.close();
        }
    }

    private void send(Request request, Response response, Resource file, Representation rep, boolean compressible) throws IOException {
        Resource src = rep.source;
        response.header("Content-Type", file.contentType);
        response.header("Last-Modified", src.lastModifiedField);
        response.header("ETag", rep.etag);
        if (rep.rangeable) response.header("Accept-Ranges", "bytes");
        if (compressible) response.headers().add("Vary", "Accept-Encoding"); // added: a wrapper (Cors) may vary by more
        if (rep.coding != null) response.header("Content-Encoding", rep.coding);
        if (cacheControl != null) response.header("Cache-Control", cacheControl);

        switch (Preconditions.evaluate(request, rep.etag, src.lastModified)) {
            case NOT_MODIFIED -> {
                response.headers().remove("Content-Type");
                response.headers().remove("Accept-Ranges");
                response.headers().remove("Content-Encoding");
                response.status(Status.NOT_MODIFIED).send(new byte[0]);
                return;
            }
            case PRECONDITION_FAILED -> {
                response.sendError(Status.PRECONDITION_FAILED, null);
                return;
            }
            case PROCEED -> {
            }
        }

        long size = rep.bytes != null ? rep.bytes.remaining() : src.size;
        ByteRanges ranges = rep.rangeable && request.method().equals("GET")
                && Preconditions.rangeApplies(request, rep.etag, src.lastModified)
                ? ByteRanges.parse(request.header("Range"), size) : ByteRanges.FULL;
        switch (ranges) {
            case ByteRanges.Full full -> sendWhole(request, response, rep);
            case ByteRanges.Unsatisfiable none -> {
                // RFC 9110 §15.5.17: a 416 says how long the content is (sendError keeps a 416's Content-Range);
                // an HTML page like every other error's
                response.headers().remove("Accept-Ranges");
                response.header("Content-Range", "bytes */" + size);
                response.sendError(Status.RANGE_NOT_SATISFIABLE, "The range asked for is not within the content, which is "
                        + size + " bytes long.");
            }
            case ByteRanges.Partial partial when partial.ranges().size() == 1 -> {
                ByteRanges.Range r = partial.ranges().get(0);
                response.status(Status.PARTIAL_CONTENT);
                response.header("Content-Range", "bytes " + r.start() + "-" + r.end() + "/" + size);
                if (rep.bytes != null) response.send(rep.bytes.duplicate().position((int) r.start()).limit((int) (r.start() + r.length())));
                else sendFromDisk(response, src, r.start(), r.length());
            }
            case ByteRanges.Partial partial -> sendMultipart(response, rep, file.contentType, partial.ranges(), size);
        }
    }

    private Representation choose(Request request, Resource file, String key, boolean compressible) throws IOException {
        Representation identity = new Representation(file, file.content, file.etag, null, true);
        if (!compressible) return identity;
        String accept = request.header("Accept-Encoding");
        if (accept == null) return identity;
        double br = QualityValues.coding(accept, "br");
        double gzip = QualityValues.coding(accept, "gzip");
        if (br > 0 && br >= gzip) {
            Representation r = precompressed(file, key, ".br", "br");
            if (r != null) return r;
        }
        if (gzip > 0) {
            Representation r = precompressed(file, key, ".gz", "gzip");
            if (r != null) return r;
        }
        if (br > 0 && br < gzip) {
            Representation r = precompressed(file, key, ".br", "br");
            if (r != null) return r;
        }
        if (gzip <= 0 || file.size < gzipMinBytes || file.size > gzipMaxBytes || request.header("Range") != null) return identity;
        String weak = "W/" + file.etag.substring(0, file.etag.length() - 1) + "-gzip\"";
        ByteBuffer gz = file.content != null ? gzipInMemory(file, key) : gzipOfLarge(request, file, key);
        if (gz == null) return new Representation(file, null, weak, "gzip", false); // streamed
        return gz.remaining() == 0 ? identity : new Representation(file, gz, weak, "gzip", false);
    }

    private Representation precompressed(Resource file, String key, String suffix, String coding) throws IOException {
        if (key.isEmpty()) return null;
        Resource r = cache.sibling(file.siblingKey(key, suffix));
        if (r.kind != Resource.Kind.FILE) {
            r.close();
            return null;
        }
        String tag = r.etag.substring(0, r.etag.length() - 1) + "-" + coding + "\"";
        return new Representation(r, r.content, tag, coding, true);
    }

    /** The gzip form of a file held in memory, made once (at the default level) and kept with it. */
    private ByteBuffer gzipInMemory(Resource file, String key) {
        ByteBuffer gz = file.gzipped();
        if (gz == null) {
            gz = gzip(file.content.duplicate(), Deflater.DEFAULT_COMPRESSION, file.content.remaining());
            file.gzipped(gz);
            cache.grew(key, file, gz.capacity());
        }
        return gz;
    }

    /**
     * The gzip form of a large file: kept from an earlier request if the file is unchanged; else made now
     * and kept, if the file is settled and the form fits the budget and no other request is making it;
     * else {@code null}, to stream it. A HEAD never makes it (it would be work for nothing).
     */
    private ByteBuffer gzipOfLarge(Request request, Resource file, String key) throws IOException {
        ByteBuffer gz = cache.compressed(key, file.stat);
        if (gz != null || !file.settled || request.method().equals("HEAD") || !cache.fits(file.size / 2)
                || !compressing.add(key)) {
            return gz;
        }
        try {
            gz = gzip(Channels.newInputStream(file.channel), Deflater.DEFAULT_COMPRESSION, file.size);
            cache.compressed(key, file.stat, gz);
            return gz;
        } finally {
            compressing.remove(key);
        }
    }

    /**
     * Sends a page made for this request (a listing): gzipped, at the fastest level, when compression is on,
     * the client accepts gzip and the page is at least the size from which files are gzipped (a 5,000-entry
     * listing is about 1 MB of HTML and a tenth of that gzipped).
     */
    void sendGenerated(Request request, Response response, String contentType, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        response.header("Content-Type", contentType + "; charset=utf-8");
        if (compress && body.length >= gzipMinBytes) {
            response.headers().add("Vary", "Accept-Encoding");
            if (QualityValues.coding(request.header("Accept-Encoding"), "gzip") > 0) {
                ByteArrayOutputStream gz = new ByteArrayOutputStream(body.length / 4 + 64);
                try (GZIPOutputStream out = gzipStream(gz, Deflater.BEST_SPEED)) {
                    out.write(body);
                }
                if (gz.size() < body.length) {
                    response.header("Content-Encoding", "gzip");
                    response.send(gz.toByteArray());
                    return;
                }
            }
        }
        response.send(body);
    }

    /** Compresses content once; an empty buffer means compression did not make it smaller. */
    private static ByteBuffer gzip(ByteBuffer content, int level, long size) {
        try {
            return gzip(new java.io.InputStream() {
                @Override
                public int read() {
                    return content.hasRemaining() ? content.get() & 0xff : -1;
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    if (!content.hasRemaining()) return -1;
                    int n = Math.min(len, content.remaining());
                    content.get(b, off, n);
                    return n;
                }
            }, level, size);
        } catch (IOException e) {
            throw new IllegalStateException("gzip into memory failed", e);
        }
    }

    private static ByteBuffer gzip(InputStream in, int level, long size) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(size / 3 + 64, Integer.MAX_VALUE - 8));
        try (GZIPOutputStream gz = gzipStream(out, level)) {
            in.transferTo(gz);
        }
        if (out.size() >= size) return ByteBuffer.allocate(0);
        ByteBuffer direct = ByteBuffer.allocateDirect(out.size());
        direct.put(out.toByteArray()).flip();
        return direct.asReadOnlyBuffer();
    }

    private static GZIPOutputStream gzipStream(OutputStream out, int level) throws IOException {
        return new GZIPOutputStream(out, COPY_BUFFER) {
            {
                def.setLevel(level);
            }
        };
    }

    private void sendWhole(Request request, Response response, Representation rep) throws IOException {
        if (rep.bytes != null) {
            response.send(rep.bytes);
        } else if (rep.coding == null || !rep.coding.equals("gzip") || rep.rangeable) {
            sendFromDisk(response, rep.source, 0, -1);
        } else if (request.method().equals("HEAD")) {
            // the gzipped length is not known without compressing: commit without one, send nothing
            OutputStream none = response.body();
            none.flush();
            none.close();
        } else {
            // streamed: the fastest level, since this is paid by every request until the form is kept
            try (GZIPOutputStream gz = gzipStream(response.body(), Deflater.BEST_SPEED)) {
                Channels.newInputStream(rep.source.channel).transferTo(gz);
            }
        }
    }

    /** Sends part of the open file by sendfile; {@code length} -1 means to the end. */
    private void sendFromDisk(Response response, Resource file, long start, long length) throws IOException {
        FileChannel ch = file.channel;
        long n = length < 0 ? Math.min(file.size, ch.size()) - start : length;
        response.sendFile(ch, start, Math.max(0, n));
    }

    private void sendMultipart(Response response, Representation rep, String type, List<ByteRanges.Range> ranges, long size)
            throws IOException {
        String boundary = Long.toHexString(ThreadLocalRandom.current().nextLong()) + Long.toHexString(System.nanoTime());
        List<byte[]> heads = new ArrayList<>(ranges.size());
        long total = 0;
        for (ByteRanges.Range r : ranges) {
            byte[] head = ("\r\n--" + boundary + "\r\nContent-Type: " + type + "\r\nContent-Range: bytes "
                    + r.start() + "-" + r.end() + "/" + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            heads.add(head);
            total += head.length + r.length();
        }
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        total += tail.length;
        response.status(Status.PARTIAL_CONTENT);
        response.header("Content-Type", "multipart/byteranges; boundary=" + boundary);
        response.header("Content-Length", Long.toString(total));
        OutputStream out = response.body();
        FileChannel ch = rep.bytes == null ? rep.source.channel : null;
        {
            byte[] buffer = new byte[(int) Math.min(COPY_BUFFER, size)];
            for (int i = 0; i < ranges.size(); i++) {
                ByteRanges.Range r = ranges.get(i);
                out.write(heads.get(i));
                long pos = r.start();
                long left = r.length();
                while (left > 0) {
                    int n = (int) Math.min(buffer.length, left);
                    if (ch == null) {
                        rep.bytes.duplicate().position((int) pos).get(buffer, 0, n);
                    } else {
                        ByteBuffer b = ByteBuffer.wrap(buffer, 0, n);
                        while (b.hasRemaining()) {
                            if (ch.read(b, pos + b.position()) < 0) throw new IOException("file shrank while being sent");
                        }
                    }
                    out.write(buffer, 0, n);
                    pos += n;
                    left -= n;
                }
            }
            out.write(tail);
        }
    }
}
