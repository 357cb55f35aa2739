package io.sockeye.http1;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;

import io.sockeye.buffers.ByteArrayPool;

/**
 * The sending side of a connection: one reusable buffer that a response head and small bodies are
 * gathered in, so that a typical response leaves in a single write; larger pieces go out with a gathering
 * write beside the buffered bytes, files by {@code sendfile}. Every write runs under the I/O deadline.
 */
final class SocketOutput {

    private static final byte[] DIGITS = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

    private static final ByteArrayPool POOL_8K = new ByteArrayPool(8192, 256);

    private static final int MIN_DIRECT_WRITE = 4096;
    /**
     * Large writes go out in slices of this size, each under a fresh deadline: the I/O timeout bounds time
     * without progress, not the time a whole large body takes to reach a slow but steady reader.
     */
    private static final int SLICE = 256 * 1024;
    private static final int PARK_WRITE = TransferBuffers.SIZE;

    private final GatheringByteChannel channel;
    /** Whether files may go by {@code sendfile}: not through TLS, whose records the JVM must encrypt. */
    private final boolean sendfile;
    private final Deadlines connection;
    private final long ioTimeoutNanos;
    private final int size;
    private final ByteArrayPool pool;
    /** Gathers small writes; {@code null} while released (see {@link #release()}). */
    private byte[] buf;
    private ByteBuffer view;
    private final ByteBuffer[] pair = new ByteBuffer[2];
    private int count;

    SocketOutput(GatheringByteChannel channel, Deadlines deadlines, int size, long ioTimeoutNanos) {
        this.connection = deadlines;
        this.channel = channel;
        this.sendfile = channel instanceof java.nio.channels.SocketChannel;
        this.ioTimeoutNanos = ioTimeoutNanos;
        this.size = size;
        this.pool = size == POOL_8K.size() ? POOL_8K : null;
        this.buf = new byte[size];
        this.view = ByteBuffer.wrap(buf);
        this.pair[0] = view;
    }

    /**
     * Gives the buffer back to a shared pool: for a connection that is about to wait for its peer
     * without a thread. Call only with nothing buffered (after a flush); the next write takes one again.
     */
    void release() {
        if (buf == null || count != 0) return;
        if (pool != null) pool.give(buf);
        buf = null;
        view = null;
        pair[0] = null;
    }

    /** Takes a buffer again after {@link #release()}. */
    private void acquire() {
        buf = pool != null ? pool.take() : new byte[size];
        view = ByteBuffer.wrap(buf);
        pair[0] = view;
    }

    void write(int b) throws IOException {
        if (buf == null) acquire();
        if (count == buf.length) flush();
        buf[count++] = (byte) b;
    }

    void write(byte[] b, int off, int len) throws IOException {
        if (buf == null) acquire();
        if (len <= buf.length - count) {
            System.arraycopy(b, off, buf, count, len);
            count += len;
            return;
        }
        if (len < MIN_DIRECT_WRITE) {
            flush();
            System.arraycopy(b, off, buf, 0, len);
            count = len;
            return;
        }
        // buffered bytes and the large piece together, in one gathering write
        view.limit(count).position(0);
        pair[1] = ByteBuffer.wrap(b, off, len);
        count = 0;
        writeFully(pair);
        pair[1] = null;
    }

    /** Writes a buffer's remaining bytes (consuming them): copied if small, else beside the buffered ones. */
    void write(ByteBuffer b) throws IOException {
        if (buf == null) acquire();
        int len = b.remaining();
        if (len <= buf.length - count) {
            b.get(buf, count, len);
            count += len;
            return;
        }
        if (len < MIN_DIRECT_WRITE) {
            flush();
            b.get(buf, 0, len);
            count = len;
            return;
        }
        view.limit(count).position(0);
        pair[1] = b;
        count = 0;
        writeFully(pair);
        pair[1] = null;
    }

