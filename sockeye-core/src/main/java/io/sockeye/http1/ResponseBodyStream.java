package io.sockeye.http1;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A streamed response body. Until the response commits, writes collect in a buffer, so a body that ends
 * while it still fits goes out with a {@code Content-Length} in the same write as the head (as Go's
 * server does); once it outgrows the buffer or is flushed, the head goes out and the body follows,
 * chunked unless a length was declared. For {@code HEAD}, writes are counted, not kept, so the head can
 * still say how long the body would have been.
 */
final class ResponseBodyStream extends OutputStream {

    private static final int BUFFER_SIZE = 8192;

    private final Http1Response response;
    private final SocketOutput out;
    private final boolean headRequest;
    private byte[] pending;
    private int count;
    private long written;
    private Framing framing;
    private boolean closed;

    ResponseBodyStream(Http1Response response, SocketOutput out, boolean headRequest) {
        this.response = response;
        this.out = out;
        this.headRequest = headRequest;
    }

    /** @return whether anything was written or the stream was flushed */
    boolean used() {
        return written > 0 || framing != null || closed;
    }

    /** Forgets buffered bytes before an error page replaces them; only before commit. */
    void discardUncommitted() {
        if (framing == null) {
            count = 0;
            written = 0;
            closed = false;
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (closed) throw new IOException("response body already closed");
        if (len == 0) return;
        if (framing == null) {
            if (headRequest) {
                written += len;
                return;
            }
            if (pending == null) pending = new byte[BUFFER_SIZE];
            if (count + len <= pending.length) {
                System.arraycopy(b, off, pending, count, len);
                count += len;
                written += len;
                return;
            }
            commit(-1);
        }
        switch (framing) {
            case LENGTH -> {
                long declared = response.declaredLength();
                if (written + len > declared) {
                    response.markIncomplete();
                    throw new IOException("response body longer than its Content-Length of " + declared);
                }
                out.write(b, off, len);
                response.addBodyBytes(len);
            }
            case CHUNKED -> {
                if (count + len <= pending.length) {
                    System.arraycopy(b, off, pending, count, len);
                    count += len;
                } else {
                    emitPendingChunk();
                    if (len >= pending.length) {
                        emitChunk(b, off, len);
                    } else {
                        System.arraycopy(b, off, pending, 0, len);
                        count = len;
                    }
                }
            }
            case CLOSE -> {
                out.write(b, off, len);
                response.addBodyBytes(len);
            }
            case NONE -> {
                // HEAD, 204, 304: nothing goes on the wire
            }
        }
        written += len;
    }

    /** Commits (chunked unless a length was declared) and pushes everything written so far to the client. */
    @Override
    public void flush() throws IOException {
        if (closed) return;
        if (framing == null) commit(-1);
        if (framing == Framing.CHUNKED) emitPendingChunk();
        out.flush();
    }

    /** Ends the body: commits with the buffered length if still uncommitted, or sends the last chunk. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        if (framing == null) {
            // a length the handler declared stands (and must be met); otherwise the length is what was written
            boolean declared = response.handlerDeclaredLength() >= 0;
            commit(declared ? -1 : headRequest ? written : count);
            if (framing == Framing.LENGTH && written < response.declaredLength()) response.markIncomplete();
        } else if (framing == Framing.CHUNKED) {
            emitPendingChunk();
            out.writeLatin1("0\r\n\r\n");
        } else if (framing == Framing.LENGTH && written < response.declaredLength()) {
            response.markIncomplete();
        }
        response.flushAtEnd();
    }

    private void commit(long length) throws IOException {
        if (!response.isCommitted()) {
            framing = response.commit(length);
        } else {
            framing = Framing.NONE; // the handler sent the response another way; nothing more may follow
        }
        if (count > 0) {
            switch (framing) {
                case LENGTH -> {
                    long declared = response.declaredLength();
                    int n = (int) Math.min(count, declared);
                    out.write(pending, 0, n);
                    response.addBodyBytes(n);
                    if (count > declared) {
                        count = 0;
                        response.markIncomplete();
                        throw new IOException("response body longer than its Content-Length of " + declared);
                    }
                    count = 0;
                }
                case CHUNKED -> emitPendingChunk();
                case CLOSE -> {
                    out.write(pending, 0, count);
                    response.addBodyBytes(count);
                    count = 0;
                }
                case NONE -> count = 0;
            }
        }
    }

    private void emitPendingChunk() throws IOException {
        if (count == 0) return;
        emitChunk(pending, 0, count);
        count = 0;
    }

    private void emitChunk(byte[] b, int off, int len) throws IOException {
        out.writeHex(len);
        out.writeCrlf();
        out.write(b, off, len);
        out.writeCrlf();
        response.addBodyBytes(len);
    }
}
