package io.sockeye.http1;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

import io.sockeye.buffers.ByteArrayPool;

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
    /**
     * Bytes a second a body must come at, at least, once it has kept the server waiting {@link #bodyGraceNanos};
     * 0: any. As Apache's {@code mod_reqtimeout} {@code body=20,MinRate=500}: each byte received buys more waiting.
     */
    private final long minBodyRate;
    private final long bodyGraceNanos;
    private long bodyWaited;
    private long bodyReceived;
    private final int initialSize;
    private final int maxSize;
    private final ByteArrayPool pool;
    /** The received bytes; {@code null} while released (then {@code pos == limit == 0}). */
    byte[] buf;
    private ByteBuffer view;
    int pos;
    int limit;

    SocketInput(ReadableByteChannel channel, Deadlines deadlines, int initialSize, int maxSize, long ioTimeoutNanos) {
        this(channel, deadlines, initialSize, maxSize, ioTimeoutNanos, 0, 0);
    }

    SocketInput(ReadableByteChannel channel, Deadlines deadlines, int initialSize, int maxSize, long ioTimeoutNanos,
                long minBodyRate, long bodyGraceNanos) {
        this.minBodyRate = minBodyRate;
        this.bodyGraceNanos = bodyGraceNanos;
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
     */
    void release() {
        if (pos != limit || buf == null) return;
        if (pool != null && buf.length == initialSize) pool.give(buf);
        buf = null;
        view = null;
        pos = 0;
        limit = 0;
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

    /** A request body begins: its pace is measured from here. */
    void startBody() {
        bodyWaited = 0;
        bodyReceived = 0;
    }

    /**
     * @return how long the next body read may wait: the I/O timeout, or less if the body has come slower
     *         than the minimum rate (a client trickling a byte now and then holds its connection, and any
     *         slot or spool its handler gives it, only as long as its bytes pay for)
     */
    private long bodyReadTimeout() {
        if (minBodyRate <= 0) return ioTimeoutNanos;
        double earned = bodyReceived * (1e9 / minBodyRate);
        long allowed = (long) Math.min(ioTimeoutNanos, bodyGraceNanos + earned - bodyWaited);
        return Math.max(1, allowed);
    }

    /** A body read took {@code since} until now and brought {@code n} bytes. */
    private void paced(long since, int n) {
        bodyWaited += System.nanoTime() - since;
        if (n > 0) bodyReceived += n;
    }

    /** Like {@link #fill()}, under the I/O deadline (and the body's pace): for reading bodies. */
    int fillWithDeadline() throws IOException {
        connection.setTimeout(bodyReadTimeout());
        long t0 = System.nanoTime();
        int n = 0;
        try {
            return n = fill();
        } finally {
            paced(t0, n);
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
                connection.setTimeout(bodyReadTimeout());
                long t0 = System.nanoTime();
                int n = 0;
                try {
                    return n = channel.read(ByteBuffer.wrap(dst, off, len));
                } finally {
                    paced(t0, n);
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
