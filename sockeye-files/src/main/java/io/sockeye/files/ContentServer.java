package io.sockeye.files;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.GZIPOutputStream;

import io.sockeye.HttpException;
import io.sockeye.Request;
import io.sockeye.Response;
import io.sockeye.Status;

/**
 * Sends one file as a GET or HEAD asked for it, in the spirit of Go's {@code serveContent}: picks the
 * representation (a precompressed sibling, gzip made on the fly, or the file as is), sets the validators,
 * evaluates the preconditions (304, 412), then sends the whole, one range (206), several
 * ({@code multipart/byteranges}) or none that fits (416) — from memory for small files, by
 * {@code sendfile} for the rest.
 */
final class ContentServer {

    private static final int COPY_BUFFER = 64 * 1024;

    private final ResourceCache cache;
    private final boolean compress;
    private final long gzipMinBytes;
    private final String cacheControl;

    ContentServer(ResourceCache cache, boolean compress, long gzipMinBytes, String cacheControl) {
        this.cache = cache;
        this.compress = compress;
        this.gzipMinBytes = gzipMinBytes;
        this.cacheControl = cacheControl;
    }

    /** A representation of the file: which bytes, with which validators and coding. */
    private record Representation(Resource source, ByteBuffer bytes, String etag, String coding, boolean rangeable) {
    }

    void serve(Request request, Response response, Resource file, String key) throws IOException {
        boolean compressible = compress && file.compressible;
        Representation rep = choose(request, file, key, compressible);
        Resource src = rep.source;

        response.header("Content-Type", file.contentType);
        response.header("Last-Modified", src.lastModifiedField);
        response.header("ETag", rep.etag);
        if (rep.rangeable) response.header("Accept-Ranges", "bytes");
        if (compressible) response.header("Vary", "Accept-Encoding");
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
                // RFC 9110 §15.5.17: a 416 says how long the content is; sendError would drop Content-Range
                for (String name : new String[] {"Last-Modified", "ETag", "Accept-Ranges", "Content-Encoding"}) {
                    response.headers().remove(name);
                }
                response.status(Status.RANGE_NOT_SATISFIABLE).header("Content-Range", "bytes */" + size);
                response.send("text/plain", "416 Range Not Satisfiable: the content is " + size + " bytes long\n");
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

    private Representation choose(Request request, Resource file, String key, boolean compressible) {
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
        if (gzip <= 0 || file.size < gzipMinBytes || request.header("Range") != null) return identity;
        String weak = "W/" + file.etag.substring(0, file.etag.length() - 1) + "-gzip\"";
        if (file.content == null) return new Representation(file, null, weak, "gzip", false); // streamed
        ByteBuffer gz = file.gzipped();
        if (gz == null) {
            gz = gzip(file.content);
            file.gzipped(gz);
            cache.grew(gz.capacity());
        }
        return gz.remaining() == 0 ? identity : new Representation(file, gz, weak, "gzip", false);
    }

    private Representation precompressed(Resource file, String key, String suffix, String coding) {
        if (key.isEmpty()) return null;
        Resource r = cache.lookup(key + suffix);
        if (r.kind != Resource.Kind.FILE) return null;
        String tag = r.etag.substring(0, r.etag.length() - 1) + "-" + coding + "\"";
        return new Representation(r, r.content, tag, coding, true);
    }

    /** Compresses in-memory content once; an empty buffer means compression did not make it smaller. */
    private static ByteBuffer gzip(ByteBuffer content) {
        byte[] plain = new byte[content.remaining()];
        content.duplicate().get(plain);
        ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length / 3 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192)) {
            gz.write(plain);
        } catch (IOException e) {
            throw new IllegalStateException("gzip into memory failed", e);
        }
        if (out.size() >= plain.length) return ByteBuffer.allocate(0);
        ByteBuffer direct = ByteBuffer.allocateDirect(out.size());
        direct.put(out.toByteArray()).flip();
        return direct.asReadOnlyBuffer();
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
            gzipFromDisk(response, rep.source);
        }
    }

    /** Sends part of a file from disk by sendfile; {@code length} -1 means to the end. */
    private void sendFromDisk(Response response, Resource file, long start, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(file.path, StandardOpenOption.READ)) {
            long n = length < 0 ? Math.min(file.size, ch.size()) - start : length;
            response.sendFile(ch, start, Math.max(0, n));
        } catch (NoSuchFileException e) {
            throw new HttpException(Status.NOT_FOUND, "no such file", e);
        } catch (AccessDeniedException e) {
            throw new HttpException(Status.FORBIDDEN, "not readable", e);
        }
    }

    private void gzipFromDisk(Response response, Resource file) throws IOException {
        try (FileChannel ch = FileChannel.open(file.path, StandardOpenOption.READ);
             GZIPOutputStream gz = new GZIPOutputStream(response.body(), COPY_BUFFER)) {
            Channels.newInputStream(ch).transferTo(gz);
        }
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
        FileChannel ch = rep.bytes == null ? FileChannel.open(rep.source.path, StandardOpenOption.READ) : null;
        try {
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
        } finally {
            if (ch != null) ch.close();
        }
    }
}
