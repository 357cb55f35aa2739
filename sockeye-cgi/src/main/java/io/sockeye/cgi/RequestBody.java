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
    /** A body reserves disk as it arrives, a MiB at a time (a 64th of the spool, if that is less). */
    private static final long DISK_STEP = 1 << 20;

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
            body.readAll(request.body(), declared);
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

    /**
     * Reads the body as it arrives, holding room only for what has arrived: in memory, reserved a piece at
     * a time, up to {@link SpoolSpace#memoryPerRequest()}; past that in a spool file, opened then, whose
     * disk room is reserved a MiB at a time. A client that declares a large body and sends it a byte at a
     * time (or never) holds what it sent, not what it declared: reserving the declared length up front let
     * a hundred such clients take the whole spool.
     *
     * @param declared the Content-Length, or -1 for a chunked body
     */
    private void readAll(InputStream in, long declared) throws IOException {
        if (declared > space.memoryPerRequest() && declared > space.maxDisk()) {
            throw new HttpException(Status.CONTENT_TOO_LARGE, "the body is larger than this server can hold");
        }
        int inMemory = space.memoryPerRequest();
        memory = new byte[(int) (declared >= 0 ? Math.min(declared, inMemory) : Math.min(inMemory, COPY / 4))];
        byte[] piece = null;
        while (true) {
            if (file == null) {
                if (length == memory.length) {
                    if (length < inMemory) {
                        memory = java.util.Arrays.copyOf(memory, (int) Math.min(inMemory, Math.max(16, length * 2)));
                    } else {
                        if (declared >= 0 && length == declared) return;
                        int next = in.read(); // memory is full: does the body go on?
                        if (next < 0) return;
                        spill(declared);
                        write(ByteBuffer.wrap(new byte[] {(byte) next}));
                        continue;
                    }
                }
                int n = in.read(memory, (int) length, memory.length - (int) length);
                if (n < 0) return; // core refuses a body that ends short of its Content-Length
                if (!space.reserveMemory(n)) throw full(declared);
                memoryReserved += n;
                length += n;
            } else {
                if (piece == null) piece = new byte[COPY];
                int n = in.read(piece);
                if (n < 0) return;
                reserveDisk(length + n);
                write(ByteBuffer.wrap(piece, 0, n));
            }
        }
    }

    /** Moves what is in memory to a spool file: the body is larger than memory takes. */
    private void spill(long declared) throws IOException {
        openFile(declared);
        reserveDisk(length + 1);
        int held = (int) length;
        length = 0; // write() counts what the file holds
        write(ByteBuffer.wrap(memory, 0, held));
        space.releaseMemory(memoryReserved);
        memoryReserved = 0;
        memory = null;
    }

    private void openFile(long size) throws IOException {
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
        long step = Math.max(more, Math.min(Math.min(DISK_STEP, space.maxDisk() / 64), space.maxDisk() - diskReserved));
        if (space.reserveDisk(step)) {
            diskReserved += step;
        } else if (space.reserveDisk(more)) {
            diskReserved += more;
        } else {
            throw full(total);
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
