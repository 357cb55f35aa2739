package io.sockeye.cgi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import io.sockeye.HttpException;
import io.sockeye.Request;
import io.sockeye.Status;

/**
 * A request body read whole before its script starts (as nginx and lighttpd do before engaging a
 * backend): in memory up to {@link SpoolSpace#memoryPerRequest()}, else in a spool file. So a client
 * that sends its body slowly holds no script slot, and no script waits on a client; the script is fed
 * from here ({@link #feed}), never from the connection. CONTENT_LENGTH is then known for a chunked body
 * too (RFC 3875 §4.1.2). Reading it sends {@code 100 Continue} first if the client asked for it.
 *
 * <p>Bounded: past the server's body limit core refuses it (413); past this handler's spool caps it is
 * 503 (the room is shared and may free up), or 413 if it could never fit. Used by one handler thread,
 * then by one feeding thread; {@link #close} gives its room back.
 */
final class RequestBody implements AutoCloseable {

    private static final int COPY = 64 * 1024;
    private static final long DISK_STEP = 1 << 20; // a chunked body reserves disk a MiB at a time

    private final SpoolSpace space;
    private byte[] memory;
    private long memoryReserved;
    private FileChannel file;
    private long diskReserved;
    private long length;

    private RequestBody(SpoolSpace space) {
        this.space = space;
    }

    /**
     * @return the body, read whole; {@code null} if the request has none (no Content-Length, not chunked)
     * @throws HttpException 413 or 503 (with Retry-After) past a limit, 400 for a malformed body
     * @throws IOException   if the client goes away or stalls past the I/O timeout
     */
    static RequestBody read(Request request, SpoolSpace space) throws IOException {
        long declared = request.contentLength();
        if (declared == 0 && request.header("Content-Length") == null) return null;
        RequestBody body = new RequestBody(space);
        try {
            if (declared >= 0) body.readKnown(request.body(), declared);
            else body.readChunked(request.body());
            return body;
        } catch (IOException | RuntimeException | Error e) {
            body.close();
            throw e;
        }
    }

    /** @return the body's length in bytes, for CONTENT_LENGTH */
    long length() {
        return length;
    }

    private void readKnown(InputStream in, long declared) throws IOException {
        if (declared <= space.memoryPerRequest() && space.reserveMemory(declared)) {
            memoryReserved = declared;
            memory = in.readNBytes((int) declared);
            length = memory.length; // core refuses a body that ends short of its Content-Length
            return;
        }
        openFile(declared);
        if (!space.reserveDisk(declared)) throw full(declared);
        diskReserved = declared;
        copyToFile(in, declared);
    }

    private void readChunked(InputStream in) throws IOException {
        int first = space.memoryPerRequest();
        byte[] head = new byte[first + 1];
        int n = in.readNBytes(head, 0, head.length); // one byte more than memory takes: does it go on?
        if (n <= first && space.reserveMemory(n)) {
            memoryReserved = n;
            memory = head;
            length = n;
            return;
        }
        openFile(n <= first ? n : -1);
        reserveDisk(n);
        write(ByteBuffer.wrap(head, 0, n));
        if (n > first) copyToFile(in, -1);
    }

    private void openFile(long size) throws IOException {
        if (size > space.maxDisk()) throw new HttpException(Status.CONTENT_TOO_LARGE, "the body is larger than this server can hold");
        FileChannel f;
        try {
            f = space.openFile("body");
        } catch (IOException e) {
            System.getLogger("io.sockeye.cgi").log(System.Logger.Level.WARNING, "cannot make a spool file for a request body: " + e.getMessage());
            throw full(size);
        }
        if (f == null) throw full(size);
        file = f;
    }

    private void reserveDisk(long total) {
        if (total > space.maxDisk()) throw new HttpException(Status.CONTENT_TOO_LARGE, "the body is larger than this server can hold");
        long more = total - diskReserved;
        if (more <= 0) return;
        long step = Math.max(more, Math.min(DISK_STEP, space.maxDisk() - diskReserved));
        if (space.reserveDisk(step)) {
            diskReserved += step;
        } else if (space.reserveDisk(more)) {
            diskReserved += more;
        } else {
            throw full(total);
        }
    }

    private void copyToFile(InputStream in, long limit) throws IOException {
        byte[] buffer = new byte[(int) Math.min(COPY, Math.max(limit, 1))];
        int n;
        while ((n = in.read(buffer)) > 0) {
            if (limit < 0) reserveDisk(length + n);
            write(ByteBuffer.wrap(buffer, 0, n));
        }
    }

    private void write(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) length += file.write(b, length);
    }

    private static HttpException full(long size) {
        System.getLogger("io.sockeye.cgi").log(System.Logger.Level.WARNING,
                "503 for a request body" + (size >= 0 ? " of " + size + " bytes" : "") + ": the CGI spool is full");
        return new HttpException(Status.SERVICE_UNAVAILABLE, "the server is busy; try again shortly");
    }

    /**
     * Writes the body to a script's stdin, then closes it. A script that stops reading (it may not want
     * the body) ends the copy quietly: what it read is what it gets.
     */
    void feed(OutputStream stdin) {
        try (stdin) {
            if (memory != null) {
                stdin.write(memory, 0, (int) length);
            } else if (file != null) {
                byte[] buffer = new byte[(int) Math.min(COPY, Math.max(length, 1))];
                ByteBuffer view = ByteBuffer.wrap(buffer);
                for (long at = 0; at < length; ) {
                    view.clear();
                    int n = file.read(view, at);
                    if (n < 0) break;
                    stdin.write(buffer, 0, n);
                    at += n;
                }
            }
        } catch (IOException scriptStoppedReadingOrRunEnded) {
            // EPIPE: the script is done with its input; or the body was closed as the run ended
        }
    }

    @Override
    public void close() {
        if (memoryReserved > 0) space.releaseMemory(memoryReserved);
        memoryReserved = 0;
        memory = null;
        if (file != null) space.closeFile(file, diskReserved);
        file = null;
        diskReserved = 0;
    }
}
