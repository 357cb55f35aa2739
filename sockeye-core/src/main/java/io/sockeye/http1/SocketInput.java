package io.sockeye.http1;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * The receiving side of a connection: one reusable buffer that request heads are parsed in place from and
 * that body streams read through, so bytes of a pipelined next request are never lost or read twice.
 *
 * <p>{@code buf[pos..limit)} holds received bytes not yet consumed. The buffer starts small and grows
 * (up to the largest head allowed) only when one head does not fit. A connection about to be parked
 * {@linkplain #release() gives its buffer back} to a shared pool when nothing is left in it, and takes
 * one again on its next read.
 */
final class SocketInput {

    private static final ByteArrayPool POOL_4K = new ByteArrayPool(4096, 256);

    private final ReadableByteChannel channel;
    private final Deadlines connection;
    private final long ioTimeoutNanos;
    private final int initialSize;
    private final int maxSize;
    private final ByteArrayPool pool;
    /** The received bytes; {@code null} while released (then {@code pos == limit == 0}). */
    byte[] buf;
    private ByteBuffer view;
    int pos;
    int limit;

    SocketInput(ReadableByteChannel channel, Deadlines deadlines, int initialSize, int maxSize, long ioTimeoutNanos) {
        this.connection = deadlines;
        this.channel = channel;
        this.ioTimeoutNanos = ioTimeoutNanos;
        this.initialSize = initialSize;
        this.maxSize = Math.max(initialSize, maxSize);
        this.pool = initialSize == POOL_4K.size() ? POOL_4K : null;
        this.buf = new byte[initialSize];
        this.view = ByteBuffer.wrap(buf);
    }

    /**
     * Gives the buffer back, if it holds nothing unread: for a connection that is about to wait for its
     * peer without a thread. The next read takes one again.
     *
     * @return whether the buffer was released
     */
    boolean release() {
        if (pos != limit || buf == null) return buf == null;
        if (pool != null && buf.length == initialSize) pool.give(buf);
        buf = null;
        view = null;
        pos = 0;
        limit = 0;
        return true;
    }

    int available() {
        return limit - pos;
    }

    /**
     * Reads more bytes into the buffer, making room first (compacting, or growing up to the maximum).
     * The caller sets the deadline.
     *
     * @return bytes read, -1 at end of stream, or 0 if the buffer is full at its maximum size
     */
    int fill() throws IOException {
        if (buf == null) {
            buf = pool != null ? pool.take() : new byte[initialSize];
            view = ByteBuffer.wrap(buf);
        } else if (pos == limit) {
            pos = 0;
            limit = 0;
            if (buf.length > initialSize) {
                buf = new byte[initialSize];
                view = ByteBuffer.wrap(buf);
            }
        } else if (limit == buf.length) {
            if (pos > 0) {
                System.arraycopy(buf, pos, buf, 0, limit - pos);
                limit -= pos;
                pos = 0;
            } else if (buf.length < maxSize) {
                byte[] bigger = new byte[Math.min(maxSize, buf.length * 2)];
                System.arraycopy(buf, 0, bigger, 0, limit);
                buf = bigger;
                view = ByteBuffer.wrap(buf);
            } else {
                return 0;
            }
        }
        view.limit(buf.length).position(limit);
        int n = channel.read(view);
        if (n > 0) limit += n;
        return n;
    }

    /** Like {@link #fill()}, under the I/O deadline: for reading bodies. */
    int fillWithDeadline() throws IOException {
        connection.setTimeout(ioTimeoutNanos);
        try {
            return fill();
        } finally {
            connection.clearDeadline();
        }
    }

    /**
     * Reads body bytes: from the buffer if any are there, else straight from the socket into {@code dst}
     * when the request is large enough to skip the copy.
     *
     * @return bytes read, or -1 at end of stream
     */
    int read(byte[] dst, int off, int len) throws IOException {
        if (len == 0) return 0;
        if (pos == limit) {
            if (len >= initialSize) {
                connection.setTimeout(ioTimeoutNanos);
                try {
                    return channel.read(ByteBuffer.wrap(dst, off, len));
                } finally {
                    connection.clearDeadline();
                }
            }
            int n = fillWithDeadline();
            if (n < 0) return -1;
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(buf, pos, dst, off, n);
        pos += n;
        return n;
    }

    /** @return the next byte, or -1 at end of stream; under the I/O deadline */
    int read() throws IOException {
        if (pos == limit && fillWithDeadline() < 0) return -1;
        return buf[pos++] & 0xff;
    }

    /** Discards up to {@code n} buffered bytes. @return how many were discarded */
    int skipBuffered(long n) {
        int k = (int) Math.min(n, limit - pos);
        pos += k;
        return k;
    }
}