    /** Writes ISO-8859-1 text, one byte per char (head fields are checked to fit). */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int) is the copy we want: no allocation
    void writeLatin1(String s) throws IOException {
        if (buf == null) acquire();
        int len = s.length();
        int off = 0;
        while (off < len) {
            if (count == buf.length) flush();
            int n = Math.min(len - off, buf.length - count);
            s.getBytes(off, off + n, buf, count);
            count += n;
            off += n;
        }
    }

    void writeCrlf() throws IOException {
        if (buf == null) acquire();
        if (buf.length - count < 2) flush();
        buf[count++] = '\r';
        buf[count++] = '\n';
    }

    /** Writes a non-negative number in decimal (a Content-Length), straight into the buffer. */
    void writeDecimal(long v) throws IOException {
        writeDigits(v, 10);
    }

    /** Writes a non-negative number in lower-case hexadecimal (a chunk size), straight into the buffer. */
    void writeHex(long v) throws IOException {
        writeDigits(v, 16);
    }

    // no String per response head or chunk: this runs once or more in every exchange
    private void writeDigits(long v, int radix) throws IOException {
        if (v < 0) throw new IllegalArgumentException("negative: " + v);
        if (buf == null) acquire();
        if (buf.length - count < 20) flush();
        int digits = 1;
        for (long t = v; t >= radix; t /= radix) digits++;
        int end = count + digits;
        for (int i = end - 1; i >= count; i--) {
            buf[i] = DIGITS[(int) (v % radix)];
            v /= radix;
        }
        count = end;
    }

    void flush() throws IOException {
        if (count == 0) return;
        view.limit(count).position(0);
        count = 0;
        connection.setTimeout(ioTimeoutNanos);
        try {
            while (view.hasRemaining()) channel.write(view);
        } finally {
            connection.clearDeadline();
        }
    }

    private void writeFully(ByteBuffer[] buffers) throws IOException {
        ByteBuffer last = buffers[buffers.length - 1];
        int end = last.limit();
        try {
            while (last.hasRemaining()) {
                last.limit(Math.min(end, last.position() + SLICE));
                connection.setTimeout(ioTimeoutNanos);
                while (last.hasRemaining()) channel.write(buffers);
                last.limit(end);
            }
        } finally {
            last.limit(end);
            connection.clearDeadline();
        }
    }

    /**
     * Sends a file region after the buffered bytes: {@code sendfile} where the kernel takes it, and a
     * plain write when the socket is momentarily full (a virtual thread's socket is non-blocking
     * underneath, so {@code sendfile} then returns nothing, and only a channel write knows how to park
     * until the socket drains). That write is a large one ({@link #PARK_WRITE} bytes): waiting for room
     * for a large piece rather than a small one wakes the sender far less often, which measured here (wrk
     * reading 10 MiB files over loopback) took the transfer from 0.9× nginx's rate to parity.
     *
     * @return whether the whole region was sent; {@code false} if the file ended early (it shrank)
     */
    boolean transferFrom(FileChannel file, long position, long count) throws IOException {
        flush();
        long sent = 0;
        ByteBuffer fallback = null; // only for transfers that find the socket full: large ones
        try {
            while (sent < count) {
                connection.setTimeout(ioTimeoutNanos);
                try {
                    long n = sendfile ? file.transferTo(position + sent, Math.min(SLICE, count - sent), channel) : 0;
                    if (n > 0) {
                        sent += n;
                        continue;
                    }
                    // (over TLS: read into a large buffer, which goes out as full-size records)
                    if (fallback == null) fallback = TransferBuffers.take();
                    fallback.clear().limit((int) Math.min(fallback.capacity(), count - sent));
                    int r = file.read(fallback, position + sent);
                    if (r <= 0) return false;
                    fallback.flip();
                    while (fallback.hasRemaining()) channel.write(fallback);
                    sent += r;
                } finally {
                    connection.clearDeadline();
                }
            }
            return true;
        } finally {
            if (fallback != null) TransferBuffers.give(fallback);
        }
    }
}
